import { agentFor, deliverAll, manualClock, postForm, signIn, useTestApp, type Agent } from '../../helpers/app';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';
import { feedbackItemIdOf, feedbackOrganisation, receiptCodeFrom, referenceFrom, submitFeedback } from '../../helpers/feedback';

const NAME = 'Zebulon Quixotic-Marchbanks';
const EMAIL = 'zebulon.quixotic@distinct-submitter.test';
const TELLTALES = ['Zebulon', 'Quixotic', 'Marchbanks', 'zebulon.quixotic', 'distinct-submitter'];

/** Follows every same-site link from the start pages, as far as the signed-in visitor can go. */
async function crawl(agent: Agent, starts: string[], limit = 400): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = [...starts];
  while (queue.length > 0 && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const res = await agent.get(path);
    const body = res.headers['content-type']?.includes('json') ? JSON.stringify(res.body) : res.text;
    seen.set(path, `${res.status} ${JSON.stringify(res.headers)}\n${body}`);
    if (res.status !== 200 || !res.headers['content-type']?.includes('html')) continue;
    for (const match of res.text.matchAll(/href="(\/[^"#]*)"/g)) {
      const link = match[1]!.replace(/&amp;/g, '&');
      if (!link.startsWith('/public/') && !link.startsWith('/vendor/') && !seen.has(link)) queue.push(link);
    }
  }
  return seen;
}

describe('no identity leaks to managers and executives', () => {
  const clock = manualClock(Date.now());
  const context = useTestApp({ smtp: true, clock });

  it('when confidential and anonymous feedback has been given and answered, then no page, JSON, e-mail or log line a manager or executive can reach names the submitter', async () => {
    const knex = context.database.db.knex;
    const org = await feedbackOrganisation(knex, { email: EMAIL, displayName: NAME });
    const submitter = agentFor(context.app);
    await signIn(submitter, org.member.email, org.member.password);

    // Confidential and anonymous (while signed in) items reaching the manager and, one level up, the executive.
    const items = [
      await submitFeedback(submitter, org.staff.staffMemberId, { attribution: 'confidential', kind: 'concern', comment: 'Confidential about staff.' }),
      await submitFeedback(submitter, org.staff.staffMemberId, { attribution: 'anonymous', kind: 'concern', comment: 'Anonymous about staff.' }),
      await submitFeedback(submitter, org.manager.staffMemberId, { attribution: 'confidential', kind: 'suggestion', comment: 'Confidential about the manager.' }),
      await submitFeedback(submitter, org.staff.staffMemberId, { attribution: 'anonymous', kind: 'appreciation', comment: 'Anonymous, escalated.', escalate: 'yes' }),
    ];
    for (const { res } of items) expect(res.status).toBe(200);
    const anonymousFeedbackId = await feedbackItemIdOf(knex, referenceFrom(items[1]!.res.text));
    expect(await knex('feedback_identities').where({ feedback_item_id: anonymousFeedbackId }).first()).toBeUndefined();

    // The recipients work their items once they have appeared, and the submitter answers back on both channels.
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const manager = agentFor(context.app);
    await signIn(manager, org.manager.email, org.manager.password);
    const executive = agentFor(context.app);
    await signIn(executive, org.executive.email, org.executive.password);
    for (const [agent, staffMemberId] of [
      [manager, org.manager.staffMemberId],
      [executive, org.executive.staffMemberId],
    ] as const) {
      const routed = await knex('routed_items').where({ recipient_staff_member_id: staffMemberId });
      expect(routed.length).toBeGreaterThanOrEqual(1);
      for (const item of routed) {
        await postForm(agent, `/inbox/${item.public_id}`, `/inbox/${item.public_id}/acknowledge`, {});
        await postForm(agent, `/inbox/${item.public_id}`, `/inbox/${item.public_id}/reply`, { body: 'Could you tell us more?', askSubmitter: 'yes' });
      }
    }
    const confidentialReference = referenceFrom(items[0]!.res.text);
    await postForm(submitter, `/feedback/mine/${confidentialReference}`, `/feedback/mine/${confidentialReference}/reply`, { body: 'More detail from me.' });
    const follower = agentFor(context.app);
    await postForm(follower, '/receipt', '/receipt/reply', { code: receiptCodeFrom(items[1]!.res.text), body: 'More detail, anonymously.' });
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    await deliverAll(context.app);

    const reached: string[] = [];
    for (const [agent, staffMemberId] of [
      [manager, org.manager.staffMemberId],
      [executive, org.executive.staffMemberId],
    ] as const) {
      const routed = await knex('routed_items').where({ recipient_staff_member_id: staffMemberId });
      const json = [...routed.flatMap((r) => [`/inbox/${r.public_id}.json`, `/inbox/${r.public_id}`]), '/inbox.json', '/inbox.json?status=in_progress'];
      // Unattributed items show dates, not times, in JSON as on the page.
      for (const r of routed) expect((await agent.get(`/inbox/${r.public_id}.json`)).body.history.every((h: { at: string }) => /^\d{4}-\d{2}-\d{2}$/.test(h.at))).toBe(true);
      const pages = await crawl(agent, ['/', '/inbox', '/directory', '/team', '/feedback/about-me', '/account', ...json]);
      expect([...pages.keys()]).toEqual(expect.arrayContaining(json));
      expect(pages.size).toBeGreaterThan(20);
      reached.push(...pages.values());
      // The pages must carry the content, or the check would prove nothing.
      expect([...pages.values()].join('\n')).toContain(staffMemberId === org.manager.staffMemberId ? 'Confidential about staff.' : 'Confidential about the manager.');
    }
    const mails = [...context.smtp.to(org.manager.email), ...context.smtp.to(org.executive.email)];
    expect(mails.length).toBeGreaterThanOrEqual(6);
    reached.push(...mails.map((m) => `${m.subject}\n${m.text}\n${m.html}`));
    reached.push(...context.app.logLines);

    const everything = reached.join('\n');
    for (const telltale of TELLTALES) expect(everything).not.toContain(telltale);
    // The submitter's own e-mails do carry the name and address, so the check above is not vacuous.
    expect(context.smtp.to(EMAIL).length).toBeGreaterThan(0);
    expect((await submitter.get('/account')).text).toContain(NAME);
  });
});
