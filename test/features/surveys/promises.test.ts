import { agentFor, deliverAll, manualClock, signedIn, useTestApp } from '../../helpers/app';
import { closeSurvey, openSurvey, postAnswers, saveTemplate, SUBMIT_GENERAL_ANSWERS, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';
import { factories } from '../../factories';
import { createTranslator, type Translate } from '../../../server/platform/i18n';
import { STAFF_REPORT_CONTENTS, type StaffReportContent } from '../../../server/features/surveys/surveys.schema';

/** Page text as a reader sees it (Handlebars escapes quotes and apostrophes). */
const unescaped = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

describe('survey promises: what respondents are told is what each reader gets', () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;
  let t: Translate;
  beforeAll(async () => {
    t = (await createTranslator()).forLocale('en');
  });

  /** Which of the staff-block promises a text states, by the setting it was generated from. */
  const promisedIn = (text: string, minimum: number): StaffReportContent[] => STAFF_REPORT_CONTENTS.filter((c) => unescaped(text).includes(t(`surveys.promise.staff.${c}`, { minimum })));

  /**
   * A group of `members`, one support staff member with a manager; everyone answers, the first
   * `commenting` with a comment on the staff member. Returns what the respondents were told and
   * what the manager then reads.
   */
  async function run(title: string, fields: Record<string, string>, options: { members: number; commenting: number; minimum: number }) {
    const make = factories(knex());
    const manager = await make.staffAccount();
    const support = await make.staff({ name: `Support for ${title}`, managerId: manager.staffMemberId });
    const group = await make.workingGroup({ name: `${title} group` });
    const members = await Promise.all(Array.from({ length: options.members }, () => make.groupMember(group.id)));
    await make.supportStaff(group.id, support.id);
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION, `${title} template`);
    const surveyId = await openSurvey(admin, { title, templateId: String(templateId), audience: 'working_group', workingGroupId: String(group.id), minimumGroupSize: String(options.minimum), ...fields });
    await deliverAll(context.app);
    const invitations = context.smtp.received.filter((m) => m.subject === `Your assessment: ${title}`);
    const links = surveyLinks(context.smtp, `Your assessment: ${title}`);
    const firstPage = (await agentFor(context.app).get(links.get(members[0]!.email)!).expect(200)).text;
    const staffPage = (await agentFor(context.app).get(`${links.get(members[0]!.email)!}?page=1`).expect(200)).text;
    const surveyPage = (await admin.get(`/surveys/${surveyId}`).expect(200)).text;
    for (const [i, member] of members.entries()) {
      const res = await postAnswers(agentFor(context.app), links.get(member.email)!, {
        ...SUBMIT_GENERAL_ANSWERS,
        [`a:staff.${support.id}.support`]: '4',
        [`a:staff.${support.id}.staff_comments`]: i < options.commenting ? `${title} remark ${i}` : '',
      });
      expect(res.status).toBe(303);
    }
    await closeSurvey(admin, surveyId);
    await deliverAll(context.app);
    const [report] = await knex()('survey_staff_reports').select('id').where({ staff_member_id: support.id });
    const managerReport = (await (await signedIn(context.app, manager)).get(`/surveys/staff-reports/${report.id}`).expect(200)).text;
    const managerMail = context.smtp.to(manager.email).find((m) => m.subject === `Survey results about ${support.name}`)!;
    const hrResults = (await admin.get(`/surveys/${surveyId}/results`).expect(200)).text;
    return { invitations, firstPage, staffPage, surveyPage, managerReport, managerMail, hrResults, staffName: support.name };
  }

  for (const [setting, fields] of [
    ['totals', {}],
    ['totals_and_comments', { staffReportContent: 'totals_and_comments' }],
  ] as const) {
    it(`when a survey's staff reports carry ${setting}, then every respondent is told exactly that, and the manager reads comments if and only if they were promised`, async () => {
      const title = `Promise ${setting}`;
      const told = await run(title, fields, { members: 6, commenting: 5, minimum: 5 });
      const general = t('surveys.promise.results', { minimum: 5 });

      // The same generated statement everywhere a respondent (or HR, who set it) reads about it.
      expect(told.invitations).toHaveLength(6);
      for (const mail of told.invitations) {
        expect(mail.text).toContain(general);
        expect(promisedIn(mail.text, 5)).toEqual([setting]);
      }
      expect(unescaped(told.firstPage)).toContain(general);
      for (const page of [told.firstPage, told.staffPage, told.surveyPage]) expect(promisedIn(page, 5)).toEqual([setting]);

      // What the manager then gets: the totals always; each comment if and only if promised.
      const commentsPromised = promisedIn(told.invitations[0]!.text, 5).includes('totals_and_comments');
      expect(told.managerReport).toContain('data-figure="mean">4<');
      for (let i = 0; i < 5; i++) expect(told.managerReport.includes(`${title} remark ${i}`)).toBe(commentsPromised);
      expect(told.managerMail.text).toContain(t(`emails.survey-staff-report.body.${setting}`, { title, staffName: told.staffName }));
      // HR reads them, as the general statement says.
      expect(told.hrResults).toContain(`${title} remark 0`);
    });
  }

  it('when comments are promised "only when at least N people answered" and fewer wrote one, then the manager reads none, and N is the survey\'s own minimum', async () => {
    const title = 'Promise few comments';
    const told = await run(title, { staffReportContent: 'totals_and_comments' }, { members: 7, commenting: 5, minimum: 6 });
    // The survey's minimum (6, above the organisation's 5) is the one stated and the one applied.
    expect(promisedIn(told.firstPage, 6)).toEqual(['totals_and_comments']);
    expect(promisedIn(told.firstPage, 5)).toEqual([]);
    expect(told.managerReport).toContain('data-figure="mean">4<');
    expect(told.managerReport).not.toContain(`${title} remark`);
    expect(told.hrResults).not.toContain(`${title} remark`);
  });

  it('when a survey asks nothing about support staff, then no promise about staff blocks is made', async () => {
    const make = factories(knex());
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, { sections: TEST_DEFINITION.sections.filter((s) => !s.perStaff) }, 'No staff template');
    const member = await make.account();
    await openSurvey(admin, { title: 'Promise no staff', templateId: String(templateId), audience: 'list', addresses: member.email });
    await deliverAll(context.app);
    const [mail] = context.smtp.to(member.email).filter((m) => m.subject === 'Your assessment: Promise no staff');
    expect(mail!.text).toContain(t('surveys.promise.results', { minimum: 5 }));
    expect(promisedIn(mail!.text, 5)).toEqual([]);
    const page = (await agentFor(context.app).get(surveyLinks(context.smtp, 'Your assessment: Promise no staff').get(member.email)!).expect(200)).text;
    expect(page).toContain('data-testid="survey-promise"');
    expect(page).not.toContain('data-testid="staff-promise"');
  });
});
