import request from 'supertest';
import { useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';

describe('GET /healthz', () => {
  const context = useTestApp();

  it('when the database answers, then it reports ok, which database is in use, and every registered job', async () => {
    const res = await request(context.app.app).get('/healthz').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: testDialect });
    expect(res.headers['content-type']).toMatch(/application\/json/);
    // No process of this test runs jobs: each is listed, with no heartbeat yet, as stale.
    expect(res.body.jobs.map((j: { job: string }) => j.job)).toEqual(['outbox', 'escalation', 'surveys', 'reviews', 'background', 'public-figures', 'trends', 'retention']);
    for (const job of res.body.jobs) expect(job).toMatchObject({ stale: true, lastHeartbeat: null });
  });

  it('when a job has run, then /healthz shows its last heartbeat and that it is fresh', async () => {
    await context.app.jobRegistry.runOnce('outbox');
    const res = await request(context.app.app).get('/healthz').expect(200);
    const outbox = res.body.jobs.find((j: { job: string }) => j.job === 'outbox');
    expect(outbox).toMatchObject({ stale: false, lastHeartbeat: { process: expect.stringMatching(/:\d+$/), error: null, succeededAt: expect.any(String) } });
  });

  it('when the database is unreachable, then it answers 503', async () => {
    await context.database.db.close();
    const res = await request(context.app.app).get('/healthz').expect(503);
    expect(res.body).toEqual({ status: 'unavailable', database: testDialect });
  });
});
