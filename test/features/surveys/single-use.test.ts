import { agentFor, csrfToken, deliverAll, manualClock, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { formBody, openSurvey, saveTemplate, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';

const ANSWERS = { 'a:overall': '4', 'a:attended': 'no', 'a:process.agenda': '5', 'a:process.minutes': '3' };

describe(`a survey link is single use (${testDialect})`, () => {
  const context = useTestApp({ smtp: true, clock: manualClock(Date.parse('2026-11-22T09:00:00Z')) });
  const knex = () => context.database.db.knex;

  it('when the same link is submitted 20 times at once, then exactly one response is stored and every submit ends well', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION);
    await openSurvey(admin, { title: 'Race', templateId: String(templateId), audience: 'list', addresses: 'racer@community.test\nother@community.test' });
    await deliverAll(context.app);
    const path = surveyLinks(context.smtp, 'Your assessment: Race').get('racer@community.test')!;

    // Twenty browsers, each with its own session and token, ready before any of them submits.
    const submitters = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const agent = agentFor(context.app);
        return { agent, token: await csrfToken(agent, path) };
      }),
    );
    const results = await Promise.all(submitters.map(({ agent, token }) => agent.post(path).type('form').send(formBody({ ...ANSWERS, page: '0', action: 'submit', _csrf: token }))));

    expect(results.map((r) => r.status).filter((s) => s !== 303 && s !== 200)).toEqual([]);
    expect(results.filter((r) => r.headers.location === '/surveys/thank-you').length).toBeGreaterThanOrEqual(1);
    expect(Number((await knex()('survey_responses').count({ n: '*' }).first())!.n)).toBe(1);
    const invitations = await knex()('survey_invitations').select('has_responded');
    expect(invitations.filter((i) => Boolean(i.has_responded))).toHaveLength(1);
  });

  it('when a link is malformed or unknown, then the answer is the same 404 page either way', async () => {
    const unknown = await agentFor(context.app).get(`/s/${'A'.repeat(43)}`);
    const malformed = await agentFor(context.app).get('/s/short');
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(404);
    const main = (html: string) => html.match(/<main[\s\S]*<\/main>/)![0];
    expect(main(unknown.text)).toBe(main(malformed.text));
  });

  it('when the request log is read, then no link secret is in it', async () => {
    const lines = context.app.logLines.join('\n');
    expect(lines).toContain('/s/[token]');
    expect(lines).not.toMatch(/\/s\/[A-Za-z0-9_-]{43}/);
  });
});
