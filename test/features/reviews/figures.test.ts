import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { createDirectoryRepository } from '../../../server/features/directory/directory.repository';
import { manualClock, postForm, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { binaryBody } from '../../helpers/http';
import { pdfToText } from '../../helpers/pdf';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';

// 2026-H1 in three departments: Policy (S1 eleven items, S2 five), Engagement (S3 six, S4 none)
// and Legal (S5 five), every item rated but two of S2's. Every department is shown in the trends;
// S2's three ratings are too few on their own, and S1's rating figure would reveal them beside
// Policy's; their handling, over all five and eleven items, is shown.
const ITEMS = { s1: 11, s2: 5, s3: 6, s4: 0, s5: 5 } as const;
const RATINGS = { ...ITEMS, s2: 3 } as const;
const LISTENING = 'Listens to all stakeholders';
// Of S1's eleven routed items, the manager acknowledges two at once; nine are never acknowledged.
const ACKNOWLEDGED = 2;

const REASONS = {
  notFinal: 'Withheld: shown after the period ends on 2026-06-30.',
  tooFew: 'Withheld: fewer than 5 people.',
  complement: 'Withheld: would reveal a small remainder of the department.',
};

describe(`honest and frozen figures (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let org: Awaited<ReturnType<typeof reviewOrganisation>>;
  let h1: number;
  const agents: Record<string, Agent> = {};
  const packetPath = (key: 's1' | 's2' | 's3' | 's4' | 's5') => `/reviews/${h1}/packets/${org[key].staffMemberId}`;
  type Trends = { cycles: string[]; rows: Array<{ department: string; dimension: string; cells: Array<Record<string, unknown>> }>; handling: Array<{ department: string; cells: Array<Record<string, unknown>> }> };
  const trends = async () => (await agents.hr!.get('/reviews/trends').set('Accept', 'application/json').expect(200)).body as Trends;

  beforeAll(async () => {
    org = await reviewOrganisation(knex());
    h1 = await reviewCycle(knex(), '2026-H1');
    const toAcknowledge: number[] = [];
    for (const [key, count] of Object.entries(ITEMS) as Array<[keyof typeof ITEMS, number]>) {
      for (let i = 0; i < count; i++) {
        clock.advance(60_000);
        const id = await giveFeedback(context.app, knex(), org[key].staffMemberId, { comment: `${key} item ${i} on agendas and drafts`, ratings: i < RATINGS[key] ? { listening: 1 + (i % 5) } : {} });
        if (key === 's1' && i < ACKNOWLEDGED) toAcknowledge.push(id);
      }
    }
    // Once the items reach the inbox (after their notification delay), well within the target.
    clock.advance(3 * 3_600_000);
    const m1 = (await context.app.services.accounts.findActor(org.m1.id))!;
    for (const id of toAcknowledge) {
      const routed = await knex()('routed_items').first('id').where({ feedback_item_id: id });
      await context.app.services.inbox.acknowledge(m1, Number(routed.id));
    }
    clock.advance(Date.parse('2026-06-15T10:00:00Z') - clock.now());
    for (const who of ['m1', 'hr'] as const) agents[who] = await signedIn(context.app, org[who]);
  });

  it('when the period still runs, then every figure says it is shown after the period ends, not that there are too few, and no population is frozen yet', async () => {
    const page = (await agents.m1!.get(packetPath('s1')).expect(200)).text;
    expect(page).toContain(`data-testid="kinds-withheld">${REASONS.notFinal}<`);
    expect(page).toContain(`data-figure="withheld">${REASONS.notFinal}<`);
    expect(page).toContain(`data-testid="handling-withheld">${REASONS.notFinal}<`);
    expect(page).toContain(`data-testid="themes-withheld">${REASONS.notFinal}<`);
    expect(page).not.toContain('fewer than');
    expect(await knex()('cycle_populations').where({ cycle_id: h1 })).toHaveLength(0);
  });

  it('when the period is over, then handling counts every routed item, and each withheld figure gives its reason on the page and in the PDF', async () => {
    clock.advance(Date.parse('2026-07-10T10:00:00Z') - clock.now());
    const page = (await agents.m1!.get(packetPath('s1')).expect(200)).text;
    // Two of eleven, not two of the two that were acknowledged; none responded.
    expect(page).toContain(`data-figure="ackWithin">${ACKNOWLEDGED} / ${ITEMS.s1}<`);
    expect(page).toContain(`data-figure="respWithin">0 / ${ITEMS.s1}<`);
    expect(page).toContain(`data-figure="withheld">${REASONS.complement}<`);
    expect((await agents.m1!.get(packetPath('s2')).expect(200)).text).toContain(`data-figure="withheld">${REASONS.tooFew}<`);
    const pdf = pdfToText((await agents.m1!.get(`${packetPath('s1')}.pdf`).buffer(true).parse(binaryBody).expect(200)).body as Buffer).replace(/\s+/g, ' ');
    expect(pdf).toContain(`Acknowledged within target ${ACKNOWLEDGED} / ${ITEMS.s1}`);
    // pdftotext may break a long cell's words apart: compared without spaces.
    expect(pdf.replace(/ /g, '')).toContain(`${LISTENING}${REASONS.complement}`.replace(/ /g, ''));
  });

  it('when HR exports the cycle and reads the trends as JSON, then withheld cells name their reason and handling its full denominator', async () => {
    const files: Record<string, Buffer> = {};
    for (const format of ['csv', 'xlsx']) {
      const requested = await postForm(agents.hr!, `/reviews/${h1}/progress`, `/reviews/${h1}/exports`, { format });
      await context.app.services.exports.runOnce();
      files[format] = (await agents.hr!.get(`${requested.headers.location}/download`).buffer(true).parse(binaryBody).expect(200)).body as Buffer;
    }
    const csv = parse(files.csv!.toString('utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
    const ratingsOf = (name: string) => csv.find((r) => r['Staff member'] === name && r.Dimension === LISTENING)!.Ratings;
    expect([ratingsOf('Sam One'), ratingsOf('Sue Two'), ratingsOf('Sid Three')]).toEqual([REASONS.complement, REASONS.tooFew, String(RATINGS.s3)]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(files.xlsx as unknown as ExcelJS.Buffer);
    const summary = workbook.getWorksheet('Summary')!;
    const header = (summary.getRow(1).values as unknown[]).map(String);
    let samRow: unknown[] = [];
    summary.eachRow((row) => {
      if ((row.values as unknown[]).includes('Sam One')) samRow = row.values as unknown[];
    });
    expect(samRow[header.indexOf('Acknowledged within target')]).toBe(`${ACKNOWLEDGED} / ${ITEMS.s1}`);

    const { rows, handling } = await trends();
    // The department's handling counts every routed item of its people, as in the packets.
    const policyItems = ITEMS.s1 + ITEMS.s2;
    expect(handling.find((h) => h.department === 'Policy')!.cells[0]).toEqual({ cycle: '2026-H1', items: policyItems, acknowledged: { met: ACKNOWLEDGED, decided: policyItems }, responded: { met: 0, decided: policyItems } });
    const page = (await agents.hr!.get('/reviews/trends').expect(200)).text;
    expect(page).toContain(`${policyItems} items: acknowledged within target ${ACKNOWLEDGED} / ${policyItems}, responded within target 0 / ${policyItems}`);
    const cell = (department: string) => rows.find((r) => r.department === department && r.dimension === LISTENING)!.cells[0]!;
    expect(cell('Policy')).toMatchObject({ cycle: '2026-H1', count: RATINGS.s1 + RATINGS.s2 });
    expect(cell('Legal')).toMatchObject({ count: RATINGS.s5 });
    // Another dimension nobody rated: too few, and it says so.
    expect(rows.find((r) => r.department === 'Legal' && r.dimension !== LISTENING)!.cells[0]).toEqual({ cycle: '2026-H1', withheld: 'too_few', why: REASONS.tooFew });
  });

  it('when someone moves department after the period ended, then no figure of that period changes, and the frozen population stays as it was', async () => {
    const before = { trends: await trends(), s3: (await agents.hr!.get(packetPath('s3')).expect(200)).text, s5: (await agents.hr!.get(packetPath('s5')).expect(200)).text };
    const [frozen] = await knex()('cycle_populations').select('taken_at').where({ cycle_id: h1 });
    expect(Number(frozen.taken_at)).toBeLessThanOrEqual(clock.now());
    // Sid Three moves from Engagement (where only their six ratings are) to Legal, under M2 still.
    await createDirectoryRepository(knex(), () => clock.now()).updateStaff(org.s3.staffMemberId, { departmentId: org.departments.legal.id, managerId: org.m1.staffMemberId });
    clock.advance(86_400_000);
    await context.app.services.packets.freezeEndedPopulations();
    const after = { trends: await trends(), s3: (await agents.hr!.get(packetPath('s3')).expect(200)).text, s5: (await agents.hr!.get(packetPath('s5')).expect(200)).text };
    expect(after.trends).toEqual(before.trends);
    // Engagement's figure is still Sid's six: recomputed from today's directory it would be empty.
    expect(after.trends.rows.find((r) => r.department === 'Engagement' && r.dimension === LISTENING)!.cells[0]).toMatchObject({ count: RATINGS.s3 });
    const figures = (html: string) => html.slice(html.indexOf('data-testid="dimensions"'), html.indexOf('<h2>', html.indexOf('data-testid="dimensions"')));
    expect(figures(after.s3)).toEqual(figures(before.s3));
    expect(figures(after.s5)).toEqual(figures(before.s5));
    const kept = await knex()('cycle_populations').select('taken_at').where({ cycle_id: h1 });
    expect(kept.map((r) => Number(r.taken_at))).toEqual([Number(frozen.taken_at)]);
    const sid = await knex()('cycle_population_members').first('department_id', 'manager_id').where({ cycle_id: h1, staff_member_id: org.s3.staffMemberId });
    expect([Number(sid.department_id), Number(sid.manager_id)]).toEqual([org.departments.engagement.id, org.m2.staffMemberId]);
  });

  it('when a period has ended unread, then the periodic sweep freezes its population', async () => {
    const earlier = await reviewCycle(knex(), '2025-H2');
    expect(await knex()('cycle_populations').where({ cycle_id: earlier })).toHaveLength(0);
    await context.app.services.packets.freezeEndedPopulations();
    expect(await knex()('cycle_populations').where({ cycle_id: earlier })).toHaveLength(1);
    expect(await knex()('cycle_population_members').where({ cycle_id: earlier, staff_member_id: org.s3.staffMemberId }).first('department_id')).toMatchObject({ department_id: org.departments.legal.id });
  });

  it('when HR closes a cycle before anything needed its figures, then its population is frozen at the close', async () => {
    const h2 = await reviewCycle(knex(), '2026-H2');
    expect(await knex()('cycle_populations').where({ cycle_id: h2 })).toHaveLength(0);
    await context.app.services.reviewCycles.close((await context.app.services.accounts.findActor(org.hr.id))!, h2);
    const members = await knex()('cycle_population_members').select('staff_member_id', 'department_id').where({ cycle_id: h2 });
    // Sid Three as the directory has them now, in Legal.
    expect(members.find((m) => Number(m.staff_member_id) === org.s3.staffMemberId)).toMatchObject({ department_id: org.departments.legal.id });
  });

  it('when a manager flags an item with the flag form\'s own token, then it is flagged; without a token it is refused', async () => {
    const page = (await agents.m1!.get(packetPath('s1')).expect(200)).text;
    const form = page.match(/<form method="post" action="([^"]*\/flags\/[^"]*)"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]*)">/);
    expect(form).not.toBeNull();
    const [, action, token] = form!;
    expect(token).not.toBe('');
    await agents.m1!.post(action!).type('form').send({ note: 'Without a token' }).expect(403);
    await agents.m1!.post(action!).type('form').send({ note: 'Ask about agendas', _csrf: token }).expect(303);
    const flagged = (await agents.m1!.get(packetPath('s1')).expect(200)).text;
    expect(flagged).toContain('Flagged for follow-up: Ask about agendas');
    expect(flagged).not.toContain('Without a token');
  });
});
