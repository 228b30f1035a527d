import { DateTime } from 'luxon';
import { csrfToken, deliverAll, manualClock, useTestApp, type Agent } from '../../helpers/app';
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

  describe('when the list comes as a CSV file', () => {
    let admin: Agent;
    let templateId: number;
    // The tests above move the clock: these surveys open on whatever day it is now.
    const day = (offsetDays: number) => DateTime.fromMillis(clock.now(), { zone: 'utc' }).plus({ days: offsetDays }).toISODate()!;
    const fields = (title: string) => ({ title, templateId: String(templateId), audience: 'list', workingGroupId: '', opensOn: day(0), closesOn: day(21), reminderDays: '', minimumGroupSize: '5', repeatMonths: '' });
    /** Sends the new-survey form as a browser does with a file chosen: multipart, the token in the body. */
    async function sendWithFile(form: Record<string, string>, csv: string | null, token?: string) {
      const request = admin.post('/surveys').field('_csrf', token ?? (await csrfToken(admin, '/surveys/new')));
      for (const [name, value] of Object.entries(form)) request.field(name, value);
      if (csv !== null) request.attach('file', Buffer.from(csv), { filename: 'list.csv', contentType: 'text/csv' });
      return request;
    }
    const surveysTitled = (title: string) => knex()('surveys').where({ title });

    beforeAll(async () => {
      admin = await surveyAdmin(context.app, knex());
      templateId = await saveTemplate(admin, TEST_DEFINITION, 'File survey');
    });

    it('then its "email" column joins the typed addresses, other columns are ignored, and each address is invited once', async () => {
      const res = await sendWithFile({ ...fields('From a file'), addresses: 'typed@community.test' }, 'Email,Name\nf1@community.test,Fatima One\nF2@Community.test,"Two, F."\ntyped@community.test,Typed Again\n');
      expect(res.status).toBe(303);
      await deliverAll(context.app);
      expect([...surveyLinks(context.smtp, 'Your assessment: From a file').keys()].sort()).toEqual(['f1@community.test', 'f2@community.test', 'typed@community.test']);
    });

    it('then a file with bad addresses is refused whole, naming its lines, and what was typed stays', async () => {
      const res = await sendWithFile({ ...fields('Bad file'), addresses: 'kept@community.test' }, 'email,name\nok@community.test,Ok\nnot-an-address,Bad\nalso bad,Worse\n');
      expect(res.status).toBe(422);
      expect(res.text).toContain('The file has 2 lines without a valid e-mail address (lines 3, 4). Nothing was added');
      expect(res.text).toContain('id="error-addressFile"');
      expect(res.text).toContain('value="Bad file"');
      expect(res.text).toContain('kept@community.test</textarea>');
      expect(await surveysTitled('Bad file')).toEqual([]);
    });

    it('then a file without an "email" column, or that is not CSV, is refused with the reason', async () => {
      const noColumn = await sendWithFile(fields('No column'), 'name\nSomeone\n');
      expect(noColumn.status).toBe(422);
      expect(noColumn.text).toContain('The file has no &quot;email&quot; column');
      const broken = await sendWithFile(fields('Broken'), 'email\n"unclosed@community.test\n');
      expect(broken.status).toBe(422);
      expect(broken.text).toContain('The file could not be read as CSV');
      expect(await surveysTitled('No column')).toEqual([]);
      expect(await surveysTitled('Broken')).toEqual([]);
    });

    it('then another mistake in the form asks for the file again, since a browser does not keep it', async () => {
      const res = await sendWithFile({ ...fields('Late close'), closesOn: day(-30), addresses: '' }, 'email\nlate@community.test\n');
      expect(res.status).toBe(422);
      expect(res.text).toContain('Choose the file again');
      expect(res.text).toContain('value="Late close"');
    });

    it('then without the form\'s token the upload is refused and nothing is read', async () => {
      const res = await sendWithFile(fields('No token'), 'email\nsneaky@community.test\n', 'not-the-token');
      expect(res.status).toBe(403);
      expect(await surveysTitled('No token')).toEqual([]);
    });
  });
});
