import en from '../../../server/platform/i18n/locales/en.json';
import { agentFor, deliverAll, manualClock, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';
import { linkIn } from '../../helpers/mail';
import { answerRequest, createCycle, openCycle, solicitPath } from '../../helpers/reviews';
import { formBody } from '../../helpers/surveys';
import { factories } from '../../factories';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

type Organisation = Awaited<ReturnType<typeof feedbackOrganisation>>;

const DAY = 86_400_000;
/**
 * The list of people asked, without its one general sentence about answers: anything else there
 * saying "answered", or "n of m", would be about someone.
 */
function requestsSection(html: string): string {
  const start = html.indexOf(`<h2>${en.reviews.solicit.requests}</h2>`);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</main>', start)).replace(en.reviews.solicit.answersPrivate, '');
}
/** The opaque handle of the suggestion shown as `name` (suggestions carry no address). */
function suggestionHandle(html: string, name: string): string {
  const match = html.match(new RegExp(`name="suggested" value="([A-Za-z0-9_-]{22})"[^>]*> ${name}</label>`));
  if (!match) throw new Error(`no suggestion for ${name}`);
  return match[1]!;
}
const suggestionList = (html: string) => html.match(/data-testid="suggestions">([\s\S]*?)<\/ul>/)?.[1] ?? '';
const REQUEST_SUBJECT = /^Your input on Staff Member \d+'s work, by 2026-12-06$/;

describe(`solicited input before a review (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;
  let org: Organisation;
  let cycleId: number;
  let path: string;
  const wg = { first: 'wg.first@community.test', second: 'wg.second@community.test' };
  let confidential: { email: string; password: string };
  const outsider = 'outsider@community.test';
  const links = new Map<string, string>();

  const as = (who: { email: string; password: string }) => signedIn(context.app, who);
  /** Posts the solicit form (repeated fields for ticked suggestions) with the page's CSRF token. */
  async function agentPost(agent: Agent, fields: Record<string, string | string[]>) {
    const page = await agent.get(path);
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    return agent.post(path).type('form').send(formBody({ deadlineOn: '2026-12-06', addresses: '', ...fields, _csrf: token }));
  }
  const requests = () => knex()('solicitation_requests').select('email', 'has_answered', 'reminders_sent', 'token_sealed', 'display_name').orderBy('id');

  beforeAll(async () => {
    org = await feedbackOrganisation(knex(), { email: 'named.member@community.test', displayName: 'Nadia Named' });
    const f = factories(knex());
    const group = await f.workingGroup({ name: 'EPDP Phase 9' });
    await f.supportStaff(group.id, org.staff.staffMemberId);
    await f.groupMember(group.id, { email: wg.first, displayName: 'Wanda First' });
    await f.groupMember(group.id, { email: wg.second, displayName: 'Walter Second' });
    confidential = await f.account({ roles: ['member'], email: 'confidential.member@community.test', displayName: 'Connie Confidential' });

    const named = await as(org.member);
    expect((await submitFeedback(named, org.staff.staffMemberId, { attribution: 'named', comment: 'Named, unsolicited.' })).res.status).toBe(200);
    expect((await submitFeedback(await as(confidential), org.staff.staffMemberId, { attribution: 'confidential', comment: 'Confidential.' })).res.status).toBe(200);
    expect((await submitFeedback(agentFor(context.app), org.staff.staffMemberId, { attribution: 'anonymous', comment: 'Anonymous.' })).res.status).toBe(200);

    const hr = await as(org.hr);
    cycleId = await createCycle(hr, { guidance: 'Ask people from several regions, not only friends.' });
    await openCycle(hr, cycleId);
    path = solicitPath(cycleId, org.staff.staffMemberId);
  });

  it('when a manager outside the chain, or the staff member, opens the solicit page, then it does not exist for them', async () => {
    await (await as(org.otherManager)).get(path).expect(404);
    await (await as(org.staff)).get(path).expect(403);
    await (await as(org.manager)).get(solicitPath(cycleId, org.otherStaff.staffMemberId)).expect(404);
    expect((await agentPost(await as(org.otherManager), { addresses: outsider })).status).toBe(404);
    expect(await requests()).toEqual([]);
  });

  it('when the manager, their executive or HR opens it, then HR guidance and the suggestions show: group members and named submitters, never confidential or anonymous ones', async () => {
    for (const who of [org.executive, org.hr]) await (await as(who)).get(path).expect(200);
    const page = await (await as(org.manager)).get(path).expect(200);
    expect(page.text).toContain('Ask people from several regions, not only friends.');
    for (const name of ['Wanda First', 'Walter Second', 'Nadia Named']) expect(suggestionHandle(page.text, name)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // By name only: the manager never sees the address of a named submitter or a group member.
    for (const address of [wg.first, wg.second, 'named.member@community.test']) expect(page.text).not.toContain(address);
    expect(page.text).toContain('EPDP Phase 9');
    expect(page.text).not.toContain('confidential.member@community.test');
    expect(page.text).not.toContain('Connie Confidential');
    expect(page.text).toContain('value="2026-12-06"');
  });

  it('when named feedback went to someone other than the manager, then the manager is not told its author gave it, and HR is', async () => {
    const f = factories(knex());
    const escalating = await f.account({ roles: ['member'], email: 'escalating.member@community.test', displayName: 'Esther Escalating' });
    const sent = await submitFeedback(await as(escalating), org.staff.staffMemberId, { attribution: 'named', kind: 'concern', comment: 'Named, escalated.', escalate: 'yes' });
    expect(sent.res.status).toBe(200);
    const routed = await knex()('routed_items as r').join('feedback_items as i', 'i.id', 'r.feedback_item_id').where('i.comment', 'Named, escalated.').first('r.recipient_staff_member_id');
    expect(Number(routed.recipient_staff_member_id)).not.toBe(org.manager.staffMemberId);

    const managerPage = await (await as(org.manager)).get(path).expect(200);
    expect(managerPage.text).not.toContain('escalating.member@community.test');
    expect(managerPage.text).not.toContain('Esther Escalating');
    const hrPage = await (await as(org.hr)).get(path).expect(200);
    expect(suggestionHandle(hrPage.text, 'Esther Escalating')).toBeTruthy();
    expect(hrPage.text).not.toContain('escalating.member@community.test');
  });

  it('when the deadline is today or after the review window, or nobody is chosen, then the form says so and nothing is sent', async () => {
    const manager = await as(org.manager);
    const today = await agentPost(manager, { addresses: outsider, deadlineOn: '2026-11-22' });
    expect(today.status).toBe(422);
    expect(today.text).toContain('The deadline must be after today.');
    expect(today.text).toContain(outsider);
    const late = await agentPost(manager, { addresses: outsider, deadlineOn: '2027-02-01' });
    expect(late.status).toBe(422);
    expect(late.text).toContain('The deadline must not be after the end of the review window.');
    const nobody = await agentPost(manager, {});
    expect(nobody.status).toBe(422);
    expect(nobody.text).toContain('Tick a suggestion or enter at least one e-mail address.');
    const bad = await agentPost(manager, { addresses: 'not an address' });
    expect(bad.status).toBe(422);
    expect(await requests()).toEqual([]);
  });

  it('when the manager asks chosen and typed addresses, then each gets one e-mail through SMTP with its own link, and asking again adds nobody twice', async () => {
    const manager = await as(org.manager);
    const managerPage = (await manager.get(path)).text;
    // The executive opens the page at the same time, and ticks the same person after the manager sent.
    const executive = await as(org.executive);
    const executiveHandle = suggestionHandle((await executive.get(path)).text, 'Wanda First');
    expect(executiveHandle).not.toBe(suggestionHandle(managerPage, 'Wanda First'));
    const res = await agentPost(manager, { suggested: [suggestionHandle(managerPage, 'Wanda First'), suggestionHandle(managerPage, 'Nadia Named')], addresses: `${outsider}\nOutsider@Community.test, ${wg.first}` });
    expect(res.status).toBe(303);
    expect(await deliverAll(context.app)).toBeGreaterThanOrEqual(3);
    for (const address of [wg.first, 'named.member@community.test', outsider]) {
      const mails = context.smtp.to(address).filter((m) => REQUEST_SUBJECT.test(m.subject));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.text).toContain(org.staff.member.name);
      links.set(address, new URL(linkIn(mails[0]!, 'http://accountable.test/feedback/requested/')).pathname);
    }
    expect(new Set(links.values()).size).toBe(3);
    expect(context.smtp.to(wg.second)).toEqual([]);

    const again = await agentPost(executive, { suggested: [executiveHandle], addresses: outsider });
    expect(again.status).toBe(303);
    expect(await requests()).toHaveLength(3);
    const page = await manager.get(path).expect(200);
    expect(page.text).toContain('Wanda First');
    expect(suggestionList(page.text)).not.toContain('Wanda First');
    // Those asked from a suggestion are listed by name, without the address the manager never had.
    expect(page.text).not.toContain(wg.first);
    expect(page.text).not.toContain('named.member@community.test');
    // Three asked, fewer than the minimum: the page suggests asking more.
    expect(page.text).toContain('3 asked so far. Ask at least 5 people');
    // Neither who answered nor how many is shown.
    expect(page.text).toContain('Who has answered, and how many, is not shown');
    expect(requestsSection(page.text)).not.toMatch(/\d+ of \d+|\banswered\b/i);

    const audit = await knex()('audit_events').select('detail').where({ action: 'review.solicitation.request' }).orderBy('id');
    expect(audit.map((a) => JSON.parse(a.detail))).toEqual([
      { cycleId, requested: 3, skipped: 0 },
      { cycleId, requested: 0, skipped: 2 },
    ]);
    expect(JSON.stringify(audit)).not.toContain('@');
  });

  it('when a handle is sent by another reader, or is not a handle at all, then the form refuses it and nobody is asked', async () => {
    const before = await requests();
    const managerHandle = suggestionHandle((await (await as(org.manager)).get(path)).text, 'Walter Second');
    const stolen = await agentPost(await as(org.executive), { suggested: [managerHandle] });
    expect(stolen.status).toBe(422);
    expect(stolen.text).toContain('One of the ticked suggestions is no longer on offer.');
    const address = await agentPost(await as(org.manager), { suggested: [wg.second] });
    expect(address.status).toBe(422);
    expect(await requests()).toEqual(before);
  });

  it('when a signed-in member answers named and an outsider answers anonymously through their links, then both items arrive about the right staff member, only the named one marked solicited, and both requests are answered', async () => {
    const named = await as(org.member);
    const form = await named.get(links.get('named.member@community.test')!).expect(200);
    expect(form.text).toContain(`Feedback about ${org.staff.member.name}`);
    expect(form.text).toContain('name="solicitation"');
    const namedAnswer = await answerRequest(named, links.get('named.member@community.test')!, { attribution: 'named', comment: 'Solicited and named.' });
    expect(namedAnswer.res.status).toBe(200);

    const anonymous = agentFor(context.app);
    const anonymousForm = await anonymous.get(links.get(outsider)!).expect(200);
    expect(anonymousForm.text).toMatch(/value="named"[^>]*disabled/);
    const anonymousAnswer = await answerRequest(anonymous, links.get(outsider)!, { attribution: 'anonymous', comment: 'Solicited and anonymous.' });
    expect(anonymousAnswer.res.status).toBe(200);
    expect(anonymousAnswer.res.text).toContain('data-testid="receipt-code"');

    const items = await knex()('feedback_items').select('staff_member_id', 'attribution', 'solicited', 'comment').orderBy('id');
    const answers = items.filter((i) => String(i.comment).startsWith('Solicited and'));
    // The anonymous answer carries no mark: beside the list of people asked, it would narrow the author.
    expect(answers.map((i) => [i.comment, i.attribution, Number(i.staff_member_id), Boolean(i.solicited)])).toEqual([
      ['Solicited and named.', 'named', org.staff.staffMemberId, true],
      ['Solicited and anonymous.', 'anonymous', org.staff.staffMemberId, false],
    ]);
    expect(items.filter((i) => Boolean(i.solicited))).toHaveLength(1);
    const rows = await requests();
    expect(rows.filter((r) => Boolean(r.has_answered)).map((r) => r.email).sort()).toEqual(['named.member@community.test', outsider]);

    // A double click of the same form stores one item and answers the same.
    expect((await anonymousAnswer.send()).status).toBe(200);
    expect(await knex()('feedback_items').count({ n: '*' }).first()).toMatchObject({ n: items.length });
  });

  it('when the manager opens the packet, then both answers are in it, the named one with its author and the solicited mark, the anonymous one with neither', async () => {
    // The anonymous answer shows once its notification delay has passed.
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const page = await (await as(org.manager)).get(`/reviews/${cycleId}/packets/${org.staff.staffMemberId}`).expect(200);
    const comments = [...page.text.matchAll(/<article[^>]*data-testid="packet-comment">([\s\S]*?)<\/article>/g)].map(([, c]) => ({
      meta: c!.match(/class="thread__meta">([\s\S]*?)<\/p>/)![1]!,
      body: c!.match(/class="thread__body">([\s\S]*?)<\/p>/)![1]!,
    }));
    const named = comments.find((c) => c.body === 'Solicited and named.')!;
    expect(named.meta).toContain('Nadia Named');
    expect(named.meta).toContain('solicited');
    const anonymous = comments.find((c) => c.body === 'Solicited and anonymous.')!;
    expect(anonymous.meta).not.toContain('solicited');
    expect(anonymous.meta).toMatch(/Anonymous/);
    expect(page.text).not.toContain(outsider);
  });

  it('when a used link is opened or sent again, then it is refused clearly and what was typed is kept', async () => {
    const anonymous = agentFor(context.app);
    const page = await anonymous.get(links.get(outsider)!).expect(200);
    expect(page.text).toContain('this link has already been used');
    expect(page.text).not.toContain('name="comment"');

    // A form opened before the link was used, sent after.
    const first = await anonymous.get(links.get(wg.first)!).expect(200);
    const token = links.get(outsider)!.split('/').pop()!;
    const staffMemberId = String(org.staff.staffMemberId);
    const submissionKey = first.text.match(/name="submissionKey" value="([^"]+)"/)![1]!;
    const csrf = first.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const again = await anonymous.post('/feedback').type('form').send({ _csrf: csrf, staffMemberId, submissionKey, solicitation: token, kind: 'concern', attribution: 'anonymous', comment: 'Typed twice, kept.' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('This request link has already been used or has expired');
    expect(again.text).toContain('Typed twice, kept.');
    expect(again.text).not.toContain(`value="${token}"`);
    expect(await knex()('feedback_items').where({ solicited: true }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect(await knex()('feedback_items').where({ comment: 'Typed twice, kept.' }).first()).toBeUndefined();
  });

  it('when the schema is read, then nothing joins a solicited item to its request: no request id on items, no item id on requests', async () => {
    const itemColumns = Object.keys(await knex()('feedback_items').columnInfo());
    const requestColumns = Object.keys(await knex()('solicitation_requests').columnInfo());
    expect(itemColumns).toContain('solicited');
    expect(itemColumns.filter((c) => /solicitation|request_id|token/.test(c))).toEqual([]);
    expect(requestColumns.filter((c) => /feedback|item|answered_at|reference/.test(c))).toEqual([]);
    expect(requestColumns.sort()).toEqual(
      ['created_at', 'cycle_id', 'deadline_at', 'display_name', 'email', 'has_answered', 'id', 'reminders_sent', 'requested_by_account_id', 'staff_member_id', 'token_hash', 'token_sealed'].sort(),
    );
    // Nor does any other table hold a feedback item id beside a request id.
    const tables = testDialect === 'sqlite'
      ? (await knex().raw("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r: { name: string }) => r.name)
      : (await knex().raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0]);
    for (const table of tables as string[]) {
      const columns = Object.keys(await knex()(table).columnInfo());
      expect([table, columns.some((c) => /solicitation/.test(c)) && columns.some((c) => /feedback_item/.test(c))]).toEqual([table, false]);
    }
    const log = context.app.logLines.join('\n');
    expect(log).toContain('/feedback/requested/[token]');
    expect(log).not.toMatch(/\/feedback\/requested\/[A-Za-z0-9_-]{43}/);
  });

  it('when three days remain before the deadline, then only those who have not answered get one reminder, once', async () => {
    clock.advance(Date.parse('2026-12-04T00:00:00Z') - clock.now() - 1);
    expect(await context.app.services.solicitations.sendDueReminders()).toBe(0);
    clock.advance(2);
    expect(await context.app.services.solicitations.sendDueReminders()).toBe(1);
    expect(await context.app.services.solicitations.sendDueReminders()).toBe(0);
    await deliverAll(context.app);
    const reminders = context.smtp.received.filter((m) => m.subject.startsWith('Reminder: your input on'));
    expect(reminders.map((m) => m.to[0])).toEqual([wg.first]);
    expect(linkIn(reminders[0]!, 'http://accountable.test/feedback/requested/')).toContain(links.get(wg.first)!);
    clock.advance(DAY);
    await context.app.services.solicitations.sweep();
    await deliverAll(context.app);
    expect(context.smtp.received.filter((m) => m.subject.startsWith('Reminder: your input on'))).toHaveLength(1);
  });

  it('when the deadline passes, then addresses and sealed links are erased and the link answers 410', async () => {
    clock.advance(Date.parse('2026-12-07T00:00:00Z') - clock.now());
    const { forgotten } = await context.app.services.solicitations.sweep();
    expect(forgotten).toBe(3);
    expect((await requests()).map((r) => [r.email, r.token_sealed, r.display_name])).toEqual([
      [null, '', ''],
      [null, '', ''],
      [null, '', ''],
    ]);
    await agentFor(context.app).get(links.get(wg.first)!).expect(410);
    await agentFor(context.app).get(links.get(outsider)!).expect(200);
    await agentFor(context.app).get(`/feedback/requested/${'A'.repeat(43)}`).expect(404);
    await agentFor(context.app).get('/feedback/requested/short').expect(404);
    const page = await (await as(org.manager)).get(path).expect(200);
    expect(page.text).not.toContain(outsider);
    expect(page.text).toContain('Who has answered, and how many, is not shown');
  });

  it('when several people were asked and one answers, then the manager sees neither who nor how many answered', async () => {
    const otherPath = solicitPath(cycleId, org.otherStaff.staffMemberId);
    const manager = await as(org.otherManager);
    const page = await manager.get(otherPath);
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const asked = ['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => `${n}@community.test`);
    const sent = await manager.post(otherPath).type('form').send(formBody({ deadlineOn: '2027-01-15', addresses: asked.join('\n'), _csrf: token }));
    expect(sent.status).toBe(303);
    await deliverAll(context.app);
    const link = linkIn(context.smtp.to('a3@community.test').at(-1)!, 'http');
    const { res } = await answerRequest(agentFor(context.app), new URL(link).pathname, { attribution: 'anonymous', comment: 'Answered anonymously.' });
    expect(res.status).toBe(200);
    const answered = await knex()('solicitation_requests').select('email', 'has_answered').whereIn('email', asked).orderBy('email');
    expect(answered.map((r) => [r.email, Boolean(r.has_answered)])).toEqual(asked.map((a) => [a, a === 'a3@community.test']));

    const after = await manager.get(otherPath).expect(200);
    expect(after.text).toContain('Who has answered, and how many, is not shown');
    // Five asked: no more nudging.
    expect(page.text).toContain('data-testid="few-asked"');
    expect(after.text).not.toContain('data-testid="few-asked"');
    expect(requestsSection(after.text)).not.toMatch(/\d+ of \d+|\banswered\b/i);
    // The person who answered has the same row as those who did not: only the address differs.
    const table = after.text.match(/<table class="table" data-testid="requests">([\s\S]*?)<\/table>/)![1]!;
    expect([...table.matchAll(/<th scope="col">/g)]).toHaveLength(2);
    const rows = [...table.matchAll(/<tr><td>([\s\S]*?)<\/tr>/g)].map(([row]) => row!);
    expect(rows).toHaveLength(asked.length);
    const shape = (row: string) => row.replace(/a\d@community\.test/, 'ADDRESS');
    expect(new Set(rows.map(shape)).size).toBe(1);
  });
});
