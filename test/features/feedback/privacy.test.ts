import { agentFor, deliverAll, manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { factories } from '../../factories';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

type Organisation = Awaited<ReturnType<typeof feedbackOrganisation>>;

describe('what the database and the people in HR can and cannot learn', () => {
  const clock = manualClock(Date.now());
  const context = useTestApp({ smtp: true, clock });
  let org: Organisation;
  const knex = () => context.database.db.knex;

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
  });

  it('when HR staff are themselves the subject, then oversight neither lists nor opens nor unseals that feedback', async () => {
    const f = factories(knex());
    const hrStaff = await f.staffAccount({ managerId: org.executive.staffMemberId, roles: ['hr'] });
    const member = await signedIn(context.app, org.member);
    const { res } = await submitFeedback(member, hrStaff.staffMemberId, { attribution: 'confidential', kind: 'concern', comment: 'About the HR partner.' });
    // Past the notification delay, so what is refused below is refused for who is asking.
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const feedbackItemId = await feedbackItemIdOf(knex(), referenceFrom(res.text));
    const routed = await knex()('routed_items').where({ feedback_item_id: feedbackItemId }).first();

    const subject = await signedIn(context.app, hrStaff);
    expect((await subject.get('/feedback/items')).text).not.toContain('About the HR partner.');
    expect((await subject.get('/feedback/items')).text).not.toContain(referenceFrom(res.text));
    await subject.get(`/inbox/${routed.public_id}`).expect(404);
    await subject.get(`/inbox/${routed.public_id}.json`).expect(404);
    const reveal = await postForm(subject, '/account', `/feedback/items/${referenceFrom(res.text)}/reveal`, { reason: 'Curious about my own feedback' });
    expect(reveal.status).toBe(404);
    const reassign = await postForm(subject, '/account', `/inbox/${routed.public_id}/reassign`, { recipientEmail: org.otherManager.email });
    expect(reassign.status).toBe(404);
    // Another HR person can.
    const hr = await signedIn(context.app, org.hr);
    await hr.get(`/inbox/${routed.public_id}`).expect(200);
  });

  it('when a signed-in member gives anonymous feedback, then their stored session does not record it', async () => {
    const member = agentFor(context.app);
    await postForm(member, '/sign-in', '/sign-in', { email: org.member.email, password: org.member.password });
    const sessionsBefore = await knex()('sessions').select('sid', 'expired', 'sess').orderBy('sid');
    clock.advance(60_000);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Sent while signed in.' });
    expect(res.status).toBe(200);
    const sessionsAfter = await knex()('sessions').select('sid', 'expired', 'sess').orderBy('sid');
    const mine = (rows: typeof sessionsBefore) => rows.filter((r) => String(r.sess).includes(`"passport":{"user":${org.member.id}}`));
    expect(mine(sessionsBefore).length).toBeGreaterThanOrEqual(1);
    expect(mine(sessionsAfter)).toEqual(mine(sessionsBefore));
  });

  it('when rate-limit counters are kept, then they name no address, and the key that made them is gone after its hour', async () => {
    await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Counted.' });
    const secretsNow = await knex()('app_secrets').where('name', 'like', 'address-pseudonyms:%');
    expect(secretsNow).toHaveLength(1);
    const keys = (await knex()('rate_limits').select('key')).map((r) => String(r.key));
    expect(keys.some((k) => k.startsWith('anonymous_feedback'))).toBe(true);
    expect(keys.join(' ')).not.toMatch(/127\.0\.0|::1|ffff/);

    clock.advance(2 * 3_600_000);
    await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Counted in a later hour.' });
    const secretsLater = await knex()('app_secrets').where('name', 'like', 'address-pseudonyms:%');
    expect(secretsLater).toHaveLength(1);
    expect(secretsLater[0].name).not.toBe(secretsNow[0].name);
  });

  it('when e-mails have been sent, then the outbox keeps neither the address nor the body', async () => {
    const member = await signedIn(context.app, org.member);
    await submitFeedback(member, org.staff.staffMemberId, { attribution: 'confidential', comment: 'Confidential, then mailed.' });
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    expect(await deliverAll(context.app)).toBeGreaterThan(0);
    const rows = await knex()('outbox_messages').where({ status: 'sent' });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect([row.to_address, row.body_text, row.body_html]).toEqual(['', '', null]);
    expect(JSON.stringify(await knex()('outbox_messages'))).not.toContain(org.member.email);
  });
});
