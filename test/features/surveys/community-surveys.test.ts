import { DateTime } from 'luxon';
import { deliverAll, manualClock, useTestApp } from '../../helpers/app';
import { closeSurvey, openSurvey, saveTemplate, surveyAdmin, surveyLinks, TEST_DEFINITION } from '../../helpers/surveys';
import { factories } from '../../factories';
import type { TemplateDefinition } from '../../../server/features/surveys/template.schema';

describe('periodic community surveys', () => {
  const clock = manualClock(Date.parse('2026-11-22T09:00:00Z'));
  const context = useTestApp({ smtp: true, clock });
  const knex = () => context.database.db.knex;

  it('when a survey goes to the whole community, then every verified community member is invited, and no one else', async () => {
    const make = factories(knex());
    const members = await Promise.all(['c1', 'c2', 'c3'].map((n) => make.account({ roles: ['member'], email: `${n}@community.test` })));
    await make.account({ roles: ['member'], email: 'unverified@community.test', verified: false });
    await make.staffAccount();
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION, 'Community survey');
    await openSurvey(admin, { title: 'Community survey 2026', templateId: String(templateId), audience: 'community' });
    await deliverAll(context.app);
    expect([...surveyLinks(context.smtp, 'Your assessment: Community survey 2026').keys()].sort()).toEqual(members.map((m) => m.email).sort());
  });

  it('when a repeating survey closes, then its next run is scheduled on the template\'s latest version for the same audience, and opens on its day', async () => {
    const admin = await surveyAdmin(context.app, knex());
    const templateId = await saveTemplate(admin, TEST_DEFINITION, 'Regular survey');
    // Opened today, so it opens at this moment; the next run six calendar months on.
    const openedAt = clock.now();
    const id = await openSurvey(admin, { title: 'Staff accountability survey', templateId: String(templateId), audience: 'list', addresses: 'l1@community.test\nl2@community.test', repeatMonths: '6', closesOn: '2026-12-20' });
    const revised: TemplateDefinition = { sections: TEST_DEFINITION.sections.map((s) => ({ ...s, title: `${s.title} (revised)` })) };
    await saveTemplate(admin, revised, 'Regular survey', templateId);

    await closeSurvey(admin, id);
    const [first] = await knex()('surveys').select('opens_at', 'closes_at').where({ id });
    const next = await knex()('surveys').select('id', 'status', 'opens_at', 'closes_at', 'template_version_id', 'audience', 'repeat_months').whereNot({ id }).andWhere({ title: 'Staff accountability survey' });
    expect(next).toHaveLength(1);
    expect(Number(first.opens_at)).toBe(openedAt);
    const expectedOpen = DateTime.fromMillis(openedAt, { zone: 'utc' }).plus({ months: 6 }).toMillis();
    expect(next[0]).toMatchObject({ status: 'scheduled', audience: 'list', repeat_months: 6 });
    expect(Number(next[0].opens_at)).toBe(expectedOpen);
    const [latest] = await knex()('survey_template_versions').select('id').where({ template_id: templateId }).orderBy('version', 'desc').limit(1);
    expect(next[0].template_version_id).toBe(latest.id);
    expect((await knex()('survey_audience_addresses').select('email').where({ survey_id: next[0].id }).orderBy('email')).map((r) => r.email)).toEqual(['l1@community.test', 'l2@community.test']);

    clock.advance(expectedOpen - clock.now() + 1000);
    expect((await context.app.services.surveys.sweep()).opened).toBeGreaterThanOrEqual(1);
    await deliverAll(context.app);
    expect(context.smtp.to('l1@community.test').filter((m) => m.subject === 'Your assessment: Staff accountability survey')).toHaveLength(2);
  });
});
