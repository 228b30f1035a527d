import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { AppInstance } from '../app';
import { newSubmissionKey } from '../features/feedback/receipt-codes';
import { codeForDay, periodOfCode } from '../features/reviews/cycles.schema';

const GUIDANCE =
  'Ask community members who worked closely with this person in the period, from several groups and regions, and include people likely to be critical as well as supportive. Read positive and constructive input together, look for patterns rather than single remarks, and never try to identify anonymous or confidential submitters.';

/**
 * The current half-year as an open review cycle (and the previous one, closed), with rated anonymous
 * feedback about the demo staff member: their packet lists it now and shows its figures once the
 * half-year is over.
 */
export async function seedDemoReviews(knex: Knex, services: AppInstance['services'], today: string): Promise<'created' | 'already-present'> {
  if (await knex('review_cycles').first()) return 'already-present';
  const hrAccount = await knex('accounts').select('id').where({ email: 'hr@demo.example' }).first();
  const hr = hrAccount && (await services.accounts.findActor(Number(hrAccount.id)));
  if (!hr) return 'already-present';

  const current = codeForDay(today);
  const previous = codeForDay(DateTime.fromISO(periodOfCode(current)!.startsOn, { zone: 'utc' }).minus({ days: 1 }).toISODate()!);
  for (const code of [previous, current]) {
    const period = periodOfCode(code)!;
    const reviewOpensOn = DateTime.fromISO(period.endsOn, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
    const id = await services.reviewCycles.create(hr, { code, ...period, reviewOpensOn, reviewClosesOn: DateTime.fromISO(reviewOpensOn).plus({ days: 30 }).toISODate()!, staffSeeUnreviewed: false, guidance: GUIDANCE });
    await services.reviewCycles.open(hr, id);
    if (code === previous) await services.reviewCycles.close(hr, id);
  }

  const subject = Number((await knex('staff_members').select('id').where({ email: 'staff@demo.example' }).first()).id);
  const dimension = async (code: string) => String((await knex('behaviour_dimensions').select('id').where({ code }).first()).id);
  const scores = [5, 4, 4, 5, 3, 4];
  const comments = [
    'Summaries of each call arrive the same day, which helps members who could not attend.',
    'Explains the policy history patiently to newcomers.',
    'Calls often run over time; a firmer agenda would help.',
    'Drafts were shared early enough to consult our constituency.',
    'Sometimes slow to answer questions on the mailing list.',
    'Kept the discussion neutral when positions were far apart.',
  ];
  for (const [i, score] of scores.entries()) {
    await services.feedback.submit(undefined, {
      staffMemberId: subject,
      kind: i === 2 || i === 4 ? 'suggestion' : 'appreciation',
      attribution: 'anonymous',
      comment: comments[i]!,
      context: 'Transfer Policy Review PDP',
      escalate: false,
      ratings: { [await dimension('listening')]: score, [await dimension('transparency')]: Math.max(1, score - 1) },
      submissionKey: newSubmissionKey(),
    });
  }
  // Demo data only: the packet shows these at once rather than after their random delay.
  await knex('routed_items').update({ visible_at: knex.ref('received_at') });
  return 'created';
}
