import { DateTime } from 'luxon';
import { deliverAll, manualClock, signedIn, useTestApp } from '../../helpers/app';
import { createTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { createDatabase } from '../../../server/platform/db';
import { testDialect } from '../../helpers/database';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('the escalation ladder', () => {
  // Friday 4 December 2026, 4 p.m.: acknowledge by Monday 4 p.m., respond by Tuesday 4 p.m.
  const clock = manualClock(local('2026-12-04T16:00'));
  const context = useTestApp({ smtp: true, clock });
  let org: Awaited<ReturnType<typeof feedbackOrganisation>>;
  const knex = () => context.database.db.knex;
  const sweep = () => context.app.services.escalation.runOnce();
  const at = (iso: string) => clock.advance(local(iso) - clock.now());

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
  });

  it('when targets pass, then it warns, escalates to the recipient\'s manager, then the executive, in order and once each', async () => {
    const member = await signedIn(context.app, org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Will be escalated.' });
    const reference = referenceFrom(res.text);
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), reference) }).first();
    await deliverAll(context.app);
    const mailsTo = (email: string) => context.smtp.to(email).filter((m) => m.subject.includes(reference));

    at('2026-12-07T11:59');
    expect(await sweep()).toBe(0);
    at('2026-12-07T12:00');
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    await deliverAll(context.app);
    expect(mailsTo(org.manager.email).map((m) => m.subject)).toContain(`Due soon: feedback ${reference}`);

    // Not acknowledged by Monday 4 p.m.: the item moves to the manager's manager (the executive here).
    at('2026-12-07T16:01');
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    await deliverAll(context.app);
    expect(Number((await knex()('routed_items').where({ id: routed.id }).first()).recipient_staff_member_id)).toBe(org.executive.staffMemberId);
    expect(mailsTo(org.executive.email).map((m) => m.subject)).toEqual([`Escalated to you: feedback ${reference}`]);
    const escalated = await knex()('routed_item_events').where({ routed_item_id: routed.id, type: 'escalated' });
    expect(escalated.map((e) => [Number(e.from_staff_member_id), Number(e.to_staff_member_id)])).toEqual([[org.manager.staffMemberId, org.executive.staffMemberId]]);

    // Later steps: a warning to the new recipient before the response target, and the executive
    // step (already with the executive) taken without moving or mailing anyone twice.
    at('2026-12-09T17:00');
    expect(await sweep()).toBe(2);
    expect(await sweep()).toBe(0);
    await deliverAll(context.app);
    expect(mailsTo(org.executive.email)).toHaveLength(2);
    expect(await knex()('routed_item_escalations').where({ routed_item_id: routed.id })).toHaveLength(4);
  });

  it('when the item is acknowledged and answered in time, then nothing escalates', async () => {
    at('2026-12-14T09:00');
    const member = await signedIn(context.app, org.member);
    const { res } = await submitFeedback(member, org.otherStaff.staffMemberId, { comment: 'Answered in time.' });
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first();
    const manager = await signedIn(context.app, org.otherManager);
    await context.app.services.inbox.acknowledge((await context.app.services.accounts.findActor(org.otherManager.id))!, routed.id);
    await context.app.services.inbox.reply((await context.app.services.accounts.findActor(org.otherManager.id))!, routed.id, 'Answered.', false);
    expect(manager).toBeDefined();
    at('2026-12-24T09:00');
    await sweep();
    expect(await knex()('routed_item_escalations').where({ routed_item_id: routed.id })).toHaveLength(0);
  });

  it('when two processes sweep at once, then every step is taken once and every e-mail sent once', async () => {
    at('2026-12-28T09:00');
    const member = await signedIn(context.app, org.member);
    const references: string[] = [];
    for (let i = 0; i < 12; i++) references.push(referenceFrom((await submitFeedback(member, org.staff.staffMemberId, { comment: `Batch ${i}` })).res.text));
    await deliverAll(context.app);
    at('2027-01-06T09:00');
    // A second "process": its own connection pool and app on the same database.
    const second = createDatabase(context.database.config);
    try {
      const other = await createTestApp({ db: second, clock, mailTransport: context.smtp.transport });
      // On MariaDB the two sweeps run at once. better-sqlite3 waits for a lock synchronously, so two
      // SQLite "processes" inside one Node process would block each other: there they take turns.
      const [a, b] =
        testDialect === 'mysql'
          ? await Promise.all([sweepAll(context.app.services.escalation), sweepAll(other.services.escalation)])
          : [await sweepAll(context.app.services.escalation, 2), await sweepAll(other.services.escalation)];
      expect(a + b).toBe(12 * 4);
      expect(a * b).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
    await deliverAll(context.app);
    for (const reference of references) {
      const subjects = [...context.smtp.to(org.manager.email), ...context.smtp.to(org.executive.email)].filter((m) => m.subject.includes(reference)).map((m) => m.subject);
      expect(subjects.sort()).toEqual([`New feedback to review (${reference})`, `Due soon: feedback ${reference}`, `Escalated to you: feedback ${reference}`, `Due soon: feedback ${reference}`].sort());
    }
  });
});

async function sweepAll(escalation: { runOnce(batchSize?: number): Promise<number> }, runs = 10): Promise<number> {
  let total = 0;
  for (let i = 0; i < runs; i++) total += await escalation.runOnce(3);
  return total;
}
