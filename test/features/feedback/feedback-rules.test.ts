import { agentFor, csrfTokenFrom, manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, receiptCodeFrom, referenceFrom, submitFeedback } from '../../helpers/feedback';
import { ANONYMOUS_FEEDBACK_PER_HOUR, RECEIPT_LOOKUP_FAILURES } from '../../../server/app';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

type Organisation = Awaited<ReturnType<typeof feedbackOrganisation>>;

describe('feedback: validation, visibility, reveal and abuse limits', () => {
  // A still clock: address pseudonyms change on the hour, which would reset the flood counter mid-test.
  const clock = manualClock();
  const context = useTestApp({ clock });
  let org: Organisation;
  const knex = () => context.database.db.knex;
  const as = (who: { email: string; password: string }) => signedIn(context.app, who);

  beforeAll(async () => {
    org = await feedbackOrganisation(knex(), { displayName: 'Visible Member' });
  });

  it('when the form is incomplete or out of range, then each field says why and what was typed stays', async () => {
    const member = await as(org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { kind: '', comment: '', context: 'WG kept', rating_1: '9', rating_2: '4' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose the kind of feedback.');
    expect(res.text).toContain('Write your feedback.');
    expect(res.text).toContain('value="WG kept"');
    expect(res.text).toMatch(/name="rating_2" value="4" checked/);
    expect(res.text).toContain('Choose a rating from 1 to 5, or not rated.');
    const long = await submitFeedback(member, org.staff.staffMemberId, { comment: 'x'.repeat(5001) });
    expect(long.res.status).toBe(422);
    expect(long.res.text).toContain('Feedback can be at most 5000 characters.');
    expect(await knex()('feedback_items').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('when someone not signed in chooses named or confidential, then they are asked to sign in or choose anonymous', async () => {
    const visitor = agentFor(context.app);
    const { res } = await submitFeedback(visitor, org.staff.staffMemberId, { attribution: 'confidential', comment: 'Kept comment.' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Sign in to give named or confidential feedback, or choose anonymous.');
    expect(res.text).toContain('Kept comment.');
  });

  it('when the staff picker is searched, then only community-facing staff are offered, by name or department', async () => {
    const internal = await knex()('staff_members').insert({ email: 'backoffice@org.test', name: 'Backoffice Person', title: '', community_facing: false, is_executive: false, created_at: 0, updated_at: 0 });
    const res = await agentFor(context.app).get('/feedback/new?q=person').expect(200);
    expect(res.text).not.toContain('Backoffice Person');
    const res2 = await agentFor(context.app).get('/feedback/new?q=staff member').expect(200);
    expect(res2.text).toContain(`/feedback/new?staff=${org.staff.staffMemberId}`);
    const form = await agentFor(context.app).get(`/feedback/new?staff=${Number(internal[0])}`);
    expect(form.status).toBe(303);
  });

  it('when staff look at feedback about themselves, then they see what the organisation allows and never a sealed identity', async () => {
    const member = await as(org.member);
    await submitFeedback(member, org.staff.staffMemberId, { kind: 'appreciation', attribution: 'named', comment: 'Named thanks.' });
    await submitFeedback(member, org.staff.staffMemberId, { kind: 'concern', attribution: 'named', comment: 'Named concern.' });
    await submitFeedback(member, org.staff.staffMemberId, { kind: 'appreciation', attribution: 'confidential', comment: 'Confidential thanks.' });
    await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { kind: 'appreciation', attribution: 'anonymous', comment: 'Anonymous thanks.' });
    const staff = await as(org.staff);
    const byDefault = (await staff.get('/feedback/about-me').expect(200)).text;
    expect(byDefault).toContain('Named thanks.');
    expect(byDefault).toContain('Visible Member');
    expect(byDefault).not.toContain('Named concern.');
    expect(byDefault).not.toContain('Confidential thanks.');
    expect(byDefault).not.toContain('Anonymous thanks.');

    const admin = await as(org.admin);
    expect((await postForm(admin, '/admin/feedback', '/admin/feedback/visibility', { staffVisibility: 'named_all' })).status).toBe(303);
    const all = (await staff.get('/feedback/about-me')).text;
    expect(all).toContain('Named concern.');
    expect(all).not.toContain('Confidential thanks.');
    await postForm(admin, '/admin/feedback', '/admin/feedback/visibility', { staffVisibility: 'none' });
    expect((await staff.get('/feedback/about-me')).text).not.toContain('Named thanks.');
    await postForm(admin, '/admin/feedback', '/admin/feedback/visibility', { staffVisibility: 'named_appreciation' });
  });

  it('when HR reveals a confidential submitter, then a reason is required and the reveal is audited; a manager cannot', async () => {
    const member = await as(org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { attribution: 'confidential', comment: 'Please look into this.' });
    // Items are named by their random reference in URLs, never by their sequential id.
    const reference = referenceFrom(res.text);
    // The item exists for HR only once its notification delay has passed.
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const hr = await as(org.hr);
    const list = await hr.get('/feedback/items?attribution=confidential').expect(200);
    expect(list.text).toContain(`/feedback/items/${reference}/reveal`);
    const noReason = await postForm(hr, `/feedback/items/${reference}/reveal`, `/feedback/items/${reference}/reveal`, { reason: 'why' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Give a reason of at least 10 characters.');
    expect(noReason.text).not.toContain('Visible Member');
    const revealed = await postForm(hr, `/feedback/items/${reference}/reveal`, `/feedback/items/${reference}/reveal`, { reason: 'Formal complaint investigation 2026-14' });
    expect(revealed.status).toBe(200);
    expect(revealed.text).toContain('Visible Member');
    const audit = await knex()('audit_events').where({ action: 'feedback.identity.reveal', subject_id: reference });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail).reason).toBe('Formal complaint investigation 2026-14');

    const manager = await as(org.manager);
    await manager.get(`/feedback/items/${reference}/reveal`).expect(403);
    const anonymous = await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'No one to reveal.' });
    const anonymousReference = referenceFrom(anonymous.res.text);
    const refused = await postForm(hr, `/feedback/items/${anonymousReference}/reveal`, `/feedback/items/${anonymousReference}/reveal`, { reason: 'Trying an anonymous one' });
    expect(refused.status).toBe(409);
  });

  it('when a dimension is relabelled, then ratings already given keep the label they were given under', async () => {
    const member = await as(org.member);
    const dimension = await knex()('behaviour_dimensions').where({ code: 'listening' }).first();
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Rated before the relabel.', [`rating_${dimension.id}`]: '5' });
    const admin = await as(org.admin);
    const relabel = await postForm(admin, '/admin/feedback', `/admin/feedback/dimensions/${dimension.id}`, { label: 'Hears everyone out', description: '', position: String(dimension.position), active: 'yes' });
    expect(relabel.status).toBe(303);
    const thread = await member.get(`/feedback/mine/${referenceFrom(res.text)}`).expect(200);
    expect(thread.status).toBe(200);
    const stored = await knex()('feedback_ratings').where({ dimension_id: dimension.id }).first();
    expect(stored.label).toBe('Listens to all stakeholders');
    const form = await agentFor(context.app).get(`/feedback/new?staff=${org.staff.staffMemberId}`);
    expect(form.text).toContain('Hears everyone out');
  });

  it('when the submitter replies to a closed item, then they are told it is closed and their text stays', async () => {
    const member = await as(org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Soon closed.' });
    const feedbackItemId = await feedbackItemIdOf(knex(), referenceFrom(res.text));
    const routed = await knex()('routed_items').where({ feedback_item_id: feedbackItemId }).first();
    const manager = await as(org.manager);
    await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/reply`, { body: 'Done.' });
    await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/close`, {});
    const late = await postForm(member, '/feedback/mine', `/feedback/mine/${referenceFrom(res.text)}/reply`, { body: 'A late thought I do not want to lose.' });
    expect(late.status).toBe(409);
    expect(late.text).toContain('This item is closed.');
    expect(late.text).toContain('A late thought I do not want to lose.');
  });

  it('when the receipt page is guessed at, then it locks after the allowed failures, even for a right code', async () => {
    const { res } = await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Guess my code.' });
    const code = receiptCodeFrom(res.text);
    const guesser = agentFor(context.app);
    const form = await guesser.get('/receipt');
    const token = csrfTokenFrom(form.text);
    for (let i = 0; i < RECEIPT_LOOKUP_FAILURES; i++) {
      const wrong = await guesser.post('/receipt').type('form').send({ _csrf: token, code: `${String(i).padStart(4, '0')}-0000-0000-0000-0000-0000-0000-0000` });
      expect(wrong.status).toBe(404);
    }
    const locked = await guesser.post('/receipt').type('form').send({ _csrf: token, code });
    expect(locked.status).toBe(429);
    // Replying is a use of the code too: refused while locked, and nothing is stored.
    const reply = await guesser.post('/receipt/reply').type('form').send({ _csrf: token, code, body: 'Sneaking past the lock.' });
    expect(reply.status).toBe(429);
    expect(await knex()('routed_item_events').where({ body: 'Sneaking past the lock.' })).toHaveLength(0);
    // The counters are keyed by a pseudonym of the address, never the address itself.
    const keys = (await knex()('rate_limits').select('key')).map((r) => String(r.key));
    expect(keys.some((k) => k.startsWith('receipt_lookups'))).toBe(true);
    expect(keys.join(' ')).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('when anonymous feedback floods in from one address, then the excess is refused with 429 and the form keeps the text', async () => {
    const visitor = agentFor(context.app);
    let last = { status: 0, text: '' };
    for (let i = 0; i <= ANONYMOUS_FEEDBACK_PER_HOUR; i++) {
      last = (await submitFeedback(visitor, org.otherStaff.staffMemberId, { attribution: 'anonymous', comment: `Flood number ${i}` })).res;
      if (last.status === 429) break;
    }
    expect(last.status).toBe(429);
    expect(last.text).toContain('Nothing was sent');
    expect(last.text).toMatch(/Flood number \d+<\/textarea>/);
  });
});

describe('receipt codes under a burst of parallel guesses', () => {
  const context = useTestApp();

  it('when many guesses arrive at once, then no more than the allowed number are checked', async () => {
    const agent = agentFor(context.app);
    const token = csrfTokenFrom((await agent.get('/receipt')).text);
    const guesses = await Promise.all(
      Array.from({ length: RECEIPT_LOOKUP_FAILURES + 10 }, (_, i) => agent.post('/receipt').type('form').send({ _csrf: token, code: `${String(i).padStart(4, '0')}-1111-2222-3333-4444-5555-6666-7777` })),
    );
    const statuses = guesses.map((r) => r.status);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(RECEIPT_LOOKUP_FAILURES);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
  });
});
