import { agentFor, deliverAll, manualClock, signedIn, useTestApp } from '../../helpers/app';
import { closeSurvey, openSurvey, postAnswers, saveTemplate, SUBMIT_GENERAL_ANSWERS, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';
import { factories } from '../../factories';
import { reviewCycle } from '../../helpers/reviews';
import { createSurveysRepository } from '../../../server/features/surveys/surveys.repository';

const DAY = 86_400_000;

describe('working-group assessments: the group as audience, staff blocks to managers, milestones', () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;

  it('when an assessment closes, then each support staff member\'s block goes to their own people manager, and only there', async () => {
    const make = factories(knex());
    const executive = await make.staffAccount({ isExecutive: true });
    const managerOne = await make.staffAccount({ managerId: executive.staffMemberId });
    const managerTwo = await make.staffAccount({ managerId: executive.staffMemberId });
    const supportOne = await make.staff({ name: 'Sam Support', managerId: managerOne.staffMemberId });
    const supportTwo = await make.staff({ name: 'Pat Policy', managerId: managerTwo.staffMemberId });
    const group = await make.workingGroup({ name: 'Transfer Policy PDP' });
    const members = await Promise.all(Array.from({ length: 6 }, () => make.groupMember(group.id)));
    await make.supportStaff(group.id, supportOne.id);
    await make.supportStaff(group.id, supportTwo.id);

    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION);
    const surveyId = await openSurvey(admin, { title: 'Transfer PDP assessment', templateId: String(templateId), audience: 'working_group', workingGroupId: String(group.id) });
    await deliverAll(context.app);
    const links = surveyLinks(context.smtp, 'Your assessment: Transfer PDP assessment');
    expect([...links.keys()].sort()).toEqual(members.map((m) => m.email).sort());

    // Each member rates both staff; only three rate Pat (the others answer "not applicable").
    const supportScores = [5, 4, 4, 3, 5, 2];
    for (const [i, member] of members.entries()) {
      const path = links.get(member.email)!;
      const page = await agentFor(context.app).get(path).expect(200);
      expect(page.text).toContain('How effective was the group overall?');
      const res = await postAnswers(agentFor(context.app), path, {
        ...SUBMIT_GENERAL_ANSWERS,
        [`a:staff.${supportOne.id}.support`]: String(supportScores[i]),
        [`a:staff.${supportOne.id}.staff_comments`]: i < 5 ? `Comment ${i} on Sam` : '',
        [`a:staff.${supportTwo.id}.support`]: i < 3 ? '5' : 'na',
      });
      expect(res.status).toBe(303);
    }
    await closeSurvey(admin, surveyId);
    await deliverAll(context.app);
    const groupPage = await admin.get(`/working-groups/${group.id}`).expect(200);
    expect(groupPage.text).toContain(`href="/surveys/${surveyId}">Transfer PDP assessment</a> — Closed`);

    expect(context.smtp.to(managerOne.email).map((m) => m.subject)).toEqual(['Survey results about Sam Support']);
    expect(context.smtp.to(managerTwo.email).map((m) => m.subject)).toEqual(['Survey results about Pat Policy']);
    const reports = await knex()('survey_staff_reports').select('id', 'staff_member_id', 'recipient_staff_member_id').orderBy('staff_member_id');
    expect(reports.map((r) => [r.staff_member_id, r.recipient_staff_member_id])).toEqual([
      [supportOne.id, managerOne.staffMemberId],
      [supportTwo.id, managerTwo.staffMemberId],
    ]);

    const one = await signedIn(context.app, managerOne);
    const list = await one.get('/surveys/staff-reports').expect(200);
    expect(list.text).toContain('Sam Support');
    expect(list.text).not.toContain('Pat Policy');
    const samReport = await one.get(`/surveys/staff-reports/${reports[0].id}`).expect(200);
    const mean = Math.round((supportScores.reduce((a, b) => a + b, 0) / supportScores.length) * 100) / 100;
    expect(samReport.text).toContain(`data-figure="mean">${mean}<`);
    // Opened with the default (totals only): the comments about Sam stay with HR's results.
    expect(samReport.text).not.toContain('Comment 0 on Sam');
    // The manager sees this staff member's block only: not the group questions, not the other staff member.
    expect(samReport.text).not.toContain('How effective was the group overall?');
    expect(samReport.text).not.toContain('Pat Policy');

    // Another manager's report is not found for them, and no audit event says they saw it.
    await one.get(`/surveys/staff-reports/${reports[1].id}`).expect(404);
    const views = await knex()('audit_events').select('actor_account_id', 'subject_id').where({ action: 'survey.staff_report.view' });
    expect(views).toEqual([{ actor_account_id: managerOne.id, subject_id: String(reports[0].id) }]);

    // Pat's block rests on three ratings: below the minimum, so it is withheld.
    const patReport = await (await signedIn(context.app, managerTwo)).get(`/surveys/staff-reports/${reports[1].id}`).expect(200);
    expect(patReport.text).toContain('data-testid="suppressed"');
    expect(patReport.text).not.toContain('data-figure="mean"');

    // HR sees both.
    const hr = await surveyAdmin(context.app, knex());
    await hr.get(`/surveys/staff-reports/${reports[1].id}`).expect(200);
    expect((await hr.get(`/surveys/${surveyId}/results`).expect(200)).text).toContain('Comment 0 on Sam');

    // Sam, if Sam works in HR, reads the survey's results and exports without the block about Sam.
    const samInHr = await signedIn(context.app, await make.account({ staffMemberId: supportOne.id, roles: ['hr'] }));
    const ownResults = await samInHr.get(`/surveys/${surveyId}/results`).expect(200);
    expect(ownResults.text).toContain('data-testid="own-block-left-out"');
    expect(ownResults.text).toContain('How effective was the group overall?');
    expect(ownResults.text).toContain('Pat Policy');
    const ownCsv = (await samInHr.get(`/surveys/${surveyId}/results.csv`).expect(200)).text;
    expect(ownCsv).toContain('Pat Policy');
    for (const text of [ownResults.text, ownCsv]) {
      expect(text).not.toContain('Comment 0 on Sam');
      expect(text).not.toContain('Sam Support');
    }

    // The block reaches Sam's input packet for the half-year the survey closed in.
    const cycleId = await reviewCycle(knex(), '2026-H2');
    const packet = await one.get(`/reviews/${cycleId}/packets/${supportOne.id}`).expect(200);
    const surveyTable = packet.text.slice(packet.text.indexOf('data-testid="survey-results"'));
    expect(packet.text).toContain('<h3>Transfer PDP assessment</h3>');
    expect(surveyTable).toMatch(new RegExp(`How helpful was this staff member\\?</th><td>${supportScores.length}</td><td>${mean}</td>`));
  });

  it('when HR has many staff reports, then they come fifty to a page, newest first, never their own', async () => {
    const make = factories(knex());
    const [survey] = await knex()('surveys').select('id').where({ title: 'Transfer PDP assessment' });
    const reports = createSurveysRepository(knex(), () => clock.now());
    const hrStaff = await make.staffAccount({ name: 'Hal HR', roles: ['hr'] });
    await reports.insertStaffReport({ surveyId: Number(survey.id), staffMemberId: hrStaff.staffMemberId, recipientStaffMemberId: null }, knex());
    for (let i = 1; i <= 55; i++) {
      clock.advance(60_000);
      const staff = await make.staff({ name: `Paged Staff ${String(i).padStart(2, '0')}` });
      await reports.insertStaffReport({ surveyId: Number(survey.id), staffMemberId: staff.id, recipientStaffMemberId: null }, knex());
    }
    const hr = await signedIn(context.app, hrStaff);
    const names = (html: string) => [...html.matchAll(/<a href="\/surveys\/staff-reports\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]!);
    const first = await hr.get('/surveys/staff-reports').expect(200);
    // 55 new reports and the two from the first test; not the one about HR's own staff member.
    expect(first.text).toContain('Page 1 of 2 (57 in all)');
    expect(names(first.text).slice(0, 2)).toEqual(['Paged Staff 55', 'Paged Staff 54']);
    expect(names(first.text)).toHaveLength(50);
    const second = names((await hr.get('/surveys/staff-reports?page=2').expect(200)).text);
    expect(second).toHaveLength(7);
    expect([...names(first.text), ...second]).not.toContain('Hal HR');
  });

  it('when a group reaches a milestone with an assessment template, then one assessment opens for its members, never twice', async () => {
    const make = factories(knex());
    const [{ id: templateId }] = await knex()('survey_templates').select('id').where({ code: 'wg-self-assessment' });
    const group = await make.workingGroup({ name: 'EPDP Phase 3', type: 'epdp', assessmentTemplateId: Number(templateId), initialReportOn: '2026-11-25', closedOn: '2027-03-01', assessmentDays: 14 });
    const member = await make.groupMember(group.id, { email: 'epdp.member@community.test' });

    await context.app.services.surveys.sweep();
    expect(await knex()('surveys').where({ working_group_id: group.id })).toHaveLength(0);

    clock.advance(3 * DAY);
    const first = await context.app.services.surveys.sweep();
    await context.app.services.surveys.sweep();
    expect(first.opened).toBe(1);
    const surveys = await knex()('surveys').select('title', 'milestone', 'status', 'closes_at', 'opens_at').where({ working_group_id: group.id });
    expect(surveys).toHaveLength(1);
    expect(surveys[0]).toMatchObject({ title: 'EPDP Phase 3: assessment after the Initial Report', milestone: 'initial_report', status: 'open' });
    expect(Number(surveys[0].closes_at) - Number(surveys[0].opens_at)).toBe(14 * DAY);
    await deliverAll(context.app);
    const invitation = context.smtp.to(member.email).find((m) => m.subject.startsWith('Your assessment: EPDP Phase 3'))!;
    expect(invitation.text).toMatch(/\/s\/[A-Za-z0-9_-]{43}/);
  });
});
