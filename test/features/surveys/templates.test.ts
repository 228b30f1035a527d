import request from 'supertest';
import { deliverAll, manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { closeSurvey, openSurvey, saveTemplate, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';
import { factories } from '../../factories';
import type { TemplateDefinition } from '../../../server/features/surveys/template.schema';

describe('survey templates: versions that never change a survey already sent', () => {
  const context = useTestApp({ smtp: true, clock: manualClock(Date.parse('2026-11-22T09:00:00Z')) });
  const knex = () => context.database.db.knex;

  it('when the application starts, then the Working Group Self-Assessment is there once, even after a restart', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const list = await admin.get('/surveys/templates').expect(200);
    expect(list.text).toContain('Working Group Self-Assessment');
    await context.app.services.surveys.ensureDefaultTemplate();
    expect(await knex()('survey_templates').where({ code: 'wg-self-assessment' })).toHaveLength(1);
  });

  it('when a template is edited after a survey was sent, then that survey keeps its questions and the next one gets the new ones', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION, 'Versioned');
    await openSurvey(admin, { title: 'First run', templateId: String(templateId), audience: 'list', addresses: 'first@community.test' });

    const revised: TemplateDefinition = { sections: TEST_DEFINITION.sections.map((s) => ({ ...s, questions: s.questions.map((q) => (q.key === 'overall' ? { ...q, text: 'Overall, how did it go?' } : q)) })) };
    expect(await saveTemplate(admin, revised, 'Versioned', templateId)).toBe(templateId);
    await openSurvey(admin, { title: 'Second run', templateId: String(templateId), audience: 'list', addresses: 'second@community.test' });
    await deliverAll(context.app);

    const firstPage = await request(context.app.app).get(surveyLinks(context.smtp, 'Your assessment: First run').get('first@community.test')!).expect(200);
    expect(firstPage.text).toContain('How effective was the group overall?');
    expect(firstPage.text).not.toContain('Overall, how did it go?');
    const secondPage = await request(context.app.app).get(surveyLinks(context.smtp, 'Your assessment: Second run').get('second@community.test')!).expect(200);
    expect(secondPage.text).toContain('Overall, how did it go?');

    const versions = await knex()('survey_template_versions').select('id', 'version', 'definition').where({ template_id: templateId }).orderBy('version');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(JSON.parse(versions[0].definition)).toEqual(JSON.parse(JSON.stringify(TEST_DEFINITION)));
    const page = await admin.get(`/surveys/templates/${templateId}`).expect(200);
    expect(page.text).toMatch(/v2[\s\S]*v1/);
    const preview = await admin.get(`/surveys/templates/versions/${versions[0].id}/preview`).expect(200);
    expect(preview.text).toContain('How effective was the group overall?');
  });

  it('when a definition is invalid, then nothing is saved, each problem is named with its place, and what was typed stays', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const before = await knex()('survey_template_versions').count({ n: '*' }).first();
    const broken = JSON.stringify({ sections: [{ key: 's', title: 'S', questions: [{ type: 'likert', key: 'q1', text: 'Q', points: 6, lowLabel: 'L', highLabel: 'H' }] }] });
    const res = await postForm(admin, '/surveys/templates/new', '/surveys/templates', { name: 'Kept name', description: '', definition: broken });
    expect(res.status).toBe(422);
    expect(res.text).toContain('sections.0.questions.0.points');
    expect(res.text).toContain('value="Kept name"');
    expect(res.text).toContain('&quot;points&quot;:6');
    expect(await knex()('survey_template_versions').count({ n: '*' }).first()).toEqual(before);

    // Each kind of mistake in the catalogue's words, at its place.
    const mistakes = JSON.stringify({
      sections: [
        {
          key: 's',
          title: '',
          questions: [
            { type: 'likert', key: 'q1', text: 'Q', points: 6, lowLabel: 'L' },
            { type: 'slider', key: 'q2', text: 'Q' },
            { type: 'single', key: 'q3', text: 'Q', options: [{ value: 'a', label: 'A' }] },
            { type: 'text', key: 'q4', text: 5 },
          ],
        },
      ],
    });
    const many = await postForm(admin, '/surveys/templates/new', '/surveys/templates', { name: 'Kept name', description: '', definition: mistakes });
    expect(many.status).toBe(422);
    const problems = [...many.text.matchAll(/<li><code>([^<]+)<\/code>: ([^<]+)<\/li>/g)].map(([, path, message]) => [path, message!.replace(/&quot;/g, '"')]);
    expect(problems).toEqual([
      ['sections.0.title', 'This must not be empty.'],
      ['sections.0.questions.0.points', 'This must be one of: 5, 7.'],
      ['sections.0.questions.0.highLabel', 'This is required here.'],
      ['sections.0.questions.1.type', 'This must be one of: "likert", "rating", "single", "multiple", "matrix", "text".'],
      ['sections.0.questions.2.options', 'This needs at least 2 entries.'],
      ['sections.0.questions.3.text', 'This must be text, in double quotes.'],
    ]);
  });

  it('when a survey asks for a lower minimum group size than the organisation\'s, or a staff-only template has no staff to ask about, then it is refused with the field named', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION, 'Minimum');
    const low = await postForm(admin, '/surveys/new', '/surveys', { title: 'Too low', templateId: String(templateId), audience: 'list', addresses: 'x@community.test', opensOn: '2026-11-22', closesOn: '2026-12-13', reminderDays: '', minimumGroupSize: '4', repeatMonths: '', workingGroupId: '' });
    expect(low.status).toBe(422);
    expect(low.text).toContain('minimum group size is higher');
    expect(low.text).toContain('value="Too low"');
    const staffOnly = await saveTemplate(admin, { sections: TEST_DEFINITION.sections.filter((s) => s.perStaff) }, 'Staff only');
    const empty = await postForm(admin, '/surveys/new', '/surveys', { title: 'Nobody to ask about', templateId: String(staffOnly), audience: 'list', addresses: 'x@community.test', opensOn: '2026-11-22', closesOn: '2026-12-13', reminderDays: '', minimumGroupSize: '5', repeatMonths: '', workingGroupId: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('This template asks only about support staff');
  });

  it('when an admin opens a closed survey, then the results are HR\'s to read, not theirs', async () => {
    const admin = await signedIn(context.app, await factories(knex()).account({ roles: ['admin'] }));
    const [survey] = await knex()('surveys').select('id', 'status').limit(1);
    if (survey.status !== 'closed') await closeSurvey(await surveyAdmin(context.app, knex()), Number(survey.id));
    expect(await knex()('surveys').where({ id: survey.id }).first('status')).toEqual({ status: 'closed' });
    // HR reads them; the admin who runs surveys does not.
    await (await surveyAdmin(context.app, knex())).get(`/surveys/${survey.id}/results`).expect(200);
    await admin.get(`/surveys/${survey.id}/results`).expect(403);
    await admin.get(`/surveys/${survey.id}/results.csv`).expect(403);
  });

  it('when someone without HR or admin rights asks for templates or surveys, then they are refused', async () => {
    const member = await signedIn(context.app, await factories(knex()).account({ roles: ['member'] }));
    await member.get('/surveys/templates').expect(403);
    await member.get('/surveys').expect(403);
    const staff = await factories(knex()).staffAccount();
    await (await signedIn(context.app, staff)).get('/surveys/new').expect(403);
  });
});
