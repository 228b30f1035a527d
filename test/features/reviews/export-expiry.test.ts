import { createTestApp, manualClock, postForm, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { binaryBody } from '../../helpers/http';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';

const DAY = 86_400_000;

describe('background exports expire', () => {
  const clock = manualClock(Date.parse('2026-09-01T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;
  let org: Awaited<ReturnType<typeof reviewOrganisation>>;
  let hr: Agent;
  let jobUrl: string;
  let jobId: number;
  let finishedAt: number;

  beforeAll(async () => {
    org = await reviewOrganisation(knex());
    const cycle = await reviewCycle(knex(), '2026-H2');
    for (let i = 0; i < 3; i++) await giveFeedback(context.app, knex(), org.s1.staffMemberId, { comment: `Comment ${i}`, ratings: { listening: 4 } });
    hr = await signedIn(context.app, org.hr);
    const requested = await postForm(hr, `/reviews/${cycle}/progress`, `/reviews/${cycle}/exports`, { format: 'csv' });
    jobUrl = requested.headers.location!;
    jobId = Number(jobUrl.split('/').pop());
    await context.app.services.exports.runOnce();
    finishedAt = clock.now();
  });

  const chunks = async () => Number((await knex()('export_chunks').where({ export_job_id: jobId }).count({ n: '*' }))[0]!.n);

  it('when the retention (7 days by default) is not over, then the file downloads and the sweep keeps it', async () => {
    clock.advance(finishedAt + 7 * DAY - 1 - clock.now());
    await hr.get(`${jobUrl}/download`).buffer(true).parse(binaryBody).expect(200);
    expect((await context.app.retentionSweep.runOnce()).exports).toBe(0);
    expect(await chunks()).toBeGreaterThan(0);
  });

  it('when the retention is over, then a download says the export has expired even before the sweep has run', async () => {
    clock.advance(1);
    const refused = await hr.get(`${jobUrl}/download`).expect(410);
    expect(refused.text).toContain('This export has expired and its file has been deleted.');
    const page = await hr.get(jobUrl).expect(200);
    expect(page.text).toContain('data-testid="export-expired"');
    expect(page.text).not.toContain('data-testid="download"');
    expect((await hr.get(jobUrl).set('Accept', 'application/json')).body.status).toBe('expired');
  });

  it('when EXPORT_RETENTION_DAYS is longer, then the same file is still served', async () => {
    const longer = await createTestApp({ db: context.database.db, clock, env: { EXPORT_RETENTION_DAYS: '30' } });
    const agent = await signedIn(longer, org.hr);
    await agent.get(`${jobUrl}/download`).buffer(true).parse(binaryBody).expect(200);
  });

  it('when the sweep runs after the retention, then the chunks are gone from the database and the job is marked expired', async () => {
    expect(await chunks()).toBeGreaterThan(0);
    expect((await context.app.retentionSweep.runOnce()).exports).toBe(1);
    expect(await chunks()).toBe(0);
    expect(await knex()('export_jobs').select('status').where({ id: jobId }).first()).toEqual({ status: 'expired' });
    // A second run (another process) finds nothing left to do.
    expect((await context.app.retentionSweep.runOnce()).exports).toBe(0);
    // The sweep also ended the stale sessions: sign in again to ask once more.
    const again = await signedIn(context.app, org.hr);
    const refused = await again.get(`${jobUrl}/download`).expect(410);
    expect(refused.text).toContain('This export has expired');
  });
});
