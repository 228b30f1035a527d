import { agentFor, csrfToken, deliverAll, manualClock, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { statementsOf } from '../../helpers/queries';
import { formBody, openSurvey, saveTemplate, SUBMIT_GENERAL_ANSWERS, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';

describe(`the statements one survey answer runs (${testDialect})`, () => {
  const context = useTestApp({ smtp: true, clock: manualClock(Date.parse('2026-11-22T09:00:00Z')) });
  const knex = () => context.database.db.knex;

  it('when a link is answered in a warm process, then it runs 8 statements: the link with its survey once, no template read, the used mark and the response in one transaction', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION);
    await openSurvey(admin, { title: 'Counted', templateId: String(templateId), audience: 'list', addresses: 'one@community.test\ntwo@community.test' });
    await deliverAll(context.app);
    const links = surveyLinks(context.smtp, 'Your assessment: Counted');
    const answer = async (email: string) => {
      const agent = agentFor(context.app);
      const path = links.get(email)!;
      const token = await csrfToken(agent, path);
      return statementsOf(knex(), () => agent.post(path).type('form').send(formBody({ ...SUBMIT_GENERAL_ANSWERS, _csrf: token })).expect(303));
    };
    await answer('one@community.test');
    const { statements } = await answer('two@community.test');

    // Before issue 13: 15, the link, its survey, the template version and the staff read twice over.
    expect(statements).toHaveLength(8);
    expect(statements.filter((sql) => sql.includes('`survey_invitations`') && sql.startsWith('select'))).toHaveLength(1);
    expect(statements.filter((sql) => sql.includes('`survey_template_versions`'))).toEqual([]);
    expect(statements.filter((sql) => sql.startsWith('update `survey_invitations`'))).toHaveLength(1);
    expect(statements.filter((sql) => sql.startsWith('insert into `survey_responses`'))).toHaveLength(1);
    expect(Number((await knex()('survey_responses').count({ n: '*' }).first())!.n)).toBe(2);
    expect((await knex()('survey_invitations').select('has_responded')).every((i) => Boolean(i.has_responded))).toBe(true);
  });
});
