import request from 'supertest';
import { PUBLIC_REPORT_VIEWS_PER_MINUTE } from '../../../server/features/service-levels/service-levels.routes';
import { createTestApp, manualClock, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

const HOUR = 3_600_000;
const feedbackRow = (body: { services: Array<{ code: string; received: number }> }) => body.services.find((s) => s.code === 'continuous-feedback')!;

describe('the public service-level figures, computed by a job', () => {
  const clock = manualClock(Date.parse('2026-12-07T17:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when items arrive after the figures were computed, then every process shows the stored figures and their time, reading no item, until the job runs again', async () => {
    const org = await feedbackOrganisation(knex());
    const member = await signedIn(context.app, org.member);
    const before = await request(context.app.app).get('/service-levels.json').expect(200);
    expect(feedbackRow(before.body).received).toBe(0);
    const computedAt = before.body.computedAt;

    for (let i = 0; i < 2; i++) await submitFeedback(member, org.staff.staffMemberId, { comment: `Later item ${i}` });
    clock.advance(2 * HOUR);
    // Another process on the same database: it reads the stored figures, never the items.
    const other = await createTestApp({ db: context.database.db, clock });
    const { result: stale, statements } = await statementsOf(knex(), () => request(other.app).get('/service-levels.json').expect(200));
    expect(stale.body.computedAt).toBe(computedAt);
    expect(feedbackRow(stale.body).received).toBe(0);
    expect(statements.filter((sql) => /routed_items|complaints|feedback_items/.test(sql))).toEqual([]);
    // Within the cache time a process reads nothing more for the figures: only the catalogue.
    const { statements: cached } = await statementsOf(knex(), () => request(other.app).get('/service-levels').expect(200));
    expect(cached.filter((sql) => sql.includes('published_figures'))).toEqual([]);

    // The job's run (here, in the first process) is what changes them, for every process once its cache ends.
    await context.app.services.serviceLevels.refreshPublicFigures();
    clock.advance(HOUR);
    const fresh = await request(other.app).get('/service-levels.json').expect(200);
    expect(feedbackRow(fresh.body).received).toBe(2);
    expect(fresh.body.computedAt).toBe(new Date(clock.now() - HOUR).toISOString());
    const page = await request(other.app).get('/service-levels').expect(200);
    expect(page.text).toContain(`<time datetime="${fresh.body.computedAt}">2026-12-07 19:00 UTC</time>`);
  });

  it('when one client network asks too often, then it is refused with a wait, and the page is counted with its JSON', async () => {
    const limited = await createTestApp({ db: context.database.db, clock });
    for (let i = 0; i < PUBLIC_REPORT_VIEWS_PER_MINUTE; i++) await request(limited.app).get(i % 2 ? '/service-levels' : '/service-levels.json').expect(200);
    const refused = await request(limited.app).get('/service-levels').expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await request(limited.app).get('/service-levels.json').expect(429);
  });
});
