import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { agentFor, deliverAll, manualClock, useTestApp, type Agent } from '../../helpers/app';
import { binaryBody } from '../../helpers/http';
import { expectedFigures } from '../../helpers/figures';
import { closeSurvey, openSurvey, postAnswers, saveTemplate, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';

// Each respondent's answers to the general section; the test works out the expected figures itself.
const RESPONDENTS = [
  { overall: '5', attended: 'yes', channels: ['calls', 'list'], comment: 'Clear agendas.' },
  { overall: '4', attended: 'yes', channels: ['calls'], comment: '=HYPERLINK("http://evil.test","click")' },
  { overall: '4', attended: 'no', channels: ['docs'], comment: 'Too many calls.' },
  { overall: '2', attended: 'no', channels: [], comment: '+1 for the chair' },
  { overall: 'na', attended: 'yes', channels: ['list'], comment: '@mentions got lost' },
  { overall: '3', attended: 'no', channels: ['calls', 'docs'], comment: '' },
];
function expectedOverall() {
  const figures = expectedFigures(RESPONDENTS.map((r) => r.overall).filter((o) => o !== 'na').map(Number));
  return { ...figures, skipped: RESPONDENTS.filter((r) => r.overall === 'na').length };
}

describe('survey results: figures, suppression and exports', () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;
  let admin: Agent;
  let templateId: number;

  beforeAll(async () => {
    admin = await surveyAdmin(context.app, knex());
    templateId = await saveTemplate(admin, TEST_DEFINITION);
  });

  async function runSurvey(title: string, respondents: typeof RESPONDENTS): Promise<number> {
    const addresses = respondents.map((_, i) => `${title.replace(/\W/g, '').toLowerCase()}${i}@community.test`);
    const id = await openSurvey(admin, { title, templateId: String(templateId), audience: 'list', addresses: [...addresses, 'silent@community.test'].join('\n') });
    await deliverAll(context.app);
    const links = surveyLinks(context.smtp, `Your assessment: ${title}`);
    for (const [i, r] of respondents.entries()) {
      const res = await postAnswers(agentFor(context.app), links.get(addresses[i]!)!, {
        page: '0',
        action: 'submit',
        'a:overall': r.overall,
        'a:attended': r.attended,
        'a:channels': r.channels,
        'a:process.agenda': '4',
        'a:process.minutes': '4',
        'a:general_comments': r.comment,
        ...(r.attended === 'yes' ? { 'a:meeting_value': '5' } : {}),
      });
      expect(res.status).toBe(303);
    }
    return id;
  }

  it('when a survey is still open, then it has no results to show, so consecutive views cannot be compared', async () => {
    const id = await runSurvey('Still open', RESPONDENTS);
    expect((await admin.get(`/surveys/${id}/results`)).status).toBe(409);
    expect((await admin.get(`/surveys/${id}/results.csv`)).status).toBe(409);
    await closeSurvey(admin, id);
  });

  it('when fewer people answered than the minimum group size, then no breakdown is shown anywhere, exports included', async () => {
    const id = await runSurvey('Small group', RESPONDENTS.slice(0, 4));
    await closeSurvey(admin, id);
    const page = await admin.get(`/surveys/${id}/results`).expect(200);
    expect(page.text).toContain('Fewer than 5 people answered');
    expect(page.text).not.toContain('data-figure');
    expect(page.text).not.toContain('Clear agendas.');
    const csv = parse((await admin.get(`/surveys/${id}/results.csv`).expect(200)).text, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(csv).toHaveLength(1);
    expect(csv[0]!.Kind).toBe('not shown: too few answers');
    expect(JSON.stringify(csv)).not.toContain('Clear agendas.');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await admin.get(`/surveys/${id}/results.xlsx`).buffer(true).parse(binaryBody).expect(200)).body as ExcelJS.Buffer);
    const cells: string[] = [];
    for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    expect(cells).toContain('not shown: too few answers');
    expect(cells.join('\n')).not.toContain('Clear agendas.');
    expect(cells.filter((c) => /^\d+(\.\d+)?$/.test(c))).toEqual([]);
  });

  it('when enough people answered, then each question shows count, mean, median and distribution, and a question few answered is withheld', async () => {
    const id = await runSurvey('Full group', RESPONDENTS);
    await closeSurvey(admin, id);
    const page = await admin.get(`/surveys/${id}/results`).expect(200);
    const expected = expectedOverall();
    const overall = page.text.slice(page.text.indexOf('data-question="How effective was the group overall?"'));
    const section = overall.slice(0, overall.indexOf('</section>'));
    expect(section).toContain(`data-figure="count">${expected.count}<`);
    expect(section).toContain(`data-figure="mean">${expected.mean}<`);
    expect(section).toContain(`data-figure="median">${expected.median}<`);
    expect(section).toContain(`data-figure="skipped">${expected.skipped}<`);
    // Only three attended the meeting: fewer than five answers, so that question is withheld.
    const meeting = page.text.slice(page.text.indexOf('data-question="How useful was the face-to-face meeting?"'));
    expect(meeting.slice(0, meeting.indexOf('</section>'))).toContain('data-testid="suppressed"');
    // Five comments: listed, in an order unrelated to arrival.
    expect(page.text).toContain('Clear agendas.');
    expect(page.text).toContain('HYPERLINK(&quot;http://evil.test&quot;,&quot;click&quot;)');
  });

  it('when the results are exported, then the CSV and the XLSX parse back to the page\'s numbers, with formulas neutralised', async () => {
    const [{ id }] = await knex()('surveys').select('id').where({ title: 'Full group' });
    const expected = expectedOverall();
    const csvResponse = await admin.get(`/surveys/${id}/results.csv`).expect(200);
    expect(csvResponse.headers['content-type']).toContain('text/csv');
    expect(csvResponse.headers['content-disposition']).toContain('attachment');
    const csv = parse(csvResponse.text, { columns: true, bom: true }) as Array<Record<string, string>>;
    const overallRows = csv.filter((r) => r.Question === 'How effective was the group overall?');
    const summary = overallRows.find((r) => r.Kind === 'summary')!;
    expect([Number(summary.Respondents), Number(summary.Mean), Number(summary.Median), Number(summary['Not applicable'])]).toEqual([expected.count, expected.mean, expected.median, expected.skipped]);
    expect(overallRows.filter((r) => r.Kind === 'answer').map((r) => Number(r.Respondents))).toEqual(expected.distribution);
    const channels = csv.filter((r) => r.Question === 'Which channels did you use?' && r.Kind === 'answer');
    expect(channels.map((r) => [r.Answer, Number(r.Respondents)])).toEqual([
      ['Calls', RESPONDENTS.filter((r) => r.channels.includes('calls')).length],
      ['Mailing list', RESPONDENTS.filter((r) => r.channels.includes('list')).length],
      ['Shared documents', RESPONDENTS.filter((r) => r.channels.includes('docs')).length],
    ]);
    const comments = csv.filter((r) => r.Kind === 'comment').map((r) => r.Answer);
    expect(comments).toContain('\'=HYPERLINK("http://evil.test","click")');
    expect(comments).toContain("'+1 for the chair");
    expect(comments).toContain("'@mentions got lost");

    const xlsxResponse = await admin.get(`/surveys/${id}/results.xlsx`).buffer(true).parse(binaryBody).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsxResponse.body as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const rows = [];
    for (let n = 2; n <= sheet.rowCount; n++) {
      const values = (sheet.getRow(n).values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, i) => [String(h), values[i] ?? null])));
    }
    const xlsxSummary = rows.find((r) => r.Question === 'How effective was the group overall?' && r.Kind === 'summary')!;
    expect([xlsxSummary.Respondents, xlsxSummary.Mean, xlsxSummary.Median]).toEqual([expected.count, expected.mean, expected.median]);
    expect(rows.filter((r) => r.Question === 'How effective was the group overall?' && r.Kind === 'answer').map((r) => r.Respondents)).toEqual(expected.distribution);
    const formulaCells = rows.flatMap((r) => Object.values(r)).filter((v) => typeof v === 'object' && v !== null && 'formula' in (v as object));
    expect(formulaCells).toEqual([]);
    expect(rows.filter((r) => r.Kind === 'comment').map((r) => r.Answer)).toContain('\'=HYPERLINK("http://evil.test","click")');

    const audit = await knex()('audit_events').select('action', 'detail').where({ subject_type: 'survey', subject_id: String(id) });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['survey.results.view', 'survey.results.export']));
  });
});
