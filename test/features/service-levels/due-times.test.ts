import { DateTime } from 'luxon';
import { agentFor, deliverAll, manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, receiptCodeFrom, referenceFrom, referenceOf, submitFeedback } from '../../helpers/feedback';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('service-level targets on routed items', () => {
  // Friday 4 December 2026, 4 p.m. in Los Angeles.
  const clock = manualClock(local('2026-12-04T16:00'));
  const context = useTestApp({ smtp: true, clock });
  let org: Awaited<ReturnType<typeof feedbackOrganisation>>;
  const knex = () => context.database.db.knex;
  const routedFor = async (html: string) => knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(html)) }).first();

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
  });

  it('when feedback arrives, then it takes the target in force: business days skip the weekend; a changed target applies to new items only', async () => {
    const member = await signedIn(context.app, org.member);
    const first = await routedFor((await submitFeedback(member, org.staff.staffMemberId, { comment: 'Under the original target.' })).res.text);
    expect(Number(first.acknowledge_due_at)).toBe(local('2026-12-07T16:00'));
    expect(Number(first.respond_due_at)).toBe(local('2026-12-08T16:00'));

    const admin = await signedIn(context.app, org.admin);
    const service = await knex()('services').where({ code: 'continuous-feedback' }).first();
    const bad = await postForm(admin, '/admin/service-levels', `/admin/service-levels/${service.id}/target`, { acknowledgeAmount: '0', acknowledgeUnit: 'business_hours', respondAmount: '3', respondUnit: 'fortnights' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a whole number from 1 to 365.');
    expect(bad.text).toContain('Choose business hours, business days or calendar days.');
    const changed = await postForm(admin, '/admin/service-levels', `/admin/service-levels/${service.id}/target`, { acknowledgeAmount: '4', acknowledgeUnit: 'business_hours', respondAmount: '3', respondUnit: 'calendar_days' });
    expect(changed.status).toBe(303);
    const catalogue = await admin.get('/admin/service-levels').expect(200);
    expect(catalogue.text).toContain('4 business hours');
    expect(catalogue.text).toContain('3 calendar days');
    expect(catalogue.text).toContain('1 business day');

    clock.advance(1000);
    const second = await routedFor((await submitFeedback(member, org.staff.staffMemberId, { comment: 'Under the new target.' })).res.text);
    // One working hour left on Friday, three more on Monday from 9 a.m.
    expect(Number(second.acknowledge_due_at)).toBe(local('2026-12-07T12:00') + 1000);
    expect(Number(second.respond_due_at)).toBe(local('2026-12-07T16:00') + 1000);
    const unchanged = await knex()('routed_items').where({ id: first.id }).first();
    expect(Number(unchanged.respond_due_at)).toBe(local('2026-12-08T16:00'));
    expect(await knex()('service_level_targets').where({ service_id: service.id })).toHaveLength(2);
  });

  it('when the recipient gives an updated timeframe, then the submitter sees the new date and the reason, by e-mail and on their page', async () => {
    const member = await signedIn(context.app, org.member);
    const named = await routedFor((await submitFeedback(member, org.staff.staffMemberId, { comment: 'Needs research.' })).res.text);
    const anonymous = await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Anonymous, needs research.' });
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const manager = await signedIn(context.app, org.manager);

    const past = await postForm(manager, `/inbox/${named.public_id}`, `/inbox/${named.public_id}/timeframe`, { committedDate: '2026-12-01', reason: 'Too late already' });
    expect(past.status).toBe(422);
    expect(past.text).toContain('Choose a date after today.');
    expect(past.text).toContain('value="Too late already"');

    const ok = await postForm(manager, `/inbox/${named.public_id}`, `/inbox/${named.public_id}/timeframe`, { committedDate: '2026-12-18', reason: 'We need the legal team to review the request.' });
    expect(ok.status).toBe(303);
    const stored = await knex()('routed_items').where({ id: named.id }).first();
    expect(stored.status).toBe('timeframe_updated');
    expect(Number(stored.committed_respond_at)).toBe(local('2026-12-18T17:00'));
    expect(Number(stored.timeframe_updated_at)).toBeGreaterThan(0);
    expect(stored.responded_at).toBeNull();

    await deliverAll(context.app);
    const mail = context.smtp.to(org.member.email).find((m) => m.subject.startsWith('An updated timeframe for your feedback'))!;
    expect(mail.text).toContain('2026-12-18');
    expect(mail.text).toContain('We need the legal team to review the request.');
    const page = await member.get(`/feedback/mine/${await referenceOf(knex(), named.feedback_item_id)}`).expect(200);
    expect(page.text).toContain('New date: 2026-12-18');
    expect(page.text).toContain('Updated timeframe given');

    const anonymousRouted = await routedFor(anonymous.res.text);
    await postForm(manager, `/inbox/${anonymousRouted.public_id}`, `/inbox/${anonymousRouted.public_id}/timeframe`, { committedDate: '2026-12-21', reason: 'Waiting for the working group chair.' });
    const receipt = await postForm(agentFor(context.app), '/receipt', '/receipt', { code: receiptCodeFrom(anonymous.res.text) });
    expect(receipt.text).toContain('New date: 2026-12-21');
    expect(receipt.text).toContain('Waiting for the working group chair.');
  });

  it('when the recipient waits on the submitter, then the clock stops until they answer and the due time moves on by that working time', async () => {
    clock.advance(local('2026-12-09T10:00') - clock.now());
    const member = await signedIn(context.app, org.member);
    const routed = await routedFor((await submitFeedback(member, org.staff.staffMemberId, { comment: 'Please clarify.' })).res.text);
    const due = Number(routed.respond_due_at);
    const manager = await signedIn(context.app, org.manager);
    await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/reply`, { body: 'Which meeting was this?', askSubmitter: 'yes' });
    expect((await knex()('routed_items').where({ id: routed.id }).first()).status).toBe('waiting_on_submitter');

    // The submitter answers on Thursday at 11 a.m.: a working day and an hour later.
    clock.advance(local('2026-12-10T11:00') - clock.now());
    const thread = `/feedback/mine/${await referenceOf(knex(), routed.feedback_item_id)}`;
    await postForm(member, thread, `${thread}/reply`, { body: 'The 8 December call.' });
    const after = await knex()('routed_items').where({ id: routed.id }).first();
    expect(after.status).toBe('in_progress');
    // Three calendar days (the target in force) plus the 25 hours paused.
    expect(Number(after.respond_due_at)).toBe(due + 25 * 3_600_000);
    const pauses = await knex()('routed_item_pauses').where({ routed_item_id: routed.id });
    expect(pauses).toHaveLength(1);
    expect(pauses[0].ended_at).not.toBeNull();
  });

  it('when anonymous or confidential feedback arrives, then its clock starts at the next day: two sent the same day share their due times, both after they were sent', async () => {
    // Tuesday 15 December 2026, at 10:13 and at 15:41 in Los Angeles (the same day in UTC).
    clock.advance(local('2026-12-15T10:13') - clock.now());
    const anonymous = await routedFor((await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Sent in the morning.' })).res.text);
    clock.advance(local('2026-12-15T15:41') - clock.now());
    const member = await signedIn(context.app, org.member);
    const confidential = await routedFor((await submitFeedback(member, org.staff.staffMemberId, { attribution: 'confidential', comment: 'Sent in the afternoon.' })).res.text);
    expect(Number(confidential.acknowledge_due_at)).toBe(Number(anonymous.acknowledge_due_at));
    expect(Number(confidential.respond_due_at)).toBe(Number(anonymous.respond_due_at));
    expect(Number(anonymous.acknowledge_due_at)).toBeGreaterThan(local('2026-12-15T15:41'));
  });
});
