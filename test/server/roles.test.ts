import fs from 'node:fs';
import request from 'supertest';
import { signIn } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { feedbackOrganisation, referenceFrom, submitFeedback } from '../helpers/feedback';
import { startSmtpServer, type TestSmtpServer } from '../helpers/mail';
import { serverEntry, startServer } from '../helpers/process';

type Started = ReturnType<typeof startServer>;
interface JobHealthBody {
  job: string;
  stale: boolean;
  lastHeartbeat: { process: string; succeededAt: string | null } | null;
}

/** Polls `check` until it returns something, for up to `ms` (another process does the work). */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('not seen in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a web process and a worker process on one database', () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  const started: Started[] = [];
  beforeAll(async () => {
    if (!fs.existsSync(serverEntry)) throw new Error('dist/ is missing: the test command builds it first (npm test)');
    database = await createTestDatabase();
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await smtp.close();
    await database.destroy();
  });

  const start = (role: 'web' | 'worker') => {
    const db: Record<string, string> = database.config.client === 'mysql' ? { DATABASE_URL: database.config.url } : { SQLITE_FILE: database.config.filename };
    const server = startServer([], {
      ...db,
      PROCESS_ROLE: role,
      PORT: '0',
      NODE_ENV: 'development',
      SESSION_SECRET: 's'.repeat(40),
      PUBLIC_URL: 'http://accountable.test',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
      LOG_LEVEL: 'silent',
      // Short intervals, so the worker's runs come quickly; the web process must run none of them.
      OUTBOX_INTERVAL_MS: '250',
      ESCALATION_INTERVAL_MS: '250',
      SURVEY_INTERVAL_MS: '250',
      EXPORT_INTERVAL_MS: '250',
      RETENTION_INTERVAL_MS: '250',
      PUBLIC_FIGURES_INTERVAL_MS: '250',
      TRENDS_INTERVAL_MS: '250',
    });
    started.push(server);
    return server;
  };
  const healthOf = async (url: string): Promise<JobHealthBody[]> => (await request(url).get('/healthz').expect(200)).body.jobs;

  it('when feedback is submitted through the web process, then only the worker sends its e-mail, and the web process\'s /healthz shows the worker\'s heartbeats', async () => {
    const knex = database.db.knex;
    const org = await feedbackOrganisation(knex, { displayName: 'Rosa Member' });

    const web = start('web');
    const [, url] = await web.waitFor(/running at (http:\/\/localhost:\d+) \(database: \w+, role: web\)/);
    const member = request.agent(url!);
    await signIn(member, org.member.email, org.member.password);
    const { res } = await submitFeedback(member, org.staff.staffMemberId, { kind: 'appreciation', attribution: 'named', comment: 'Clear minutes after every call.' });
    expect(res.status).toBe(200);
    const reference = referenceFrom(res.text);

    // Eight of its would-be intervals: a web process that ran jobs would have sent by now.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await knex('job_heartbeats').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await knex('outbox_messages').whereNot({ status: 'pending' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await knex('outbox_messages').count({ n: '*' }).first()).not.toMatchObject({ n: 0 });
    expect(smtp.received).toHaveLength(0);
    const before = await healthOf(url!);
    expect(before.map((j) => j.job)).toEqual(['outbox', 'escalation', 'surveys', 'reviews', 'background', 'public-figures', 'trends', 'retention']);
    for (const job of before) expect(job).toMatchObject({ stale: true, lastHeartbeat: null });

    const worker = start('worker');
    await worker.waitFor(/Accountable worker is running 8 jobs/);
    expect(worker.output().stdout).not.toContain('running at');

    const notice = await eventually(() => smtp.to(org.manager.email).find((m) => m.subject === `New feedback to review (${reference})`));
    expect(notice.messageId).toMatch(/^<outbox-\d+@accountable\.test>$/);
    const workerProcess = new RegExp(`:${worker.child.pid}$`);
    const jobs = await eventually(async () => {
      const health = await healthOf(url!);
      return health.every((j) => j.lastHeartbeat?.succeededAt) ? health : undefined;
    });
    for (const job of jobs) expect(job).toMatchObject({ stale: false, lastHeartbeat: { process: expect.stringMatching(workerProcess) } });
    // Every heartbeat in the database is the worker's: the web process never ran a job.
    const processes = (await knex('job_heartbeats').distinct('process')).map((r) => r.process);
    expect(processes).toHaveLength(1);
    expect(processes[0]).toMatch(workerProcess);

    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await web.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  });
});
