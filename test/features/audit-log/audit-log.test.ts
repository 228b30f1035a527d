import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { manualClock, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { factories } from '../../factories';
import { createAuditLog } from '../../../server/platform/audit';

const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
const at = (iso: string) => ({ now: () => Date.parse(iso) });

const ANNA = { email: 'anna.karenina@org.test', displayName: 'Анна Каренина' };
const EVIL_NAME = '=HYPERLINK("http://evil.test","click")';

interface PageRow {
  when: string;
  actorName: string;
  actorEmail: string;
  action: string;
  subject: string;
  detail: string;
}

function decode(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

const cell = (row: string, cls: string) => {
  const match = row.match(new RegExp(`class="${cls}">([\\s\\S]*?)</(?:span|code)>`));
  return match ? decode(match[1]!) : '';
};

/** The rows of the log table, as a reader would see them. */
function pageRows(html: string): PageRow[] {
  const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => ({
    when: row!.match(/datetime="([^"]+)"/)![1]!,
    actorName: cell(row!, 'audit-actor'),
    actorEmail: cell(row!, 'audit-email'),
    action: cell(row!, 'audit-action'),
    subject: [cell(row!, 'audit-subject-type'), cell(row!, 'audit-subject-id')].filter(Boolean).join(' '),
    detail: cell(row!, 'audit-detail'),
  }));
}

function binary(request: ReturnType<Agent['get']>) {
  return request.buffer(true).parse((stream, done) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

/** Every cell of a workbook's first sheet, as text. */
async function workbookText(body: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  const cells: string[] = [];
  workbook.worksheets[0]!.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
  return cells.join('\n');
}

describe('audit log viewer', () => {
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let hr: Agent;
  let hrAccountId: number;
  let anna: { id: number };

  beforeAll(async () => {
    const f = factories(knex());
    const hrAccount = await f.account({ roles: ['hr'], displayName: 'Hana Ruiz' });
    hrAccountId = hrAccount.id;
    anna = await f.account({ ...ANNA, roles: ['hr'] });
    const evil = await f.account({ displayName: EVIL_NAME, email: 'evil@example.test', roles: ['admin'] });

    // Written through the platform's own audit writer, each at its own moment.
    const record = (iso: string, event: Parameters<ReturnType<typeof createAuditLog>['record']>[0]) => createAuditLog(knex(), at(iso)).record(event);
    await record('2026-10-01T10:00:00Z', { actorAccountId: anna.id, action: 'survey.create', subjectType: 'survey', subjectId: 7, detail: { audience: 'working_group' } });
    await record('2026-10-02T00:00:00Z', { actorAccountId: null, action: 'survey.open', subjectType: 'survey', subjectId: 7 });
    await record('2026-10-03T12:00:00Z', { actorAccountId: anna.id, action: 'surveyor.ping', subjectType: 'survey', subjectId: 8 });
    await record('2026-10-05T23:59:59Z', { actorAccountId: anna.id, action: 'survey.close', subjectType: 'survey', subjectId: 7, detail: { invited: 12, responded: 9 } });
    await record('2026-10-06T00:00:00Z', { actorAccountId: hrAccount.id, action: 'account.roles.set', subjectType: 'account', subjectId: anna.id, detail: { roles: ['hr'] } });
    // Not JSON, as a row written by hand or by an older release might be.
    await knex()('audit_events').insert({ actor_account_id: evil.id, action: 'working_group.create', subject_type: 'working_group', subject_id: '3', detail: '=SUM(A1:A9)', created_at: Date.parse('2026-10-10T08:00:00Z') });

    hr = await signedIn(context.app, hrAccount);
  });

  it('when HR opens the log, then every event shows newest first with its actor, action and subject, and the help says viewing is logged', async () => {
    const res = await hr.get('/audit').expect(200);
    expect(res.text).toContain('href="/audit"');
    expect(res.text).toContain('Viewing a page of this log and exporting it are themselves recorded here.');
    const rows = pageRows(res.text);
    const seeded = rows.filter((r) => r.when < '2026-11');
    expect(seeded.map((r) => r.action)).toEqual(['working_group.create', 'account.roles.set', 'survey.close', 'surveyor.ping', 'survey.open', 'survey.create']);
    expect(seeded[2]).toEqual({ when: '2026-10-05T23:59:59.000Z', actorName: ANNA.displayName, actorEmail: ANNA.email, action: 'survey.close', subject: 'survey 7', detail: '{"invited":12,"responded":9}' });
    expect(seeded.find((r) => r.action === 'survey.open')!.actorName).toBe('System');
    // A known code carries its label; an unknown one shows the code alone.
    expect(res.text).toContain('<code class="audit-action">survey.close</code><br><span class="audit-action-label">Survey closed</span>');
    expect(res.text).toContain('<code class="audit-action">surveyor.ping</code></td>');
    // Escaped, never markup.
    expect(res.text).toContain('&#x3D;HYPERLINK(&quot;http://evil.test&quot;,&quot;click&quot;)');
  });

  it('when HR filters by action prefix, actor, dates or subject type, then only matching events are listed', async () => {
    const actions = async (query: string) => pageRows((await hr.get(`/audit?${query}`).expect(200)).text).map((r) => r.action);

    // A prefix takes the codes under it, not every code that starts with the same letters.
    expect(await actions('action=survey')).toEqual(['survey.close', 'survey.open', 'survey.create']);
    expect(await actions('action=survey.close')).toEqual(['survey.close']);
    expect(await actions(`actor=${encodeURIComponent(ANNA.email.toUpperCase())}`)).toEqual(['survey.close', 'surveyor.ping', 'survey.create']);
    // Whole UTC days, both ends included.
    expect(await actions('from=2026-10-02&to=2026-10-05')).toEqual(['survey.close', 'surveyor.ping', 'survey.open']);
    expect(await actions('subjectType=working_group')).toEqual(['working_group.create']);
    expect(await actions('action=survey&actor=evil%40example.test')).toEqual([]);
    expect((await hr.get('/audit?action=survey&actor=evil%40example.test')).text).toContain('No audit events match these filters.');
    const page = (await hr.get('/audit?action=survey').expect(200)).text;
    expect(page).toContain('<option value="survey" selected>');
    // Handlebars escapes "=" in attributes.
    expect(page).toContain('href="/audit.csv?action&#x3D;survey"');
  });

  it('when a member, a staff member or a manager asks for the log or its exports, then they are refused', async () => {
    const f = factories(knex());
    const manager = await f.staffAccount();
    const staff = await f.staffAccount({ managerId: manager.staffMemberId });
    const member = await f.account({ roles: ['member'] });
    for (const who of [member, staff, manager]) {
      const agent = await signedIn(context.app, who);
      for (const path of ['/audit', '/audit.csv', '/audit.xlsx']) expect((await agent.get(path)).status).toBe(403);
      expect((await agent.get('/')).text).not.toContain('href="/audit"');
    }
  });

  it('when the log is exported as CSV with a filter, then it parses back to the same rows as the page', async () => {
    const page = pageRows((await hr.get('/audit?action=survey').expect(200)).text);
    const res = await hr.get('/audit.csv?action=survey').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename=audit-log.csv');
    expect(res.headers['cache-control']).toBe('no-store');

    const records: string[][] = parse(res.text, { bom: true });
    expect(records[0]).toEqual(['When (UTC)', 'Actor', 'Actor e-mail', 'Action', 'Action description', 'Subject type', 'Subject id', 'Detail']);
    const rows = records.slice(1);
    expect(rows.map(([when, actorName, actorEmail, action, , subjectType, subjectId, detail]) => ({ when, actorName, actorEmail, action, subject: `${subjectType} ${subjectId}`, detail }))).toEqual(page);
    expect(rows.map((r) => r[4])).toEqual(['Survey closed', 'Survey opened', 'Survey created']);
  });

  it('when the log is exported as XLSX with a filter, then the workbook holds the same rows as the page', async () => {
    const page = pageRows((await hr.get('/audit?from=2026-10-01&to=2026-10-31').expect(200)).text);
    expect(page.map((r) => r.action)).toEqual(['working_group.create', 'account.roles.set', 'survey.close', 'surveyor.ping', 'survey.open', 'survey.create']);
    const res = await binary(hr.get('/audit.xlsx?from=2026-10-01&to=2026-10-31')).expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Audit log');
    const values: string[][] = [];
    // getCell, not row.values: exceljs leaves empty cells out of the values array.
    sheet.eachRow((row) => values.push(Array.from({ length: 8 }, (_, i) => String(row.getCell(i + 1).value ?? ''))));
    expect(values).toHaveLength(page.length + 1);
    expect(values.slice(1).map(([when, actorName, actorEmail, action, , subjectType, subjectId, detail]) => ({ when, actorName, actorEmail, action, subject: `${subjectType} ${subjectId}`, detail }))).toEqual(
      // The page shows what a reader sees; the workbook carries the neutralised text.
      page.map((r) => ({ ...r, actorName: r.actorName.startsWith('=') ? `'${r.actorName}` : r.actorName, detail: r.detail.startsWith('=') ? `'${r.detail}` : r.detail })),
    );
  });

  it('when an actor name or a detail starts with "=", then both exports neutralise it and no cell is a formula', async () => {
    const csv: string[][] = parse((await hr.get('/audit.csv?subjectType=working_group').expect(200)).text, { bom: true });
    expect(csv[1]!.slice(0, 4)).toEqual(['2026-10-10T08:00:00.000Z', `'${EVIL_NAME}`, 'evil@example.test', 'working_group.create']);
    expect(csv[1]![7]).toBe("'=SUM(A1:A9)");

    const res = await binary(hr.get('/audit.xlsx?subjectType=working_group')).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ExcelJS.Buffer);
    const row = workbook.worksheets[0]!.getRow(2);
    expect(row.getCell(2).value).toBe(`'${EVIL_NAME}`);
    expect(row.getCell(8).value).toBe("'=SUM(A1:A9)");
    for (const index of [2, 8]) expect(row.getCell(index).type).toBe(ExcelJS.ValueType.String);
  });

  it('when HR views a page or exports the log, then each is audited with the filters but not the e-mail filtered on', async () => {
    const events = () => knex()('audit_events').select('action', 'subject_type', 'detail').where({ actor_account_id: hrAccountId }).whereIn('action', ['audit.view', 'audit.export']).orderBy('id', 'desc');
    const before = (await events()).length;

    await hr.get(`/audit?action=survey&actor=${encodeURIComponent(ANNA.email)}&from=2026-10-01&page=1`).expect(200);
    await hr.get(`/audit.csv?subjectType=survey&actor=${encodeURIComponent(ANNA.email)}`).expect(200);
    await binary(hr.get('/audit.xlsx?to=2026-10-31')).expect(200);

    const after = await events();
    expect(after).toHaveLength(before + 3);
    const [xlsx, csv, view] = after.map((e) => ({ action: e.action, subjectType: e.subject_type, detail: JSON.parse(e.detail) }));
    expect(view).toEqual({ action: 'audit.view', subjectType: 'audit_log', detail: { filters: { action: 'survey', from: '2026-10-01', actorFilter: true }, page: 1 } });
    expect(csv).toEqual({ action: 'audit.export', subjectType: 'audit_log', detail: { filters: { subjectType: 'survey', actorFilter: true }, format: 'csv' } });
    expect(xlsx).toEqual({ action: 'audit.export', subjectType: 'audit_log', detail: { filters: { to: '2026-10-31' }, format: 'xlsx' } });
    expect(JSON.stringify(after)).not.toContain(ANNA.email);

    // And the log shows its own use.
    const own = pageRows((await hr.get('/audit?action=audit').expect(200)).text);
    expect(own[0]).toMatchObject({ action: 'audit.view', actorName: 'Hana Ruiz' });
  });

  it('when a date filter is not a date, then the page answers 422 naming the field and keeps the other filters', async () => {
    const res = await hr.get(`/audit?action=survey&actor=${encodeURIComponent(ANNA.email)}&from=2026-02-30&to=2026-10-31&subjectType=survey`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="error-from"');
    expect(res.text).toContain('Enter the start date as YYYY-MM-DD, for example 2026-11-01.');
    expect(res.text).not.toContain('id="error-to"');
    expect(res.text).toContain(`value="${ANNA.email}"`);
    expect(res.text).toContain('value="2026-02-30"');
    expect(res.text).toContain('value="2026-10-31"');
    expect(res.text).toContain('<option value="survey" selected>');
    expect(res.text).not.toContain('<tbody>');

    const range = await hr.get('/audit?from=2026-10-31&to=2026-10-01');
    expect(range.status).toBe(422);
    expect(range.text).toContain('id="error-to"');
    expect(range.text).toContain('The end date must be on or after the start date.');
    expect((await hr.get('/audit.csv?to=31/10/2026')).status).toBe(422);
  });

  it('when a community member acted, then the log shows "Community account #id" with no name or address in the page, CSV or XLSX, and their address finds nothing', async () => {
    const f = factories(knex());
    const member = await f.account({ email: 'wanjiru.community@example.test', displayName: 'Wanjiru Kamau', roles: ['member'] });
    // Signed in once, with no role at all: still the community.
    const bare = await f.account({ email: 'no.roles@example.test', displayName: 'Olu Bare', roles: [] });
    const record = createAuditLog(knex(), at('2026-11-20T10:00:00Z')).record;
    await record({ actorAccountId: member.id, action: 'feedback.submit', subjectType: 'feedback_item', subjectId: 41 });
    await record({ actorAccountId: bare.id, action: 'feedback.submit', subjectType: 'feedback_item', subjectId: 42 });
    const query = 'action=feedback.submit&from=2026-11-20&to=2026-11-20';

    const page = await hr.get(`/audit?${query}`).expect(200);
    expect(pageRows(page.text).map((r) => ({ actorName: r.actorName, actorEmail: r.actorEmail, subject: r.subject }))).toEqual([
      { actorName: `Community account #${bare.id}`, actorEmail: '', subject: 'feedback_item 42' },
      { actorName: `Community account #${member.id}`, actorEmail: '', subject: 'feedback_item 41' },
    ]);
    const csv = (await hr.get(`/audit.csv?${query}`).expect(200)).text;
    expect(parse(csv, { bom: true }).slice(1).map((r: string[]) => r.slice(1, 3))).toEqual([
      [`Community account #${bare.id}`, ''],
      [`Community account #${member.id}`, ''],
    ]);
    const xlsx = await workbookText((await binary(hr.get(`/audit.xlsx?${query}`)).expect(200)).body as Buffer);
    expect(xlsx).toContain(`Community account #${member.id}`);
    for (const text of [page.text, csv, xlsx]) {
      for (const secret of ['wanjiru.community@example.test', 'Wanjiru Kamau', 'no.roles@example.test', 'Olu Bare']) expect(text).not.toContain(secret);
    }

    // Filtering by their address would tell what they did.
    const byAddress = await hr.get(`/audit?actor=${encodeURIComponent('wanjiru.community@example.test')}`).expect(200);
    expect(pageRows(byAddress.text)).toEqual([]);
    expect(byAddress.text).toContain('No audit events match these filters.');
  });

  it('when an identity was revealed with a reason, then HR reads the reason and an admin sees it withheld', async () => {
    const f = factories(knex());
    const reason = 'Formal complaint C-17 names Tomás Ortega as the author';
    await createAuditLog(knex(), at('2026-11-21T10:00:00Z')).record({ actorAccountId: hrAccountId, action: 'feedback.identity.reveal', subjectType: 'feedback_item', subjectId: 43, detail: { reason } });
    const admin = await signedIn(context.app, await f.account({ roles: ['admin'] }));
    const query = 'action=feedback.identity.reveal';

    expect(pageRows((await hr.get(`/audit?${query}`).expect(200)).text)[0]!.detail).toBe(JSON.stringify({ reason }));
    const seen = await admin.get(`/audit?${query}`).expect(200);
    expect(pageRows(seen.text)[0]).toMatchObject({ actorName: 'Hana Ruiz', subject: 'feedback_item 43', detail: JSON.stringify({ reason: '(withheld: only HR and the complaints officer read reasons for revealing an identity)' }) });
    const csv = (await admin.get(`/audit.csv?${query}`).expect(200)).text;
    const xlsx = await workbookText((await binary(admin.get(`/audit.xlsx?${query}`)).expect(200)).body as Buffer);
    for (const text of [seen.text, csv, xlsx]) {
      expect(text).not.toContain('Tomás Ortega');
      expect(text).toContain('withheld');
    }
  });

  it('when more events match than fit a page or an export batch, then pages hold 50 and the export streams every one in order', async () => {
    const total = 2150;
    const createdAt = Date.parse('2026-09-01T00:00:00Z');
    // The same moment for all: order then rests on the id, across export batches too.
    const rows = Array.from({ length: total }, (_, i) => ({ actor_account_id: null, action: 'bulk.tick', subject_type: 'bulk', subject_id: String(i + 1), detail: null, created_at: createdAt }));
    await knex().batchInsert('audit_events', rows, 500);

    const first = await hr.get('/audit?subjectType=bulk').expect(200);
    expect(pageRows(first.text)).toHaveLength(50);
    expect(pageRows(first.text)[0]!.subject).toBe(`bulk ${total}`);
    expect(first.text).toContain('Page 1 of 43 (2150 in all)');
    expect(first.text).toContain('href="/audit?subjectType&#x3D;bulk&amp;page&#x3D;2"');
    const last = pageRows((await hr.get('/audit?subjectType=bulk&page=43').expect(200)).text);
    expect(last.map((r) => r.subject)).toEqual(Array.from({ length: 50 }, (_, i) => `bulk ${50 - i}`));

    const csv: string[][] = parse((await hr.get('/audit.csv?subjectType=bulk').expect(200)).text, { bom: true });
    const ids = csv.slice(1).map((r) => Number(r[6]));
    expect(ids).toHaveLength(total);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => total - i));
  });
});
