import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { codeForDay, periodOfCode } from '../features/reviews/cycles.schema';
import { newReference } from '../features/feedback/feedback.schema';
import { FEEDBACK_SERVICE } from '../features/service-levels/service-levels.schema';
import { clockStartOf, NOTIFICATION_DELAY_MINUTES } from '../platform/privacy/times';
import { randomCode } from '../platform/random-codes';
import { insertInBatches, insertRows, nextId, type Progress, type SeededRandom } from './scale-batches';
import type { ScaleCounts } from './scale';

export interface ScaleStaff {
  readonly ids: number[];
  readonly managerOf: Map<number, number | null>;
  readonly departmentOf: Map<number, number>;
  /** Who feedback can be about: community-facing, with someone above them. */
  readonly communityFacing: number[];
  readonly managers: Set<number>;
  readonly inboxManager: number;
  readonly hrAccountId: number;
}

export interface ScaleHistoryInput {
  readonly counts: ScaleCounts;
  readonly staff: ScaleStaff;
  readonly members: ReadonlyArray<{ accountId: number; email: string; name: string }>;
  readonly now: number;
  readonly random: SeededRandom;
  readonly progress: Progress;
}

const DAY_MS = 86_400_000;
const ATTRIBUTIONS = ['named', 'confidential', 'anonymous'] as const;
const KINDS = ['appreciation', 'suggestion', 'concern'] as const;
const COMMENTS = [
  'Answered our questions on the list within a day, with links to the earlier discussion.',
  'The call agenda arrived late again; members in other time zones could not prepare.',
  'Made sure the smaller constituencies were heard before the chair called consensus.',
  'The public comment summary left out two of our points.',
  'Clear, neutral briefing on the options before the vote.',
  'Meeting notes would be easier to follow with the action items at the top.',
];
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The recipient the routing rules pick (rules 2 and 3 of the default set): a manager's feedback goes one level further up. */
function recipientOf(staff: ScaleStaff, subject: number, managesPeople: Set<number>): number {
  const chain: number[] = [];
  for (let at = staff.managerOf.get(subject); at != null; at = staff.managerOf.get(at)) chain.push(at);
  return managesPeople.has(subject) ? (chain[1] ?? chain[chain.length - 1]!) : chain[0]!;
}

/** `amount` business days (Monday to Friday) after `from`: the feedback service's targets, without its holidays. */
function addBusinessDays(from: number, amount: number): number {
  let at = DateTime.fromMillis(from, { zone: 'utc' });
  for (let left = amount; left > 0; ) {
    at = at.plus({ days: 1 });
    if (at.weekday <= 5) left--;
  }
  return at.toMillis();
}

/**
 * Six half-year review cycles up to the current one (open; the others closed, each with its frozen
 * population), and the feedback items spread over them in every attribution mode, each routed to
 * whom the default rules route it, SCALE_INBOX_MANAGER receiving `counts.inboxItems` of them.
 */
export async function seedScaleFeedback(knex: Knex, input: ScaleHistoryInput): Promise<{ cycleIds: number[] }> {
  const { counts, staff, members, now, random, progress } = input;
  const cycles = await seedCycles(knex, counts.cycles, staff, now);
  const dimensions: Array<{ id: number; label: string }> = await knex('behaviour_dimensions').select('id', 'label').where({ active: true }).orderBy('position');
  const target = await knex('service_level_targets as t').join('services as s', 's.id', 't.service_id').where('s.code', FEEDBACK_SERVICE).orderBy('t.effective_from', 'desc').first('t.id');
  const managesPeople = new Set([...staff.managerOf.values()].filter((id): id is number => id !== null));
  const inboxSubjects = staff.communityFacing.filter((id) => staff.managerOf.get(id) === staff.inboxManager && !managesPeople.has(id));
  if (inboxSubjects.length === 0) throw new Error('the inbox manager has no community-facing reports');
  const otherSubjects = staff.communityFacing.filter((id) => !inboxSubjects.includes(id) && recipientOf(staff, id, managesPeople) !== staff.inboxManager);

  const firstItem = await nextId(knex, 'feedback_items');
  const firstRouted = await nextId(knex, 'routed_items');
  // Exactly counts.inboxItems of them go to the inbox manager, spread evenly so they span every cycle.
  const inboxShare = (n: number) => Math.floor((n * counts.inboxItems) / counts.feedbackItems);
  // A million random references meet the birthday bound (the app redraws on a unique-key conflict;
  // a batched insert cannot), so each is drawn until it is new.
  const references = new Set<string>();
  const uniqueReference = (createdAt: number) => {
    let reference = newReference(createdAt);
    while (references.has(reference)) reference = newReference(createdAt);
    references.add(reference);
    return reference;
  };
  await insertInBatches(
    knex,
    'feedback items',
    counts.feedbackItems,
    (from, to) => {
      const items = [];
      const ratings = [];
      const identities = [];
      const routed = [];
      const events = [];
      for (let n = from; n < to; n++) {
        const id = firstItem + n;
        const toInbox = inboxShare(n + 1) > inboxShare(n);
        const subject = toInbox ? random.pick(inboxSubjects) : random.pick(otherSubjects);
        const attribution = ATTRIBUTIONS[n % 3]!;
        // Blocks of items by cycle, oldest first, as they arrived.
        const cycle = cycles[Math.floor((n * cycles.length) / counts.feedbackItems)]!;
        const createdAt = cycle.from + Math.floor(random.next() * (cycle.to - cycle.from));
        const kind = random.pick(KINDS);
        items.push({
          id,
          reference: uniqueReference(createdAt),
          staff_member_id: subject,
          kind,
          attribution,
          comment: random.pick(COMMENTS),
          context: n % 4 === 0 ? 'Transfer Policy Review PDP' : '',
          escalation_requested: false,
          submission_key_hash: hex(32),
          // The receipt code itself is never kept; the generator does not know one either.
          receipt_code_hash: attribution === 'anonymous' ? hex(32) : null,
          solicited: false,
          solicited_cycle_id: null,
          created_at: createdAt,
        });
        for (const dimension of dimensions.slice(n % 4, (n % 4) + random.int(0, 3))) {
          ratings.push({ feedback_item_id: id, dimension_id: dimension.id, label: dimension.label, score: random.int(1, 5) });
        }
        // Anonymous items store no identity at all.
        if (attribution !== 'anonymous') {
          const member = members[n % members.length]!;
          identities.push({ feedback_item_id: id, account_id: member.accountId, display_name: member.name, email: member.email });
        }
        const routedId = firstRouted + n;
        const visibleAt = attribution === 'named' ? createdAt : createdAt + random.int(NOTIFICATION_DELAY_MINUTES.min, NOTIFICATION_DELAY_MINUTES.max) * 60_000;
        const clockStart = clockStartOf(attribution, createdAt);
        const recipient = recipientOf(staff, subject, managesPeople);
        // Older items were handled and closed; this cycle's are in every state of the lifecycle.
        const state = cycle.open ? random.pick(['received', 'acknowledged', 'responded'] as const) : 'closed';
        const acknowledgedAt = state === 'received' ? null : Math.min(now, visibleAt + random.int(1, 48) * 3_600_000);
        const respondedAt = acknowledgedAt === null || state === 'acknowledged' ? null : Math.min(now, acknowledgedAt + random.int(1, 72) * 3_600_000);
        const closedAt = state === 'closed' && respondedAt !== null ? Math.min(now, respondedAt + DAY_MS) : null;
        routed.push({
          id: routedId,
          public_id: randomCode(12),
          feedback_item_id: id,
          recipient_staff_member_id: recipient,
          subject_staff_member_id: subject,
          status: state,
          received_at: createdAt,
          visible_at: visibleAt,
          acknowledged_at: acknowledgedAt,
          responded_at: respondedAt,
          closed_at: closedAt,
          updated_at: closedAt ?? respondedAt ?? acknowledgedAt ?? createdAt,
          service_level_target_id: target ? Number(target.id) : null,
          acknowledge_due_at: addBusinessDays(clockStart, 1),
          respond_due_at: addBusinessDays(clockStart, 2),
        });
        const event = (type: string, actor: string, at: number, extra: object = {}) => ({ routed_item_id: routedId, type, actor, created_at: at, visible_at: at, ...extra });
        events.push(event('received', 'system', createdAt, { to_staff_member_id: recipient }));
        if (acknowledgedAt !== null) events.push(event('acknowledged', 'recipient', acknowledgedAt, { actor_staff_member_id: recipient }));
        if (respondedAt !== null) events.push(event('replied', 'recipient', respondedAt, { actor_staff_member_id: recipient, body: 'Thank you; we have discussed this in the team.' }));
        if (closedAt !== null) events.push(event('closed', 'recipient', closedAt, { actor_staff_member_id: recipient }));
      }
      return [
        ['feedback_items', items],
        ['feedback_ratings', ratings],
        ['feedback_identities', identities],
        ['routed_items', routed],
        ['routed_item_events', events],
      ];
    },
    progress,
  );
  // The inbox's kept counts (see routed-items.repository countItem), for the rows written above.
  await knex.transaction(async (trx) => {
    await trx('inbox_counts').delete();
    await trx.raw('INSERT INTO inbox_counts (recipient_staff_member_id, status, items) SELECT recipient_staff_member_id, status, count(*) FROM routed_items GROUP BY recipient_staff_member_id, status');
  });
  return { cycleIds: cycles.map((c) => c.id) };
}

interface SeededCycle {
  readonly id: number;
  readonly open: boolean;
  /** When its items were sent: the period, or for the current one the period so far. */
  readonly from: number;
  readonly to: number;
}

/** The current half-year (open) and the ones before it (closed, with their populations frozen at their end). */
async function seedCycles(knex: Knex, count: number, staff: ScaleStaff, now: number): Promise<SeededCycle[]> {
  const codes: string[] = [codeForDay(DateTime.fromMillis(now, { zone: 'utc' }).toISODate()!)];
  while (codes.length < count) codes.unshift(codeForDay(DateTime.fromISO(periodOfCode(codes[0]!)!.startsOn, { zone: 'utc' }).minus({ days: 1 }).toISODate()!));
  const first = await nextId(knex, 'review_cycles');
  const cycles: SeededCycle[] = [];
  await knex.transaction(async (trx) => {
    for (const [i, code] of codes.entries()) {
      const period = periodOfCode(code)!;
      const open = i === codes.length - 1;
      const from = Date.parse(`${period.startsOn}T00:00:00Z`);
      const end = Date.parse(`${period.endsOn}T00:00:00Z`) + DAY_MS;
      const opensOn = DateTime.fromMillis(end, { zone: 'utc' });
      await trx('review_cycles').insert({
        id: first + i,
        code,
        starts_on: period.startsOn,
        ends_on: period.endsOn,
        review_opens_on: opensOn.toISODate(),
        review_closes_on: opensOn.plus({ days: 30 }).toISODate(),
        status: open ? 'open' : 'closed',
        staff_see_unreviewed: false,
        guidance: 'Read positive and constructive input together and look for patterns rather than single remarks.',
        created_at: from,
        updated_at: open ? from : end,
      });
      if (!open) {
        await trx('cycle_populations').insert({ cycle_id: first + i, taken_at: end });
        await insertRows(trx, 'cycle_population_members', staff.ids.map((id) => ({ cycle_id: first + i, staff_member_id: id, department_id: staff.departmentOf.get(id) ?? null, manager_id: staff.managerOf.get(id) ?? null })));
      }
      // Items of the current period stop two hours ago, so every one of them is visible already.
      cycles.push({ id: first + i, open, from, to: open ? Math.max(from + 1, now - 2 * 3_600_000) : end - 1 });
    }
  });
  return cycles;
}
