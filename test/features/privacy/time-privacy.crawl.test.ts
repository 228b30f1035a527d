import type { Knex } from 'knex';
import { agentFor, createTestApp, deliverAll, manualClock, postForm, signedIn, type Agent, type TestApp } from '../../helpers/app';
import { crawl, emailReadouts, leaksIn, type HiddenInput, type Readout } from '../../helpers/crawl';
import { createTestDatabase, testDialect } from '../../helpers/database';
import { referenceFrom, submitFeedback } from '../../helpers/feedback';
import { startSmtpServer } from '../../helpers/mail';
import { reviewCycle, reviewOrganisation } from '../../helpers/reviews';

/**
 * The time-privacy rule, end to end: an anonymous and a confidential item sent at distinctive
 * minutes, and a confidential submitter's reply, read by everyone who may read them without unseal
 * rights (the manager who receives them, the executive above, the staff member concerned, HR),
 * through every page they reach, JSON answers, exports, PDFs and e-mails. The same crawl with the
 * presenter replaced by a pass-through finds the leaks, so the crawl can see them.
 */

/**
 * The presenter as the app sees it: itself, or (with `bypass`) a pass-through that shows exact
 * times, starts clocks at the send time, shows everything at once and sorts by the exact time.
 */
const mockPresenter = { bypass: false };
jest.mock('../../../server/platform/privacy/times', () => {
  const actual = jest.requireActual('../../../server/platform/privacy/times');
  const exact = (moment: number) => new Date(moment).toISOString();
  const passThrough: Record<string, unknown> = {
    inputTimes: () => ({ moment: exact, due: (moment: number | null) => (moment === null ? null : exact(moment)) }),
    clockStartOf: (_attribution: string, moment: number) => moment,
    measuredFromOf: (_attribution: string, moment: number) => moment,
    isVisible: () => true,
    whereVisible: (query: Knex.QueryBuilder) => query,
    whereFeedbackVisible: (query: Knex.QueryBuilder) => query,
    orderByDayThenRandom: (query: Knex.QueryBuilder, timeColumn: string) => query.orderBy(timeColumn, 'desc'),
    // The inbox's stored day (`received_day`) gives way to the exact time it is cut from (`received_at`).
    orderByStoredDayThenRandom: (query: Knex.QueryBuilder, dayColumn: string, _random: string, reversed = false) => query.orderBy(dayColumn.replace(/_day$/, '_at'), reversed ? 'asc' : 'desc'),
  };
  return new Proxy(actual, { get: (target, key: string) => (mockPresenter.bypass && key in passThrough ? passThrough[key] : target[key]) });
});

const ZONE = 'America/Los_Angeles';
// The last minutes of 2026-H2 (a Thursday, 15:48 in Los Angeles): minutes after them the period is
// over, while both items are still held back.
const ANONYMOUS_AT = Date.parse('2026-12-31T23:48:37.218Z');
const CONFIDENTIAL_AT = Date.parse('2026-12-31T23:53:19.634Z');
const BEFORE_DELAY = Date.parse('2027-01-01T00:01:30Z');
const REPLY_AT = Date.parse('2027-01-01T03:26:51.907Z');
const FINAL = Date.parse('2027-01-08T10:05:00Z');
const NAMED_ITEMS = 5;

/** Sequential ids start at distinctive values, so one found in any output is unmistakable. */
async function distinctiveIds(knex: Knex) {
  const starts: Record<string, number> = { feedback_items: 48_210, routed_items: 57_310, routed_item_events: 66_410, packet_flags: 75_510 };
  for (const [table, start] of Object.entries(starts)) {
    if (testDialect === 'mysql') await knex.raw(`ALTER TABLE ?? AUTO_INCREMENT = ${start}`, [table]);
    else if ((await knex('sqlite_sequence').where({ name: table }).update({ seq: start })) === 0) await knex('sqlite_sequence').insert({ name: table, seq: start });
  }
}

interface Outcome {
  /** What the crawls found of the items before their notification delay. */
  readonly early: string[];
  /** Times finer than the day, and sequential ids, after it. */
  readonly leaks: string[];
  /** What the final crawl saw, per reader: the proof that it reached the items. */
  readonly seen: Record<string, string>;
  /** The confidential item's status for its recipient while the answer is held back, and after. */
  readonly status: { readonly held: string; readonly after: string };
}

async function scenario(): Promise<Outcome> {
  const database = await createTestDatabase();
  const smtp = await startSmtpServer();
  const clock = manualClock(Date.parse('2026-12-01T10:00:00Z'));
  const at = (moment: number) => clock.advance(moment - clock.now());
  try {
    const knex = database.db.knex;
    await distinctiveIds(knex);
    const app: TestApp = await createTestApp({ db: database.db, clock, mailTransport: smtp.transport });
    const org = await reviewOrganisation(knex);
    const cycleId = await reviewCycle(knex, '2026-H2', { staffSeeUnreviewed: true });
    const member = await signedIn(app, org.member);
    const subject = org.s1.staffMemberId;

    // Named items are counted and timed as usual; with them, the packet's figures can be shown.
    for (let day = 1; day <= NAMED_ITEMS; day++) {
      at(Date.parse(`2026-12-0${day}T10:00:00Z`));
      await submitFeedback(member, subject, { attribution: 'named', comment: `Named note ${day}.` });
    }
    at(ANONYMOUS_AT);
    const anonymous = await submitFeedback(agentFor(app), subject, { attribution: 'anonymous', kind: 'concern', comment: 'Unsigned ANON-SECRET remark.' });
    at(CONFIDENTIAL_AT);
    const confidential = await submitFeedback(member, subject, { attribution: 'confidential', kind: 'concern', comment: 'Sealed CONF-SECRET remark.' });
    const references = [referenceFrom(anonymous.res.text), referenceFrom(confidential.res.text)];
    const routed = async (reference: string) => knex('routed_items as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').where('f.reference', reference).first('r.id', 'r.public_id', 'r.feedback_item_id');
    const [anonymousItem, confidentialItem] = await Promise.all(references.map(routed));

    const readers: Record<string, Agent> = {
      manager: await signedIn(app, org.m1),
      executive: await signedIn(app, org.executive),
      staff: await signedIn(app, org.s1),
      hr: await signedIn(app, org.hr),
    };
    const addresses = [org.m1.email, org.executive.email, org.s1.email, org.hr.email];
    const START = ['/', '/inbox', '/reviews', `/reviews/${cycleId}/packets/${subject}`, '/feedback/items', '/feedback/about-me', '/audit'];
    const itemJson = [anonymousItem, confidentialItem].map((i) => `/inbox/${i.public_id}.json`);
    const itemPages = [anonymousItem, confidentialItem].map((i) => `/inbox/${i.public_id}`);
    const extras = [...itemPages, ...itemJson, '/inbox.json', '/service-levels.json', `/reviews/${cycleId}/packets/${subject}.pdf`, '/audit.csv', '/audit.xlsx'];
    const crawlAll = async (extra: Record<string, string[]> = {}): Promise<Record<string, Readout[]>> => {
      const out: Record<string, Readout[]> = {};
      for (const [name, agent] of Object.entries(readers)) out[name] = await crawl(agent, START, [...extras, ...(extra[name] ?? [])]);
      await deliverAll(app);
      return { ...out, emails: emailReadouts(smtp.received.filter((m) => m.to.some((to) => addresses.includes(to)))) };
    };
    const traces = (readouts: Readout[], secrets: string[]) => readouts.flatMap(({ where, text }) => secrets.filter((s) => text.includes(s)).map((s) => `${where}: ${s}`));

    // Before the notification delay: the period is over, but neither item shows anywhere, not even in a count.
    at(BEFORE_DELAY);
    const before = await crawlAll();
    const early = traces(Object.values(before).flat(), ['ANON-SECRET', 'CONF-SECRET', ...references]);
    const total = before.manager!.find((r) => r.where === `GET /reviews/${cycleId}/packets/${subject}`)?.text.match(/data-figure="total">(\d+)</)?.[1];
    // Figures wait until every input of the period shows; if shown, they count the named items only.
    if (total !== undefined && total !== String(NAMED_ITEMS)) early.push(`packet total ${total} before the delay`);

    // The manager asks the confidential submitter a question; the answer waits for its own delay.
    at(Date.parse('2027-01-01T02:00:00Z'));
    const ask = await postForm(readers.manager!, `/inbox/${confidentialItem.public_id}`, `/inbox/${confidentialItem.public_id}/reply`, { body: 'Could you say more?', askSubmitter: 'yes' });
    if (ask.status !== 303) throw new Error(`asking the submitter answered ${ask.status}`);
    at(REPLY_AT);
    const reply = await postForm(member, `/feedback/mine/${references[1]}`, `/feedback/mine/${references[1]}/reply`, { body: 'More REPLY-SECRET detail.' });
    if (reply.status !== 303) throw new Error(`the submitter's reply answered ${reply.status}`);
    at(REPLY_AT + 4 * 60_000);
    await app.services.escalation.runOnce();
    early.push(...traces(await crawl(readers.manager!, [`/inbox/${confidentialItem.public_id}`], itemJson), ['REPLY-SECRET']));
    const statusOf = async () => (await readers.hr!.get(`/inbox/${confidentialItem.public_id}.json`)).body.status as string;
    const held = await statusOf();

    // A week on: escalation e-mails have gone out, the period's figures are final, HR exports the cycle.
    at(FINAL);
    await app.services.escalation.runOnce();
    const packetPath = `/reviews/${cycleId}/packets/${subject}`;
    const flagged = await postForm(readers.manager!, packetPath, `${packetPath}/flags/${references[0]}`, { note: 'Follow up' });
    if (flagged.status !== 303) throw new Error(`flagging answered ${flagged.status}`);
    const downloads: string[] = [];
    for (const format of ['csv', 'xlsx']) {
      const res = await postForm(readers.hr!, `/reviews/${cycleId}/progress`, `/reviews/${cycleId}/exports`, { format });
      downloads.push(`${res.headers.location}/download`);
    }
    while ((await app.services.exports.runOnce()) > 0);
    const after = await crawlAll({ hr: downloads });

    const ids = async (item: { id: number; feedback_item_id: number }) => [
      item.id,
      item.feedback_item_id,
      ...(await knex('routed_item_events').where({ routed_item_id: item.id }).pluck('id')),
      ...(await knex('packet_flags').where({ feedback_item_id: item.feedback_item_id }).pluck('id')),
    ].map(Number);
    const moments = async (item: { id: number }, sent: number[]) => {
      const row = await knex('routed_items').where({ id: item.id }).first('visible_at', 'acknowledge_due_at', 'respond_due_at');
      const events = await knex('routed_item_events').where({ routed_item_id: item.id, type: 'submitter_replied' }).pluck('visible_at');
      return [...sent, ...[row.visible_at, row.acknowledge_due_at, row.respond_due_at, ...events].map(Number)];
    };
    const hidden: HiddenInput[] = [
      { label: 'anonymous item', moments: await moments(anonymousItem, [ANONYMOUS_AT]), ids: await ids(anonymousItem) },
      { label: 'confidential item', moments: await moments(confidentialItem, [CONFIDENTIAL_AT, REPLY_AT]), ids: await ids(confidentialItem) },
    ];
    const everything = Object.values(after).flat();
    return {
      status: { held, after: await statusOf() },
      early,
      leaks: leaksIn(everything, hidden, ZONE),
      seen: Object.fromEntries(Object.entries(after).map(([name, readouts]) => [name, readouts.map((r) => r.text).join('\n')])),
    };
  } finally {
    await smtp.close();
    await database.destroy();
  }
}

describe('time privacy: a crawl of everything the readers of unattributed items can reach', () => {
  it('when every page, JSON answer, export, PDF and e-mail is read, then nothing tells a time finer than the day, a sequential id, or anything before the delay', async () => {
    const outcome = await scenario();
    expect(outcome.early).toEqual([]);
    expect(outcome.leaks).toEqual([]);
    // The crawl did reach the items: the manager read them, HR the reply too, the executive the
    // comments in the packet, the staff member their packet's figures.
    expect(outcome.seen.manager).toEqual(expect.stringContaining('ANON-SECRET'));
    expect(outcome.seen.hr).toEqual(expect.stringContaining('REPLY-SECRET'));
    expect(outcome.seen.hr).toEqual(expect.stringContaining('CONF-SECRET'));
    expect(outcome.seen.executive).toEqual(expect.stringContaining('CONF-SECRET'));
    expect(outcome.seen.staff).toMatch(new RegExp(`data-figure="total">${NAMED_ITEMS + 2}<`));
    expect(outcome.seen.emails).toEqual(expect.stringContaining('/inbox/'));
    // The held-back answer changed nothing the recipient could see until it showed.
    expect(outcome.status).toEqual({ held: 'waiting_on_submitter', after: 'in_progress' });
  }, 60_000);

  it('when the presenter is replaced by a pass-through, then the same crawl reports the leaks', async () => {
    mockPresenter.bypass = true;
    try {
      const outcome = await scenario();
      expect(outcome.early).toEqual(expect.arrayContaining([expect.stringContaining('ANON-SECRET'), expect.stringContaining('REPLY-SECRET')]));
      expect(outcome.leaks).toEqual(expect.arrayContaining([expect.stringMatching(/anonymous item at 23:48/), expect.stringMatching(/confidential item at 23:53/)]));
    } finally {
      mockPresenter.bypass = false;
    }
  }, 60_000);
});
