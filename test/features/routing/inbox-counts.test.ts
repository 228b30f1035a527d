import { DateTime } from 'luxon';
import { manualClock, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

/**
 * The inbox's per-status counts are kept in inbox_counts by every change of an item's status or
 * recipient (issue 13), instead of counted on each page. After each kind of change they equal the
 * items themselves, counted; and an item still held back is neither listed nor counted.
 */
describe('the inbox\'s kept counts', () => {
  const clock = manualClock(local('2026-12-04T16:00'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let org: Awaited<ReturnType<typeof feedbackOrganisation>>;

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
  });

  /** Every recipient's counts by status, as kept and as counted from the items. */
  async function keptAndCounted() {
    const kept = await knex()('inbox_counts').where('items', '>', 0).orderBy(['recipient_staff_member_id', 'status']).select('recipient_staff_member_id as recipient', 'status', 'items');
    const counted = await knex()('routed_items').groupBy('recipient_staff_member_id', 'status').orderBy(['recipient_staff_member_id', 'status']).select('recipient_staff_member_id as recipient', 'status', knex().raw('count(*) as items'));
    const shape = (rows: Array<Record<string, unknown>>) => rows.map((r) => `${Number(r.recipient)}:${String(r.status)}=${Number(r.items)}`);
    return { kept: shape(kept), counted: shape(counted) };
  }

  /** What the inbox shows the recipient now, against the visible items counted. */
  async function shownAndVisible(who: { id: number; staffMemberId: number }) {
    const actor = (await context.app.services.accounts.findActor(who.id))!;
    const { counts, page } = await context.app.services.inbox.list(actor, { page: 1, pageSize: 20 });
    const rows = await knex()('routed_items').where({ recipient_staff_member_id: who.staffMemberId }).andWhere('visible_at', '<=', clock.now()).groupBy('status').select('status', knex().raw('count(*) as n'));
    return { shown: { counts, total: page.total }, visible: { counts: Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)])), total: rows.reduce((sum, r) => sum + Number(r.n), 0) } };
  }

  it('when items arrive, are acknowledged, answered, closed, forwarded, reassigned and escalated, then the kept counts equal the items counted after every step', async () => {
    const member = await signedIn(context.app, org.member);
    const send = async (attribution: string) => {
      const { res } = await submitFeedback(member, org.staff.staffMemberId, { attribution, comment: `Counted (${attribution}).` });
      expect(res.status).toBe(200);
      return Number((await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first('id')).id);
    };
    const steps: string[] = [];
    const check = async (step: string) => {
      steps.push(step);
      const { kept, counted } = await keptAndCounted();
      expect({ step, kept }).toEqual({ step, kept: counted });
    };
    const ids = [await send('named'), await send('named'), await send('named'), await send('named'), await send('anonymous')];
    await check('arrived');
    const manager = (await context.app.services.accounts.findActor(org.manager.id))!;
    const hr = (await context.app.services.accounts.findActor(org.hr.id))!;
    const inbox = context.app.services.inbox;

    // The anonymous item is held back: not shown, not counted, until its delay has passed.
    const held = await shownAndVisible(org.manager);
    expect(held.shown).toEqual(held.visible);
    expect(held.shown.total).toBe(4);

    await inbox.acknowledge(manager, ids[0]!);
    await check('acknowledged');
    await inbox.reply(manager, ids[1]!, 'Thank you, we will look into it.', false);
    await check('replied');
    await inbox.close(manager, ids[1]!);
    await check('closed');
    await inbox.forward(manager, ids[2]!, org.otherManager.email, 'Yours, I think.');
    await check('forwarded');
    await inbox.reassign(hr, ids[3]!, org.executive.email, 'Moved by HR.');
    await check('reassigned');

    // Past the anonymous item's delay and its acknowledgement target: the ladder moves what is overdue.
    clock.advance(local('2026-12-10T16:01') - clock.now());
    const escalated = await context.app.services.escalation.runOnce();
    expect(escalated).toBeGreaterThan(0);
    expect(Number((await knex()('routed_items').where({ id: ids[4] }).first('recipient_staff_member_id')).recipient_staff_member_id)).not.toBe(org.manager.staffMemberId);
    await check('escalated');

    for (const who of [org.manager, org.otherManager, org.executive]) {
      const { shown, visible } = await shownAndVisible(who);
      expect({ who: who.email, ...shown }).toEqual({ who: who.email, ...visible });
    }
    expect(steps).toHaveLength(7);
  });

  it('when the inbox is read, then its counts come from the kept counts, not from counting the recipient\'s items', async () => {
    const actor = (await context.app.services.accounts.findActor(org.executive.id))!;
    const { statements } = await statementsOf(knex(), () => context.app.services.inbox.list(actor, { page: 1, pageSize: 20 }));
    expect(statements.some((sql) => sql.includes('inbox_counts'))).toBe(true);
    // The only count over routed items is of those still held back, through their own index.
    for (const sql of statements.filter((s) => /count\(/.test(s) && s.includes('routed_items'))) expect(sql).toMatch(/routed_items_recipient_visible/);
  });
});
