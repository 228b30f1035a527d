import { DateTime } from 'luxon';
import request from 'supertest';
import { manualClock, postForm, signedIn, useTestApp } from '../../helpers/app';
import { feedbackItemIdOf, feedbackOrganisation, referenceFrom, submitFeedback } from '../../helpers/feedback';

const zone = 'America/Los_Angeles';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
const HOUR = 3_600_000;

function expectedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

describe('the public service-levels page', () => {
  // Monday 7 December 2026, 9 a.m.: targets are one business day to acknowledge, two to respond.
  const start = local('2026-12-07T09:00');
  const clock = manualClock(start);
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when items are handled, then the figures match the seeded timeline, hold back below five items, and carry nothing personal', async () => {
    const org = await feedbackOrganisation(knex(), { displayName: 'Publicly Invisible', email: 'invisible@member.test' });
    const member = await signedIn(context.app, org.member);
    const routed: Array<{ public_id: string }> = [];
    for (let i = 0; i < 6; i++) {
      const { res } = await submitFeedback(member, org.staff.staffMemberId, { comment: `Public figures ${i}` });
      routed.push(await knex()('routed_items').where({ feedback_item_id: await feedbackItemIdOf(knex(), referenceFrom(res.text)) }).first());
      if (i === 3) {
        // Four items so far: counts only.
        const early = await request(context.app.app).get('/service-levels.json').expect(200);
        const feedback = early.body.services.find((s: { code: string }) => s.code === 'continuous-feedback');
        expect(feedback).toMatchObject({ received: 4, figures: null });
      }
    }
    const manager = await signedIn(context.app, org.manager);
    // The timeline: item k (1–5) acknowledged k hours in; items 1–4 answered an hour after that;
    // item 5 gets an updated timeframe; item 6 is left alone.
    const acknowledgeHours = [1, 2, 3, 4, 5];
    const respondHours = [2, 3, 4, 5];
    for (let hour = 1; hour <= 6; hour++) {
      clock.advance(start + hour * HOUR - clock.now());
      if (hour <= 5) await postForm(manager, `/inbox/${routed[hour - 1]!.public_id}`, `/inbox/${routed[hour - 1]!.public_id}/acknowledge`, {});
      if (hour >= 2 && hour <= 5) await postForm(manager, `/inbox/${routed[hour - 2]!.public_id}`, `/inbox/${routed[hour - 2]!.public_id}/reply`, { body: 'Answered.' });
    }
    await postForm(manager, `/inbox/${routed[4]!.public_id}`, `/inbox/${routed[4]!.public_id}/timeframe`, { committedDate: '2026-12-30', reason: 'Needs a policy decision.' });
    // Thursday: item 6 missed both targets; item 5's new date is still ahead.
    clock.advance(local('2026-12-10T09:00') - clock.now());
    // The page shows what the job computed last (issue 13): run it, as its timer would.
    await context.app.services.serviceLevels.refreshPublicFigures();

    const json = await request(context.app.app).get('/service-levels.json').expect(200);
    expect(json.body.computedAt).toBe(new Date(clock.now()).toISOString());
    const feedback = json.body.services.find((s: { code: string }) => s.code === 'continuous-feedback');
    expect(feedback.received).toBe(6);
    expect(feedback.figures).toEqual({
      medianHoursToAcknowledge: expectedMedian(acknowledgeHours),
      medianHoursToRespond: expectedMedian(respondHours),
      acknowledgedWithinTarget: Math.round((5 / 6) * 1000) / 1000,
      // Item 5 is measured by its updated timeframe instead; item 6 missed.
      respondedWithinTarget: Math.round((4 / 5) * 1000) / 1000,
      timeframesGiven: 1,
      timeframesKept: null,
    });
    const quiet = json.body.services.find((s: { code: string }) => s.code === 'policy-support');
    expect(quiet).toMatchObject({ received: 0, figures: null });
    expect(json.body.services.map((s: { code: string }) => s.code)).toEqual(['continuous-feedback', 'policy-support', 'complaints', 'disclosure-requests']);

    const page = await request(context.app.app).get('/service-levels').expect(200);
    expect(page.text).toContain('Feedback on staff');
    expect(page.text).toContain('1 business day');
    expect(page.text).toContain('30 calendar days');
    expect(page.text).toContain('83%');
    expect(page.text).toContain('80%');
    expect(page.text).toContain('Too few items for figures');
    expect(page.text).toContain(`Figures computed at <time datetime="${json.body.computedAt}">2026-12-10 17:00 UTC</time>`);
    expect(page.text).toMatch(/<canvas id="service-levels-chart" data-chart="[^"]*Feedback on staff/);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const chart = await request(context.app.app).get('/vendor/chart.js/chart.umd.min.js').expect(200);
    expect(chart.text.length).toBeGreaterThan(10_000);

    for (const body of [JSON.stringify(json.body), page.text]) {
      for (const personal of ['Publicly Invisible', 'invisible@member.test', org.staff.email, org.manager.email, 'Public figures']) expect(body).not.toContain(personal);
    }
  });
});
