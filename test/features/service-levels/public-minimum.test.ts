import request from 'supertest';
import { createTestApp, manualClock, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';

describe('the public service-levels figures and the minimum group size', () => {
  const clock = manualClock(Date.parse('2026-12-07T17:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when the organisation raises the minimum above the items received, then the public figures are withheld as every other figure is, and the page says the minimum in force', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    for (let i = 0; i < 6; i++) await submitFeedback(member, org.staff.staffMemberId, { comment: `Public figures ${i}` });
    clock.advance(3_600_000);
    const figuresOf = async (app: typeof context.app) => {
      const json = (await request(app.app).get('/service-levels.json').expect(200)).body as { minimumItemsForFigures: number; services: Array<{ code: string; received: number; figures: unknown }> };
      return { minimum: json.minimumItemsForFigures, feedback: json.services.find((s) => s.code === 'continuous-feedback')! };
    };

    // With the default minimum of five, six items show their figures.
    const usual = await figuresOf(context.app);
    expect(usual.minimum).toBe(5);
    expect(usual.feedback.received).toBe(6);
    expect(usual.feedback.figures).not.toBeNull();

    const stricter = await createTestApp({ db: context.database.db, clock, env: { MINIMUM_GROUP_SIZE: '8' } });
    const raised = await figuresOf(stricter);
    expect(raised.minimum).toBe(8);
    expect(raised.feedback).toMatchObject({ received: 6, figures: null });
    expect((await request(stricter.app).get('/service-levels').expect(200)).text).toContain('a service with fewer than 8 items in that time shows only how many there were');
  });
});
