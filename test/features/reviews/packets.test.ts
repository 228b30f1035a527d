import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { manualClock, postForm, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';
import { pdfToText } from '../../helpers/pdf';
import { binaryBody } from '../../helpers/http';
import { expectedFigures } from '../../helpers/figures';
import { factories } from '../../factories';
import { NOTIFICATION_DELAY_MINUTES } from '../../../server/features/routing/inbox.service';

// The seeded data set: scores per staff member, cycle and dimension. The test works out every
// expected figure from these arrays on its own.
const DATA = {
  H1: {
    s1: { listening: [5, 4, 4, 3, 5, 2, 4, 5], consensus: [3, 3, 4, 5, 2, 4] },
    s2: { listening: [2, 3, 3, 4, 1, 5], consensus: [4, 4, 4, 3, 3, 5] },
    s3: { listening: [5, 5, 4, 4, 3, 5, 4], consensus: [3, 4] },
    s4: { listening: [1, 2], consensus: [] },
    s5: { listening: [2, 3], consensus: [] },
  },
  H2: {
    s1: { listening: [4, 5, 5, 4, 3], consensus: [] },
    s2: { listening: [3, 3, 4, 2, 5], consensus: [] },
    s3: { listening: [], consensus: [] },
    s4: { listening: [], consensus: [] },
    s5: { listening: [], consensus: [] },
  },
} as const;
type StaffKey = keyof (typeof DATA)['H1'];
// Ratings of s1 while 2027-H1 still runs.
const RUNNING = Array.from({ length: 6 }, () => 4);

function expected(scores: readonly number[]) {
  const figures = expectedFigures(scores);
  return { ...figures, distribution: figures.distribution.map((n, i) => `${i + 1}: ${n}`).join(' · ') };
}

/** The figures of one dimension's row in a packet page. */
function rowOf(html: string, dimension: string) {
  const start = html.indexOf(`data-dimension="${dimension}"`);
  const row = html.slice(start, html.indexOf('</tr>', start));
  const figure = (name: string) => row.match(new RegExp(`data-figure="${name}">([^<]*)<`))?.[1] ?? null;
  return { count: figure('count'), mean: figure('mean'), median: figure('median'), distribution: figure('distribution'), withheld: row.includes('data-figure="withheld"'), previous: figure('previous') };
}

describe('input packets: figures, suppression, permissions and exports', () => {
  const clock = manualClock(Date.parse('2026-02-01T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let org: Awaited<ReturnType<typeof reviewOrganisation>>;
  let h1: number;
  let h2: number;
  const agents: Record<string, Agent> = {};

  beforeAll(async () => {
    org = await reviewOrganisation(knex());
    h1 = await reviewCycle(knex(), '2026-H1', { status: 'closed' });
    h2 = await reviewCycle(knex(), '2026-H2');
    const member = (await context.app.services.accounts.findActor(org.member.id))!;
    for (const [half, at] of [['H1', '2026-03-02T10:00:00Z'], ['H2', '2026-09-01T10:00:00Z']] as const) {
      clock.advance(Date.parse(at) - clock.now());
      for (const key of ['s1', 's2', 's3', 's4', 's5'] as const) {
        const scores = DATA[half][key];
        for (let i = 0; i < scores.listening.length; i++) {
          clock.advance(60_000);
          const ratings: Record<string, number> = { listening: scores.listening[i]! };
          if (i < scores.consensus.length) ratings.consensus = scores.consensus[i]!;
          // One named item per person per cycle; the rest anonymous.
          await giveFeedback(context.app, knex(), org[key].staffMemberId, { ratings, comment: `${half} ${key} comment ${i} about agendas and drafts`, ...(i === 0 ? { member } : {}) });
        }
      }
    }
    // A comment made to look like a formula, for the exports.
    await giveFeedback(context.app, knex(), org.s1.staffMemberId, { comment: '=HYPERLINK("http://evil.test")', kind: 'concern' });
    clock.advance(Date.parse('2027-01-05T10:00:00Z') - clock.now());
    for (const who of ['m1', 'm2', 'executive', 's1', 's2', 'hr'] as const) agents[who] = await signedIn(context.app, org[who]);
  });

  it('when the manager opens a packet, then each dimension shows count, mean, median and distribution with the previous cycle beside it', async () => {
    const page = await agents.m1!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}`).expect(200);
    const listening = rowOf(page.text, 'Listens to all stakeholders');
    const now = expected(DATA.H2.s1.listening);
    const before = expected(DATA.H1.s1.listening);
    expect(listening).toMatchObject({ count: String(now.count), mean: String(now.mean), median: String(now.median), distribution: now.distribution, previous: `${before.mean} (${before.count})` });
    // Six items including the formula-like one: counts by kind are shown.
    expect(page.text).toContain(`data-figure="total">${DATA.H2.s1.listening.length + 1}<`);
    expect(page.text).toContain('data-figure="concern">1<');
    // The named item carries its submitter's name; anonymous ones say so.
    expect(page.text).toContain('Named Member');
    expect(page.text).toContain('Anonymous');
    expect(page.text).toMatch(/<li>agendas \(in \d+ comments\)<\/li>/);
    expect(page.text).toContain(`href="/reviews/cycles/${h2}/staff/${org.s1.staffMemberId}/solicit"`);
  });

  it('when a group is small, or the rest of its department is, then its figures are withheld', async () => {
    const h1Packet = (key: StaffKey) => agents.hr!.get(`/reviews/${h1}/packets/${org[key].staffMemberId}`).expect(200);
    // S1 and S2 in Policy: each other's remainder is large enough.
    const s1 = rowOf((await h1Packet('s1')).text, 'Builds consensus');
    expect(s1).toMatchObject({ count: String(expected(DATA.H1.s1.consensus).count), mean: String(expected(DATA.H1.s1.consensus).mean) });
    // S4 has two ratings: withheld. S3 has seven, but Engagement minus S3 is S4's two: withheld too.
    expect(rowOf((await h1Packet('s4')).text, 'Listens to all stakeholders').withheld).toBe(true);
    expect(rowOf((await h1Packet('s3')).text, 'Listens to all stakeholders').withheld).toBe(true);
  });

  it('when HR and executives read trends, then each department figure is computed per cycle, and differencing and narrow filters are refused', async () => {
    const page = await agents.hr!.get('/reviews/trends').expect(200);
    // Counted by the job (here, on first reading), and the page says when.
    expect(page.text).toMatch(/data-testid="computed-at">[^<]+<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    const policyH1 = expected([...DATA.H1.s1.listening, ...DATA.H1.s2.listening]);
    const policyH2 = expected([...DATA.H2.s1.listening, ...DATA.H2.s2.listening]);
    const engagementH1 = expected([...DATA.H1.s3.listening, ...DATA.H1.s4.listening]);
    const row = (department: string, dimension: string) => {
      const start = page.text.indexOf(`<th scope="row">${department}</th><td>${dimension}</td>`);
      return page.text.slice(start, page.text.indexOf('</tr>', start));
    };
    expect(row('Policy', 'Listens to all stakeholders')).toContain(`<td>${policyH1.mean} (${policyH1.count})</td><td>${policyH2.mean} (${policyH2.count})</td>`);
    // Legal's two H1 ratings are withheld, and the organisation minus Policy and Engagement would be
    // them: Engagement, the smaller part shown, is withheld too (and says why).
    expect(engagementH1.count).toBeGreaterThanOrEqual(5);
    expect(row('Engagement', 'Listens to all stakeholders')).toContain('<td>Listens to all stakeholders</td><td><span class="empty" data-withheld="complement_too_few">Withheld: would reveal a small remainder of the department.</span></td>');
    // Consensus in H1: Policy has twelve ratings, but Engagement only two, so Policy's figure (the
    // first cell, H1) would give theirs away beside the organisation's.
    expect(DATA.H1.s1.consensus.length + DATA.H1.s2.consensus.length).toBeGreaterThanOrEqual(5);
    expect(row('Policy', 'Builds consensus')).toContain('<td>Builds consensus</td><td><span class="empty" data-withheld="complement_too_few">Withheld: would reveal a small remainder of the department.</span></td>');
    // Legal's two ratings in H1 are too few on their own.
    expect(row('Legal', 'Listens to all stakeholders')).toContain('<td>Listens to all stakeholders</td><td><span class="empty" data-withheld="too_few">Withheld: fewer than 5 people.</span></td>');

    const narrow = await agents.executive!.get(`/reviews/trends?department=${org.departments.legal.id}`);
    expect(narrow.status).toBe(422);
    expect(narrow.text).toContain('This filter would describe fewer than 5 items');
    await agents.m1!.get('/reviews/trends').expect(403);
  });

  it('when someone outside the chain asks for a packet, then it is not found and nothing records a view', async () => {
    await agents.m2!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}`).expect(404);
    const views = await knex()('audit_events').select('actor_account_id').where({ action: 'packet.view' });
    expect(views.map((v) => v.actor_account_id)).not.toContain(org.m2.id);
    // HR may; so may the executive above; each view is recorded.
    await agents.hr!.get(`/reviews/${h2}/packets/${org.s2.staffMemberId}`).expect(200);
    await agents.executive!.get(`/reviews/${h2}/packets/${org.s2.staffMemberId}`).expect(200);
    const recorded = await knex()('audit_events').select('actor_account_id', 'subject_id').where({ action: 'packet.view', subject_id: `${h2}:${org.s2.staffMemberId}` });
    expect(recorded.map((r) => r.actor_account_id).sort()).toEqual([org.hr.id, org.executive.id].sort());
  });

  it('when the staff member asks for their own packet, then it waits for the review, and then shows figures without comments or notes', async () => {
    await agents.s1!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}`).expect(404);
    // The reviews page offers no link that would lead there yet, and says when it will.
    const ownLink = `href="/reviews/${h2}/packets/${org.s1.staffMemberId}"`;
    const before = (await agents.s1!.get('/reviews').expect(200)).text;
    expect(before).not.toContain(ownLink);
    expect(before).toContain('your packet opens once your manager has reviewed it');
    const reviewed = await postForm(agents.m1!, `/reviews/${h2}/packets/${org.s1.staffMemberId}`, `/reviews/${h2}/packets/${org.s1.staffMemberId}/review`, { notes: 'Private: discuss drafting timelines.' });
    expect(reviewed.status).toBe(303);
    expect((await agents.s1!.get('/reviews').expect(200)).text).toContain(ownLink);
    const own = await agents.s1!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}`).expect(200);
    expect(rowOf(own.text, 'Listens to all stakeholders').mean).toBe(String(expected(DATA.H2.s1.listening).mean));
    expect(own.text).not.toContain('Private: discuss drafting timelines.');
    expect(own.text).not.toContain('comment 1 about agendas');
    expect(own.text).not.toContain('Named Member');
    const progress = await agents.hr!.get(`/reviews/${h2}/progress`).expect(200);
    // Everyone in this organisation is community-facing, managers included: eight packets.
    expect(progress.text).toContain('1 of 8 packets reviewed.');
  });

  it('when the manager downloads a packet as PDF, then it is a valid PDF with the staff member\'s name and figures, and the download is audited', async () => {
    const res = await agents.m1!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}.pdf`).buffer(true).parse(binaryBody).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toContain('%%EOF');
    const text = pdfToText(pdf).replace(/\s+/g, ' ');
    expect(text).toContain('Sam One');
    const listening = expected(DATA.H2.s1.listening);
    // pdftotext may set a repeated column header between a row's cells: the numbers, in order, on the row.
    expect(text).toMatch(new RegExp(`Listens to all stakeholders ${listening.count}\\b.{0,20}\\b${listening.mean}\\b.{0,20}\\b${listening.median}\\b`));
    expect(await knex()('audit_events').where({ action: 'packet.export', actor_account_id: org.m1.id })).toHaveLength(1);
    await agents.m2!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}.pdf`).expect(404);
  });

  it('when a manager flags an item, then it shows as flagged; items of other packets cannot be flagged through this one', async () => {
    // Forms name the item by its random reference, never by its sequential id.
    const [item] = await knex()('feedback_items').select('reference').where({ staff_member_id: org.s1.staffMemberId }).andWhere('created_at', '>=', Date.parse('2026-07-01')).orderBy('id').limit(1);
    await postForm(agents.m1!, `/reviews/${h2}/packets/${org.s1.staffMemberId}`, `/reviews/${h2}/packets/${org.s1.staffMemberId}/flags/${item.reference}`, { note: 'Ask about agendas' });
    expect((await agents.m1!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}`)).text).toContain('Flagged for follow-up: Ask about agendas');
    const [other] = await knex()('feedback_items').select('reference').where({ staff_member_id: org.s2.staffMemberId }).limit(1);
    const refused = await postForm(agents.m1!, `/reviews/${h2}/packets/${org.s1.staffMemberId}`, `/reviews/${h2}/packets/${org.s1.staffMemberId}/flags/${other.reference}`, { note: 'x' });
    expect(refused.status).toBe(404);
  });

  it('when HR exports the cycle, then it is built in the background with progress, and the CSV and XLSX give the page\'s numbers with formulas neutralised', async () => {
    const page = await agents.m1!.get(`/reviews/${h2}/packets/${org.s1.staffMemberId}`).expect(200);
    const listening = rowOf(page.text, 'Listens to all stakeholders');

    const files: Record<string, Buffer> = {};
    for (const format of ['csv', 'xlsx']) {
      const requested = await postForm(agents.hr!, `/reviews/${h2}/progress`, `/reviews/${h2}/exports`, { format });
      expect(requested.status).toBe(303);
      const jobUrl = requested.headers.location!;
      expect((await agents.hr!.get(jobUrl).set('Accept', 'application/json')).body.status).toBe('pending');
      await context.app.services.exports.runOnce();
      const job = (await agents.hr!.get(jobUrl).set('Accept', 'application/json')).body;
      expect(job).toMatchObject({ status: 'done', percent: 100 });
      expect(job.total).toBe(format === 'csv' ? 8 : 24);
      files[format] = (await agents.hr!.get(`${jobUrl}/download`).buffer(true).parse(binaryBody).expect(200)).body as Buffer;
    }

    const csv = parse(files.csv!.toString('utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
    const csvRow = csv.find((r) => r['Staff member'] === 'Sam One' && r.Dimension === 'Listens to all stakeholders')!;
    expect([csvRow.Ratings, csvRow.Mean, csvRow.Median]).toEqual([listening.count, listening.mean, listening.median]);
    expect(csv.find((r) => r['Staff member'] === 'Sid Three' && r.Dimension === 'Listens to all stakeholders')!.Ratings).toBe('Withheld: fewer than 5 people.');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(files.xlsx as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Dimensions', 'Summary', 'Comments']);
    const rows = (sheet: ExcelJS.Worksheet) => {
      const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
      const out: Array<Record<string, unknown>> = [];
      for (let n = 2; n <= sheet.rowCount; n++) out.push(Object.fromEntries(header.map((h, i) => [h, (sheet.getRow(n).values as unknown[])[i + 1] ?? null])));
      return out;
    };
    const xlsxRow = rows(workbook.getWorksheet('Dimensions')!).find((r) => r['Staff member'] === 'Sam One' && r.Dimension === 'Listens to all stakeholders')!;
    expect([xlsxRow.Ratings, xlsxRow.Mean, xlsxRow.Median]).toEqual([Number(listening.count), Number(listening.mean), Number(listening.median)]);
    const comments = rows(workbook.getWorksheet('Comments')!).map((r) => r.Comment);
    expect(comments).toContain('\'=HYPERLINK("http://evil.test")');
    expect(comments.some((c) => typeof c === 'string' && c.startsWith('='))).toBe(false);
    expect(await knex()('audit_events').where({ action: 'packets.export' })).toHaveLength(2);
    expect(await knex()('audit_events').where({ action: 'packets.download', actor_account_id: org.hr.id })).toHaveLength(2);
  });
  it('when a staff member who works in HR asks for their own packet, then they read it as its subject, not as HR', async () => {
    const hrStaff = await factories(knex()).staffAccount({ name: 'Hana HR', managerId: org.m1.staffMemberId, roles: ['hr'] });
    clock.advance(Date.parse('2026-09-10T10:00:00Z') - clock.now());
    for (let i = 0; i < 5; i++) await giveFeedback(context.app, knex(), hrStaff.staffMemberId, { comment: `About Hana ${i}`, ratings: { listening: 3 } });
    clock.advance(Date.parse('2027-01-05T10:00:00Z') - clock.now());
    const self = await signedIn(context.app, hrStaff);
    await self.get(`/reviews/${h2}/packets/${hrStaff.staffMemberId}`).expect(404);
    await postForm(agents.m1!, `/reviews/${h2}/packets/${hrStaff.staffMemberId}`, `/reviews/${h2}/packets/${hrStaff.staffMemberId}/review`, { notes: '' });
    const own = await self.get(`/reviews/${h2}/packets/${hrStaff.staffMemberId}`).expect(200);
    expect(own.text).not.toContain('About Hana 0');
    // Another HR person still reads it in full.
    expect((await agents.hr!.get(`/reviews/${h2}/packets/${hrStaff.staffMemberId}`)).text).toContain('About Hana 0');

    // The cycle export leaves out the requester's own packet, and each export is its requester's alone.
    const exportAs = async (agent: Agent) => {
      const requested = await postForm(agent, `/reviews/${h2}/progress`, `/reviews/${h2}/exports`, { format: 'xlsx' });
      expect(requested.status).toBe(303);
      await context.app.services.exports.runOnce();
      const jobUrl = requested.headers.location!;
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await agent.get(`${jobUrl}/download`).buffer(true).parse(binaryBody).expect(200)).body as ExcelJS.Buffer);
      const cells: string[] = [];
      for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
      return { jobUrl, cells };
    };
    const hers = await exportAs(self);
    expect(hers.cells).toContain('Sam One');
    expect(hers.cells).not.toContain('Hana HR');
    expect(hers.cells).not.toContain('About Hana 0');
    const theirs = await exportAs(agents.hr!);
    expect(theirs.cells).toContain('About Hana 0');
    for (const path of [theirs.jobUrl, `${theirs.jobUrl}/download`]) await self.get(path).expect(404);
    for (const path of [hers.jobUrl, `${hers.jobUrl}/download`]) await agents.hr!.get(path).expect(404);
    const progress = (await self.get(`/reviews/${h2}/progress`).expect(200)).text;
    expect(progress).toContain(`href="${hers.jobUrl}"`);
    expect(progress).not.toContain(`href="${theirs.jobUrl}"`);
  });

  it('when the cycle\'s period is still running, then the packet lists the comments but no figures, and trends leave the cycle out', async () => {
    const current = await reviewCycle(knex(), '2027-H1');
    for (const [i, score] of RUNNING.entries()) await giveFeedback(context.app, knex(), org.s1.staffMemberId, { comment: `Running period ${i}`, ratings: { listening: score } });
    // Anonymous items show in packets only once their notification delay has passed.
    clock.advance(NOTIFICATION_DELAY_MINUTES.max * 60_000 + 1);
    const page = await agents.m1!.get(`/reviews/${current}/packets/${org.s1.staffMemberId}`).expect(200);
    expect(page.text).toContain('data-testid="not-final"');
    expect(page.text).toContain('Running period 0');
    expect(page.text).not.toContain('data-figure="count"');
    expect(page.text).not.toContain('data-figure="total"');
    const trends = await agents.hr!.get('/reviews/trends').expect(200);
    expect(trends.text).not.toContain('<th scope="col">2027-H1</th>');
    expect(trends.text).toContain('<th scope="col">2026-H2</th>');
  });

  it('when a cycle lies ahead of the one still running, then its packet and export show no figures of the running cycle either', async () => {
    // 2027-H1 runs (with s1's RUNNING ratings from the test above); 2027-H2 is planned ahead of it.
    const running = await knex()('review_cycles').where({ code: '2027-H1' }).first('id');
    expect(running).toBeDefined();
    const ahead = await reviewCycle(knex(), '2027-H2', { status: 'planned' });
    const pdfText = async (cycleId: number) =>
      pdfToText((await agents.m1!.get(`/reviews/${cycleId}/packets/${org.s1.staffMemberId}.pdf`).buffer(true).parse(binaryBody).expect(200)).body as Buffer).replace(/\s+/g, ' ');
    // The running cycle's own packet shows its previous (ended) cycle beside it, on the page and in the PDF.
    const ended = expected(DATA.H2.s1.listening);
    expect(rowOf((await agents.m1!.get(`/reviews/${running.id}/packets/${org.s1.staffMemberId}`).expect(200)).text, 'Listens to all stakeholders').previous).toBe(`${ended.mean} (${ended.count})`);
    expect(await pdfText(running.id)).toContain(`${ended.mean} (${ended.count})`);

    const page = await agents.m1!.get(`/reviews/${ahead}/packets/${org.s1.staffMemberId}`).expect(200);
    expect(page.text).toContain('2027-H1');
    expect(rowOf(page.text, 'Listens to all stakeholders').previous).toBe('Withheld: shown after the period ends on 2027-06-30.');
    const live = expected(RUNNING);
    expect(page.text).not.toContain(`${live.mean} (${live.count})`);
    expect(await pdfText(ahead)).not.toContain(`${live.mean} (${live.count})`);
  });

  it('when a cycle lets staff read their packet before review, then they may, still without comments', async () => {
    const early = await reviewCycle(knex(), '2025-H2', { status: 'closed', staffSeeUnreviewed: true });
    const today = clock.now();
    clock.advance(Date.parse('2025-09-15T10:00:00Z') - today);
    await giveFeedback(context.app, knex(), org.s2.staffMemberId, { comment: 'Back in 2025, about the drafting calls.' });
    clock.advance(today - clock.now());
    // Their manager reads the comment there; the staff member reads the packet without it.
    expect((await agents.m1!.get(`/reviews/${early}/packets/${org.s2.staffMemberId}`).expect(200)).text).toContain('Back in 2025, about the drafting calls.');
    const own = await agents.s2!.get(`/reviews/${early}/packets/${org.s2.staffMemberId}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('data-testid="dimensions"');
    expect(own.text).not.toContain('data-testid="packet-comment"');
    expect(own.text).not.toContain('Back in 2025');
  });
});
