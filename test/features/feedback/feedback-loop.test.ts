import { agentFor, deliverAll, manualClock, postForm, signedIn, signIn, useTestApp } from '../../helpers/app';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';
import { linkIn } from '../../helpers/mail';
import { feedbackItemIdOf, feedbackOrganisation, receiptCodeFrom, referenceFrom, submitFeedback } from '../../helpers/feedback';

type Organisation = Awaited<ReturnType<typeof feedbackOrganisation>>;

describe('continuous feedback, from the community to the right manager and back', () => {
  const clock = manualClock(Date.now());
  const context = useTestApp({ smtp: true, clock });
  let org: Organisation;
  const knex = () => context.database.db.knex;
  /** Sends everything due, after letting held-back notifications come due. */
  const deliver = () => {
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    return deliverAll(context.app);
  };
  const as = (who: { email: string; password: string }) => signedIn(context.app, who);
  const routedItemFor = async (reference: string) => {
    const id = await feedbackItemIdOf(knex(), reference);
    return knex()('routed_items').where({ feedback_item_id: id }).first();
  };

  beforeAll(async () => {
    org = await feedbackOrganisation(knex(), { displayName: 'Rosa Member' });
  });

  it('when feedback is named, then the manager is notified, sees who wrote it, answers, and the submitter reads the answer', async () => {
    const member = await as(org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { kind: 'appreciation', attribution: 'named', comment: 'Clear minutes after every call.', context: 'EPDP Phase 3', rating_1: '5' });
    expect(res.status).toBe(200);
    const reference = referenceFrom(res.text);
    expect(res.text).not.toContain('data-testid="receipt-code"');

    await deliver();
    const toManager = context.smtp.to(org.manager.email).find((m) => m.subject.includes(reference))!;
    expect(toManager.subject).toBe(`New feedback to review (${reference})`);
    expect(context.smtp.to(org.member.email).find((m) => m.subject === `We received your feedback (${reference})`)).toBeDefined();

    const manager = await as(org.manager);
    const inbox = await manager.get('/inbox').expect(200);
    expect(inbox.text).toContain(reference);
    const path = new URL(linkIn(toManager, 'http://accountable.test/inbox/')).pathname;
    const item = await manager.get(path).expect(200);
    expect(item.text).toMatch(/data-testid="submitter">Rosa Member</);
    expect(item.text).toContain('Clear minutes after every call.');
    expect(item.text).toContain('EPDP Phase 3');

    expect((await postForm(manager, path, `${path}/acknowledge`, {})).status).toBe(303);
    expect((await routedItemFor(reference)).status).toBe('acknowledged');
    expect((await postForm(manager, path, `${path}/reply`, { body: 'Thank you, I will pass this on to the team.' })).status).toBe(303);
    expect((await routedItemFor(reference)).status).toBe('responded');

    await deliver();
    const answer = context.smtp.to(org.member.email).find((m) => m.subject === `An answer to your feedback (${reference})`)!;
    expect(answer.text).toContain('Thank you, I will pass this on to the team.');
    const threadPath = new URL(linkIn(answer, 'http://accountable.test/feedback/mine/')).pathname;
    const thread = await member.get(threadPath).expect(200);
    expect(thread.text).toContain('Thank you, I will pass this on to the team.');

    expect((await postForm(member, threadPath, `${threadPath}/reply`, { body: 'Much appreciated.' })).status).toBe(303);
    await deliver();
    expect(context.smtp.to(org.manager.email).find((m) => m.subject === `The submitter replied (${reference})`)).toBeDefined();
    expect((await manager.get(path)).text).toContain('Much appreciated.');

    expect((await postForm(manager, path, `${path}/close`, {})).status).toBe(303);
    const events = await knex()('routed_item_events').where({ routed_item_id: (await routedItemFor(reference)).id }).orderBy('id').select('type');
    expect(events.map((e) => e.type)).toEqual(['received', 'acknowledged', 'replied', 'submitter_replied', 'closed']);
  });

  it('when feedback is confidential, then the manager answers without ever seeing who wrote it, and the answer reaches the submitter by e-mail', async () => {
    const member = await as(org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { kind: 'concern', attribution: 'confidential', comment: 'Deadlines announced too late.' });
    const reference = referenceFrom(res.text);
    await deliver();
    const notice = context.smtp.to(org.manager.email).find((m) => m.subject === `New feedback to review (${reference})`)!;
    expect(notice.text).not.toContain('Rosa');
    const manager = await as(org.manager);
    const routed = await routedItemFor(reference);
    expect((await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/acknowledge`, {})).status).toBe(303);
    const item = await manager.get(`/inbox/${routed.public_id}`).expect(200);
    expect(item.text).toContain("Confidential: the submitter&#x27;s identity is sealed");
    expect(item.text).not.toContain('Rosa Member');
    expect(item.text).not.toContain(org.member.email);
    const json = await manager.get(`/inbox/${routed.public_id}.json`).expect(200);
    expect(json.body.submitter).toBeNull();

    await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/reply`, { body: 'We will announce deadlines two weeks ahead.' });
    await deliver();
    const answer = context.smtp.to(org.member.email).find((m) => m.subject === `An answer to your feedback (${reference})`)!;
    expect(answer.text).toContain('We will announce deadlines two weeks ahead.');
    const thread = await member.get(`/feedback/mine/${reference}`).expect(200);
    expect(thread.text).toContain('We will announce deadlines two weeks ahead.');
  });

  it('when feedback is anonymous, then nothing identifies the submitter, and the receipt code opens the answer and takes a reply', async () => {
    const visitor = agentFor(context.app);
    const { res } = await submitFeedback(visitor, org.staff.staffMemberId, { kind: 'concern', attribution: 'anonymous', comment: 'Calls are always at 3am my time.' });
    expect(res.status).toBe(200);
    const code = receiptCodeFrom(res.text);
    expect(code.replace(/-/g, '')).toMatch(/^[0-9A-HJKMNP-TV-Z]{32}$/);
    const reference = referenceFrom(res.text);
    const feedbackItemId = await feedbackItemIdOf(knex(), reference);
    expect(await knex()('feedback_identities').where({ feedback_item_id: feedbackItemId }).first()).toBeUndefined();
    const stored = await knex()('feedback_items').where({ id: feedbackItemId }).first();
    expect(stored.receipt_code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, ''));

    // The notification is held back a random while, so its arrival cannot be matched to a person.
    await deliverAll(context.app);
    expect(context.smtp.to(org.manager.email).find((m) => m.subject.includes(reference))).toBeUndefined();
    // The item itself appears in the inbox only with its e-mail, and its URL id is not a sequence number.
    const early = await as(org.manager);
    expect((await early.get('/inbox.json')).body.items.map((i: { reference: string }) => i.reference)).not.toContain(reference);
    const hidden = await routedItemFor(reference);
    expect(hidden.public_id).toMatch(/^[0-9A-Z]{12}$/);
    await early.get(`/inbox/${hidden.public_id}`).expect(404);
    clock.advance(NOTIFICATION_DELAY_MINUTES.min * 60_000 - 1000);
    await deliverAll(context.app);
    expect(context.smtp.to(org.manager.email).find((m) => m.subject.includes(reference))).toBeUndefined();
    await deliver();
    expect(context.smtp.to(org.manager.email).find((m) => m.subject.includes(reference))).toBeDefined();
    const manager = await as(org.manager);
    const routed = await routedItemFor(reference);
    expect((await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/acknowledge`, {})).status).toBe(303);
    await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/reply`, { body: 'We will rotate the call times.' });

    const follow = agentFor(context.app);
    const opened = await postForm(follow, '/receipt', '/receipt', { code: code.toLowerCase().replace(/-/g, ' ') });
    expect(opened.status).toBe(200);
    expect(opened.text).toContain('We will rotate the call times.');
    expect(opened.text).toContain('Calls are always at 3am my time.');

    const replied = await postForm(follow, '/receipt', '/receipt/reply', { code, body: 'Thank you, that would help a lot.' });
    expect(replied.status).toBe(200);
    expect(replied.text).toContain('Your reply was sent.');
    await deliver();
    expect(context.smtp.to(org.manager.email).find((m) => m.subject === `The submitter replied (${reference})`)).toBeDefined();
    expect((await manager.get(`/inbox/${routed.public_id}`)).text).toContain('Thank you, that would help a lot.');
  });

  it('when a receipt code is wrong or belongs to another item, then it opens nothing else', async () => {
    const first = await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'First anonymous item.' });
    const second = await submitFeedback(agentFor(context.app), org.otherStaff.staffMemberId, { attribution: 'anonymous', comment: 'Second anonymous item.' });
    const visitor = agentFor(context.app);
    const one = await postForm(visitor, '/receipt', '/receipt', { code: receiptCodeFrom(first.res.text) });
    expect(one.text).toContain('First anonymous item.');
    expect(one.text).not.toContain('Second anonymous item.');
    const two = await postForm(visitor, '/receipt', '/receipt', { code: receiptCodeFrom(second.res.text) });
    expect(two.text).toContain('Second anonymous item.');
    const wrong = await postForm(agentFor(context.app), '/receipt', '/receipt', { code: '0000-0000-0000-0000-0000-0000-0000-0000' });
    expect(wrong.status).toBe(404);
    expect(wrong.text).toContain('No feedback has this receipt code.');
    const reply = await postForm(agentFor(context.app), '/receipt', '/receipt/reply', { code: '0000-0000-0000-0000-0000-0000-0000-0000', body: 'Sneaky.' });
    expect(reply.status).toBe(404);
  });

  it('when a second manager asks for the first manager\'s item, then it is not found, whatever the route', async () => {
    const { res } = await submitFeedback(await as(org.member), org.staff.staffMemberId, { comment: 'For the first manager only.' });
    const routed = await routedItemFor(referenceFrom(res.text));
    const other = await as(org.otherManager);
    await other.get(`/inbox/${routed.public_id}`).expect(404);
    await other.get(`/inbox/${routed.public_id}.json`).expect(404);
    for (const action of ['acknowledge', 'reply', 'forward', 'close']) {
      const attempt = await postForm(other, '/inbox', `/inbox/${routed.public_id}/${action}`, { body: 'Hijack', recipientEmail: org.otherManager.email });
      expect([403, 404]).toContain(attempt.status);
    }
    expect((await routedItemFor(referenceFrom(res.text))).status).toBe('received');
    expect((await other.get('/inbox')).text).not.toContain(referenceFrom(res.text));
    // Someone else's named item is not found from "my feedback" either.
    const stranger = agentFor(context.app);
    await signIn(stranger, org.hr.email, org.hr.password);
    await stranger.get(`/feedback/mine/${referenceFrom(res.text)}`).expect(404);
  });

  it('when an item is not yet answered, then it cannot be closed, and a submitter reply leaves it "received"', async () => {
    const member = await as(org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Not answered yet.' });
    const reference = referenceFrom(res.text);
    const routed = await routedItemFor(reference);
    const manager = await as(org.manager);
    const early = await postForm(manager, `/inbox/${routed.public_id}`, `/inbox/${routed.public_id}/close`, {});
    expect(early.status).toBe(409);
    expect(early.text).toContain('before closing the item');
    await postForm(member, `/feedback/mine/${reference}`, `/feedback/mine/${reference}/reply`, { body: 'One more thing.' });
    expect((await routedItemFor(reference)).status).toBe('received');
    expect((await manager.get(`/inbox/${routed.public_id}`)).text).toContain('Acknowledge');
  });

  it('when a recipient acknowledges the same item many times at once, then the history records it once', async () => {
    const { res } = await submitFeedback(await as(org.member), org.staff.staffMemberId, { comment: 'Acknowledge me once.' });
    const routed = await routedItemFor(referenceFrom(res.text));
    const manager = await as(org.manager);
    const token = (await manager.get(`/inbox/${routed.public_id}`)).text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const results = await Promise.all(Array.from({ length: 6 }, () => manager.post(`/inbox/${routed.public_id}/acknowledge`).type('form').send({ _csrf: token })));
    expect(results.map((r) => r.status)).toEqual([303, 303, 303, 303, 303, 303]);
    expect(await knex()('routed_item_events').where({ routed_item_id: routed.id, type: 'acknowledged' })).toHaveLength(1);
  });

  it('when the same form is sent twice, or five times at once, then one item is stored and each answer is the same', async () => {
    const count = () => knex()('feedback_items').count({ n: '*' }).first().then((r) => Number(r?.n));
    const before = await count();
    const member = await as(org.member);
    const { res, resend } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Sent twice by a double click.' });
    const again = await resend();
    expect(referenceFrom(again.text)).toBe(referenceFrom(res.text));
    expect(await count()).toBe(before + 1);
    // The resend met the unique submission key: its identity and e-mails were never written.
    const reference = referenceFrom(res.text);
    expect(await knex()('feedback_identities').where({ feedback_item_id: await feedbackItemIdOf(knex(), reference) }).pluck('account_id')).toHaveLength(1);
    expect(await knex()('outbox_messages').where('body_text', 'like', `%${reference}%`).orderBy('id').pluck('template')).toEqual(['feedback-routed', 'feedback-received']);

    const visitor = agentFor(context.app);
    const first = await submitFeedback(visitor, org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Anonymous, retried after a time-out.' });
    const retries = await Promise.all([first.resend(), first.resend(), first.resend(), first.resend()]);
    for (const retry of retries) {
      expect(retry.status).toBe(200);
      expect(receiptCodeFrom(retry.text)).toBe(receiptCodeFrom(first.res.text));
    }
    expect(await count()).toBe(before + 2);

    // Racing copies of a fresh form.
    const racer = agentFor(context.app);
    const form = await racer.get(`/feedback/new?staff=${org.staff.staffMemberId}`);
    const key = form.text.match(/name="submissionKey" value="([^"]+)"/)![1]!;
    const token = form.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const race = await Promise.all(
      Array.from({ length: 5 }, () =>
        racer.post('/feedback').type('form').send({ _csrf: token, staffMemberId: String(org.staff.staffMemberId), submissionKey: key, kind: 'concern', attribution: 'anonymous', comment: 'Five clicks.' }),
      ),
    );
    expect(race.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(race.map((r) => receiptCodeFrom(r.text))).size).toBe(1);
    expect(await count()).toBe(before + 3);
  });
});
