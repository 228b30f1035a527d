/**
 * The cluster run (`npm run bench:cluster`): a 3-node Galera cluster, two web processes on
 * different nodes and one worker, a submit load against both web processes, one node (a web
 * process's, not the worker's) killed mid-load; then every 2xx submission must be stored exactly
 * once and every due e-mail delivered exactly once to the SMTP server this process runs. Prints the
 * figures; exits 1 when anything was lost or duplicated. See the README, "Running on a Galera cluster".
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { ROOT, spawnApp, waitForHealth, waitForLogLine } from '../load/app';
import { ATTRIBUTIONS, Client, longestGap, submitLoad, type Target } from '../load/clients';
import { startCapturingSmtp } from '../load/smtp';
import { problemsOf, tally, type MailRow, type SubmissionRecord } from '../load/tally';

const CLUSTER = path.join(ROOT, 'scripts/galera/cluster.sh');
const LOGS = path.join(ROOT, 'var/galera/run');
const LOAD_MS = Number(process.env.CLUSTER_LOAD_MS ?? 40_000);
const KILL_AFTER_MS = Number(process.env.CLUSTER_KILL_AFTER_MS ?? 15_000);
const USERS_PER_WEB = Number(process.env.CLUSTER_USERS_PER_WEB ?? 8);
// A second worker on node2 makes the outbox claims race across nodes (see server/platform/db/claims.ts).
const WORKERS = Number(process.env.CLUSTER_WORKERS ?? 1);
const MAIL_DOMAIN = 'accountable.cluster.test';
const RUN = randomBytes(4).toString('hex');
const DATABASE = `accountable_cluster_${RUN}`;

const nodeUrl = (node: number) => `mysql://accountable:accountable@127.0.0.1:${13300 + node}/${DATABASE}`;
const cluster = (...args: string[]) => execFileSync('bash', [CLUSTER, ...args], { stdio: 'inherit' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the app on `node`; web processes run no jobs (every interval 0), the worker runs them all. */
async function startProcess(name: string, node: number, port: number, role: 'web' | 'worker', smtpPort: number, children: ChildProcess[]): Promise<Target> {
  const jobs = role === 'web' ? '0' : '200';
  const log = path.join(LOGS, `${name}.log`);
  fs.rmSync(log, { force: true });
  const child = spawnApp(role === 'worker' ? ['--demo'] : [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://${MAIL_DOMAIN}`,
    DATABASE_URL: nodeUrl(node),
    SESSION_SECRET: sessionSecret,
    ACCOUNTABLE_SECRET_KEY: secretKey,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`,
    // The load comes from one address; each client says which one it stands for.
    TRUST_PROXY: 'loopback',
    PASSWORD_HASH_COST: 'low',
    LOG_LEVEL: 'warn',
    PROCESS_ROLE: role,
    OUTBOX_INTERVAL_MS: jobs,
    ESCALATION_INTERVAL_MS: role === 'web' ? '0' : '5000',
    SURVEY_INTERVAL_MS: role === 'web' ? '0' : '5000',
    EXPORT_INTERVAL_MS: role === 'web' ? '0' : '5000',
    RETENTION_INTERVAL_MS: role === 'web' ? '0' : '60000',
  }, log);
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  // A worker opens no port: it is ready when it says so.
  if (role === 'worker') await waitForLogLine(name, /Accountable worker is running/, child, log);
  else await waitForHealth(name, url, child, log);
  return { name, url };
}

const sessionSecret = randomBytes(36).toString('base64url');
const secretKey = randomBytes(36).toString('base64url');

async function main(): Promise<void> {
  fs.mkdirSync(LOGS, { recursive: true });
  const children: ChildProcess[] = [];
  const smtp = await startCapturingSmtp();
  const received = smtp.received;
  cluster('start');
  const admin = knexFactory({ client: 'mysql2', connection: nodeUrl(1).replace(`/${DATABASE}`, '/') });
  await admin.raw(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  const knex: Knex = knexFactory({ client: 'mysql2', connection: nodeUrl(1) });
  let exitCode = 1;
  try {
    // The worker migrates and seeds the demo organisation before it listens; the web processes start after.
    const worker = await startProcess('worker', 1, 4101, 'worker', smtp.port, children);
    if (WORKERS > 1) await startProcess('worker-2', 2, 4104, 'worker', smtp.port, children);
    const webs = [await startProcess('web-a', 2, 4102, 'web', smtp.port, children), await startProcess('web-b', 3, 4103, 'web', smtp.port, children)];
    const staffIds = (await knex('staff_members').where({ community_facing: true }).orderBy('id').pluck('id')).map(Number);
    const baseline = Number((await knex('outbox_messages').max('id as id').first())?.id ?? 0);
    console.log(`worker on node1 (${worker.url})${WORKERS > 1 ? ', worker-2 on node2' : ''}, ${webs[0]!.name} on node2, ${webs[1]!.name} on node3; ${USERS_PER_WEB} clients each, ${LOAD_MS / 1000} s of load; node3 is killed after ${KILL_AFTER_MS / 1000} s`);

    const records: SubmissionRecord[] = [];
    const answeredAt: number[] = [];
    const certFailures = () => Promise.all([1, 2].map(async (node) => {
      const status = knexFactory({ client: 'mysql2', connection: nodeUrl(node) });
      const [rows] = await status.raw("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')");
      await status.destroy();
      return rows.reduce((sum: number, r: { Value: string }) => sum + Number(r.Value), 0) as number;
    }));
    const conflictsBefore = await certFailures();
    const startedAt = Date.now();
    const until = Date.now() + LOAD_MS;
    const loads: Array<Promise<void>> = [];
    for (const [i, web] of webs.entries()) {
      for (let u = 0; u < USERS_PER_WEB; u++) {
        const attribution = ATTRIBUTIONS[u % ATTRIBUTIONS.length]!;
        const client = new Client(`10.${i}.${u}.${1 + (u % 250)}`);
        if (attribution !== 'anonymous') await client.signIn(web);
        // A send that fails goes once more, same form, through the other web process.
        loads.push(submitLoad({ client, attribution, staffIds, sendTo: [web, webs[1 - i]!], markerPrefix: `cluster-${RUN}-${web.name}`, until, records, answeredAt }));
      }
    }
    await pause(KILL_AFTER_MS);
    const killedAt = records.length;
    const killedTime = Date.now();
    cluster('kill', '3');
    console.log(`node3 killed after ${killedAt} submissions`);
    await Promise.all(loads);
    const endedAt = Date.now();

    // The worker sends what is due; wait until nothing due is left (or a minute has passed).
    const dueLeft = () => knex('outbox_messages').where('id', '>', baseline).where({ status: 'pending' }).andWhere('next_attempt_at', '<=', endedAt).count({ n: '*' }).first();
    for (let i = 0; i < 120 && Number((await dueLeft())?.n) > 0; i++) await pause(500);
    await pause(1000);

    const stored: string[] = (await knex('feedback_items').where('comment', 'like', `cluster-${RUN}-%`).pluck('comment')).map((c: string) => c.split(' ')[0]!);
    const mail: MailRow[] = (await knex('outbox_messages').select('id', 'status', 'attempts', 'next_attempt_at').where('id', '>', baseline)).map((r) => ({ id: Number(r.id), status: String(r.status), attempts: Number(r.attempts), nextAttemptAt: Number(r.next_attempt_at) }));
    const figures = tally({ submissions: records, stored, mail, received, endedAt, messageIdDomain: MAIL_DOMAIN, afterId: baseline });
    const problems = problemsOf(figures);
    const conflicts = (await certFailures()).reduce((sum, n, i) => sum + n - conflictsBefore[i]!, 0);
    const afterKill = answeredAt.filter((t) => t > killedTime).length;
    console.log('\nCluster run');
    console.table({
      'submissions sent': figures.submissions,
      'answered 2xx': figures.answered2xx,
      'not answered 2xx': figures.failed,
      'stored items': figures.stored,
      'stored without a 2xx': figures.storedWithout2xx,
      'lost (2xx, not stored)': figures.lost.length,
      'stored twice or more': figures.duplicated.length,
      '2xx after the kill': afterKill,
      'longest wait for a 2xx (ms)': longestGap(startedAt, answeredAt, endedAt),
      'certification conflicts / aborts (node1+node2)': conflicts,
      'e-mails enqueued': figures.mailEnqueued,
      'e-mails held back (not due yet)': figures.mailHeldBack,
      'e-mails sent (outbox)': figures.mailSent,
      'e-mails received (SMTP)': figures.mailReceived,
      'due e-mails not delivered': figures.mailNotDelivered.length,
      'e-mails delivered twice': figures.mailDeliveredTwice.length,
    });
    console.log(problems.length === 0 ? 'PASS: nothing lost, nothing duplicated' : `FAIL: ${problems.join('; ')}`);
    exitCode = problems.length === 0 ? 0 : 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((resolve) => c.once('exit', resolve)) : undefined)));
    await knex.destroy();
    await smtp.close();
    if (process.env.CLUSTER_KEEP) console.log(`kept: database ${DATABASE}; node3 is down (scripts/galera/cluster.sh join 3)`);
    else {
      cluster('join', '3');
      const drop = knexFactory({ client: 'mysql2', connection: nodeUrl(1) });
      await drop.raw(`DROP DATABASE \`${DATABASE}\``);
      await drop.destroy();
      cluster('stop');
    }
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
