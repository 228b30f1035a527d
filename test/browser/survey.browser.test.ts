import { screenshot, useBrowserApp, watchedPage } from '../helpers/browser';
import { openSurvey, saveTemplate, surveyAdmin, TEST_DEFINITION } from '../helpers/surveys';
import { factories } from '../factories';

jest.setTimeout(90_000);

describe('answering a survey in a browser', () => {
  const context = useBrowserApp();

  test('a member opens their link, answers a per-staff block and a conditional question, saves, resumes elsewhere, submits and is thanked', async () => {
    const knex = context.database.db.knex;
    const make = factories(knex);
    const [supportStaff] = await knex('staff_members').select('id', 'name').where({ email: 'staff@demo.example' });
    const group = await make.workingGroup({ name: 'Browser PDP' });
    await make.groupMember(group.id, { email: 'member@demo.example' });
    await make.supportStaff(group.id, supportStaff.id);
    const admin = await surveyAdmin(context.app, knex);
    const templateId = await saveTemplate(admin, TEST_DEFINITION);
    await openSurvey(admin, { title: 'Browser PDP assessment', templateId: String(templateId), audience: 'working_group', workingGroupId: String(group.id) });
    // The invitation waits in the outbox (no sender runs here); its link is the member's.
    const [invitation] = await knex('outbox_messages').select('body_text').where({ to_address: 'member@demo.example', template: 'survey-invitation' });
    const path = (invitation.body_text as string).match(/\/s\/[A-Za-z0-9_-]{43}/)![0];

    const first = await watchedPage(context.browser);
    const second = await watchedPage(context.browser);
    try {
      const { page } = first;
      await page.goto(`${context.baseUrl}${path}`);
      await page.check('input[name="a:overall"][value="4"]');
      await page.check('input[name="a:recommend"][value="8"]');
      await page.check('input[name="a:attended"][value="yes"]');
      await page.check('input[name="a:channels"][value="calls"]');
      await page.check('input[name="a:process.agenda"][value="5"]');
      await page.check('input[name="a:process.minutes"][value="4"]');
      await page.fill('textarea[name="a:general_comments"]', 'Well chaired.');
      await screenshot(page, 'survey-1-first-page');
      await page.click('button[value="next"]');
      await page.waitForSelector(`text=About ${supportStaff.name}`);
      await page.check(`input[name="a:staff.${supportStaff.id}.support"][value="5"]`);
      await page.fill(`textarea[name="a:staff.${supportStaff.id}.staff_comments"]`, 'Drafts always arrived on time.');
      await screenshot(page, 'survey-2-staff-block');
      await page.click('button[value="save"]');
      await expect(page.getByTestId('link-state').textContent()).resolves.toContain('Your answers are saved.');

      // Later, on another device: the same link brings back everything saved.
      const other = second.page;
      await other.goto(`${context.baseUrl}${path}`);
      await expect(other.isChecked('input[name="a:overall"][value="4"]')).resolves.toBe(true);
      await other.click('button[value="next"]');
      await other.waitForSelector(`text=About ${supportStaff.name}`);
      await expect(other.isChecked(`input[name="a:staff.${supportStaff.id}.support"][value="5"]`)).resolves.toBe(true);
      await expect(other.inputValue(`textarea[name="a:staff.${supportStaff.id}.staff_comments"]`)).resolves.toBe('Drafts always arrived on time.');
      await other.click('button[value="next"]');
      // Shown because this member attended the meeting.
      await other.waitForSelector('text=How useful was the face-to-face meeting?');
      await other.check('input[name="a:meeting_value"][value="5"]');
      await screenshot(other, 'survey-3-conditional');
      await other.click('button[value="submit"]');
      await other.waitForURL(`${context.baseUrl}/surveys/thank-you`);
      await expect(other.getByTestId('thank-you').textContent()).resolves.toContain('Your answers have been received.');
      await screenshot(other, 'survey-4-thank-you');

      const responses = await knex('survey_responses').select('answers');
      expect(responses).toHaveLength(1);
      expect(JSON.parse(responses[0].answers)).toMatchObject({ overall: 4, attended: 'yes', meeting_value: 5, [`staff.${supportStaff.id}.support`]: 5 });
      expect(first.errors).toEqual([]);
      expect(second.errors).toEqual([]);
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });
});
