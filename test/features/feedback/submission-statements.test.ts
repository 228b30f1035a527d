import { DateTime } from 'luxon';
import { agentFor, createTestApp, csrfTokenFrom, manualClock, postForm, signedIn, useTestApp, type Agent, type TestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
// Reference data that a warm process no longer reads per submission, and the whole directory.
const CACHED_TABLES = /`(routing_rules|services|service_calendars|calendar_holidays|service_level_targets)`/;

describe('the statements one feedback submission runs, and reference data cached per process', () => {
  // Monday 7 December 2026, 9 a.m.: one business day to acknowledge.
  const clock = manualClock(local('2026-12-07T09:00'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let org: Awaited<ReturnType<typeof feedbackOrganisation>>;
  let other: TestApp;

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
    // A second process on the same database, with caches of its own.
    other = await createTestApp({ db: context.database.db, clock });
  });

  async function submit(agent: Agent, fields: Record<string, string>) {
    const form = await agent.get(`/feedback/new?staff=${org.staff.staffMemberId}`);
    const submissionKey = form.text.match(/name="submissionKey" value="([^"]+)"/)![1]!;
    const { result, statements } = await statementsOf(knex(), () =>
      agent.post('/feedback').type('form').send({ _csrf: csrfTokenFrom(form.text), staffMemberId: String(org.staff.staffMemberId), submissionKey, kind: 'suggestion', attribution: 'named', comment: 'Counted.', ...fields }).expect(200),
    );
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(result.text)) }).first();
    return { statements, routed };
  }

  it('when a process is warm, then a named submission runs 19 statements and an anonymous one 16, reading the subject once and no reference table', async () => {
    const member = await signedIn(context.app, org.member);
    await submit(member, {});
    const named = await submit(member, {});
    // Before issue 13: 25, with the whole staff table, the subject three times and five reference reads.
    expect(named.statements).toHaveLength(19);
    expect(named.statements.filter((sql) => CACHED_TABLES.test(sql))).toEqual([]);
    expect(named.statements.filter((sql) => /from `staff_members`$/.test(sql))).toEqual([]);
    // The subject and their chain in one statement; the other staff read is the recipient's address.
    expect(named.statements.filter((sql) => sql.includes('`s`.`community_facing`'))).toHaveLength(2);

    const visitor = agentFor(context.app);
    await submit(visitor, { attribution: 'anonymous' });
    const anonymous = await submit(visitor, { attribution: 'anonymous' });
    expect(anonymous.statements.filter((sql) => CACHED_TABLES.test(sql))).toEqual([]);
    expect(anonymous.statements).toHaveLength(16);
  });

  it('when an admin changes a holiday, a target or a routing rule in one process, then the next submission in another process follows it', async () => {
    const admin = await signedIn(context.app, org.admin);
    const member = await signedIn(other, org.member);
    const before = await submit(member, {});
    expect(Number(before.routed.acknowledge_due_at)).toBe(local('2026-12-07T17:00'));
    expect(Number(before.routed.recipient_staff_member_id)).toBe(org.manager.staffMemberId);

    const calendar = await knex()('service_calendars').first();
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/calendars/${calendar.id}/holidays`, { date: '2026-12-07', name: 'A day off' });
    // Received on a holiday: the clock starts on the next working day.
    const afterHoliday = await submit(member, {});
    expect(Number(afterHoliday.routed.acknowledge_due_at)).toBe(local('2026-12-08T17:00'));

    const service = await knex()('services').where({ code: 'continuous-feedback' }).first();
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/${service.id}/target`, { acknowledgeAmount: '2', acknowledgeUnit: 'business_hours', respondAmount: '3', respondUnit: 'calendar_days' });
    clock.advance(1000);
    const afterTarget = await submit(member, {});
    expect(Number(afterTarget.routed.acknowledge_due_at)).toBe(local('2026-12-08T11:00'));

    await postForm(admin, '/admin/routing-rules', '/admin/routing-rules', { position: '1', kind: 'suggestion', subjectIsManager: 'any', escalationRequested: 'any', target: 'complaints_officer' });
    const afterRule = await submit(member, {});
    expect(Number(afterRule.routed.recipient_staff_member_id)).toBe(org.complaints.staffMemberId);
  });
});
