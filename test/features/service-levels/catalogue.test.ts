import { DateTime } from 'luxon';
import request from 'supertest';
import { manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('the service catalogue, edited by an admin', () => {
  const clock = manualClock(local('2026-12-23T16:00'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when an admin adds a service, edits one, enters holidays and changes a ladder, then the public page and new due times follow', async () => {
    const org = await feedbackOrganisation(knex());
    const admin = await signedIn(context.app, org.admin);

    const bad = await postForm(admin, '/admin/service-levels', '/admin/service-levels', { code: 'No Spaces!', name: 'Meeting support', owner: '', expectation: 'Rooms booked.', acknowledgeAmount: '1', acknowledgeUnit: 'business_days', respondAmount: '5', respondUnit: 'business_days' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Use 3 to 48 lower-case letters, digits or dashes.');
    expect(bad.text).toContain('value="Meeting support"');
    const added = await postForm(admin, '/admin/service-levels', '/admin/service-levels', { code: 'meeting-support', name: 'Meeting support', owner: 'Meetings team', expectation: 'Session requests are confirmed within a week.', acknowledgeAmount: '1', acknowledgeUnit: 'business_days', respondAmount: '5', respondUnit: 'business_days' });
    expect(added.status).toBe(303);
    const feedbackService = await knex()('services').where({ code: 'continuous-feedback' }).first();
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/${feedbackService.id}/details`, { name: 'Feedback on staff', owner: 'People managers', expectation: 'Answered within two business days.', active: 'yes' });
    const page = await request(context.app.app).get('/service-levels').expect(200);
    expect(page.text).toContain('Meeting support');
    expect(page.text).toContain('People managers');

    // Christmas Eve and Christmas Day off: an item on the 23rd at 4 p.m. is due to be acknowledged on the 28th.
    const calendar = await knex()('service_calendars').first();
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/calendars/${calendar.id}/holidays`, { date: '2026-12-24', name: 'Christmas Eve' });
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/calendars/${calendar.id}/holidays`, { date: '2026-12-25', name: 'Christmas Day' });
    const member = await signedIn(context.app, org.member);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: 'Before the holidays.' });
    const routed = await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first();
    expect(Number(routed.acknowledge_due_at)).toBe(local('2026-12-28T16:00'));

    const before = (await knex()('escalation_steps').where({ service_id: feedbackService.id })).length;
    const badStep = await postForm(admin, '/admin/service-levels', `/admin/service-levels/${feedbackService.id}/steps`, { due: 'respond', offsetMinutes: 'soon', target: 'executive' });
    expect(badStep.status).toBe(422);
    expect(badStep.text).toContain('Enter whole minutes between -10080 and 43200.');
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/${feedbackService.id}/steps`, { due: 'respond', offsetMinutes: '2880', target: 'complaints_officer' });
    const catalogue = await admin.get('/admin/service-levels');
    expect(catalogue.text).toContain('2880 minutes after the answered target: move it to the complaints officer');
    const step = await knex()('escalation_steps').where({ service_id: feedbackService.id, target: 'complaints_officer' }).first();
    await postForm(admin, '/admin/service-levels', `/admin/service-levels/steps/${step.id}/delete`, {});
    expect(await knex()('escalation_steps').where({ service_id: feedbackService.id })).toHaveLength(before);
    expect((await knex()('audit_events').where('action', 'like', 'service-levels.%')).length).toBeGreaterThanOrEqual(6);
  });
});
