import { DateTime } from 'luxon';
import { agentFor, createTestApp, csrfTokenFrom, manualClock, postForm, signedIn, useTestApp, type Agent, type TestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
// Reference data that a warm process no longer reads per submission, and the whole directory.
const CACHED_TABLES = /`(routing_rules|services|service_calendars|calendar_holidays|service_level_targets|behaviour_dimensions)`/;

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

  it('when a process is warm, then a named submission runs 11 statements and an anonymous one 11, reading the subject once, the signed-in account with its session and no reference table', async () => {
    const member = await signedIn(context.app, org.member);
    await submit(member, {});
    const named = await submit(member, {});
    // Before issue 13: 25, with the whole staff table, the subject three times and five reference reads;
    // then 19, with the account and its roles apart, the submission key looked up before storing
    // (the unique key checks it), the item read back after storing it, a version read per kind of
    // reference data, the recipient's address read again and an insert per e-mail; then 11, with the
    // session and its account read apart; then 10. The eleventh now keeps the recipient's inbox count,
    // which the inbox read from every item before.
    expect(named.statements).toHaveLength(11);
    expect(named.statements.filter((sql) => /\baccounts\b/.test(sql))).toEqual([expect.stringMatching(/^select s\.sess, .* from sessions s left join accounts a /)]);
    expect(named.statements.filter((sql) => sql.includes('`reference_versions`'))).toHaveLength(1);
    expect(named.statements.filter((sql) => /^select .* from `feedback_items`/.test(sql))).toEqual([]);
    // Due times and e-mails are worked out before the transaction: inside it, only writes.
    const begin = named.statements.findIndex((sql) => /^begin/i.test(sql));
    const commit = named.statements.findIndex((sql) => /^commit/i.test(sql));
    expect(named.statements.slice(begin + 1, commit).map((sql) => sql.split(' (')[0])).toEqual([
      'insert into `feedback_items`',
      'insert into `feedback_identities`',
      'insert into `routed_items`',
      'insert into `inbox_counts`',
      'insert into `routed_item_events`',
      'insert into `outbox_messages`',
    ]);
    expect(named.statements.filter((sql) => CACHED_TABLES.test(sql))).toEqual([]);
    expect(named.statements.filter((sql) => /from `staff_members`$/.test(sql))).toEqual([]);
    // The subject and their chain, with the recipient's address, in one statement.
    expect(named.statements.filter((sql) => sql.includes('`s`.`community_facing`'))).toHaveLength(1);

    const visitor = agentFor(context.app);
    await submit(visitor, { attribution: 'anonymous' });
    const anonymous = await submit(visitor, { attribution: 'anonymous' });
    expect(anonymous.statements.filter((sql) => CACHED_TABLES.test(sql))).toEqual([]);
    expect(anonymous.statements).toHaveLength(11);
    // The submission key is looked up once, before the rate limit counts a new item.
    expect(anonymous.statements.filter((sql) => sql.includes('`submission_key_hash` = ?'))).toHaveLength(1);
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

    // A rating for a dimension the admin has just retired is refused by the other process too.
    const dimension = await knex()('behaviour_dimensions').where({ active: true }).first();
    const rated = await submit(member, { [`rating_${dimension.id}`]: '4' });
    expect(await knex()('feedback_ratings').where({ feedback_item_id: rated.routed.feedback_item_id }).pluck('score')).toEqual([4]);
    expect((await member.get(`/feedback/new?staff=${org.staff.staffMemberId}`)).text).toContain(`name="rating_${dimension.id}"`);
    const retired = await postForm(admin, '/admin/feedback', `/admin/feedback/dimensions/${dimension.id}`, { label: dimension.label, description: '', position: String(dimension.position), active: '' });
    expect(retired.status).toBe(303);
    const form = await member.get(`/feedback/new?staff=${org.staff.staffMemberId}`);
    expect(form.text).not.toContain(`name="rating_${dimension.id}"`);
    const refused = await member.post('/feedback').type('form').send({ _csrf: csrfTokenFrom(form.text), staffMemberId: String(org.staff.staffMemberId), submissionKey: form.text.match(/name="submissionKey" value="([^"]+)"/)![1]!, kind: 'suggestion', attribution: 'named', comment: 'Rated.', [`rating_${dimension.id}`]: '4' });
    expect(refused.status).toBe(422);
  });
});
