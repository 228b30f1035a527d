/**
 * The cluster run (`npm run bench:cluster`): a 3-node Galera cluster, two web processes on
 * different nodes and one worker, a submit load against both web processes, one node (a web
 * process's, not the worker's) killed mid-load; then every 2xx submission must be stored exactly
 * once and every due e-mail delivered exactly once to the SMTP server this process runs. Prints the
 * figures; exits 1 when anything was lost or duplicated. See the README, "Running on a Galera cluster".
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { SMTPServer } from 'smtp-server';
import { DEMO_PASSWORD } from '../../server/demo/seed';
import { problemsOf, tally, type MailRow, type SubmissionRecord } from './tally';

const ROOT = path.resolve(__dirname, '../../..');
const CLUSTER = path.join(ROOT, 'scripts/galera/cluster.sh');
const LOGS = path.join(ROOT, 'var/galera/run');
const LOAD_MS = Number(process.env.CLUSTER_LOAD_MS ?? 40_000);
const KILL_AFTER_MS = Number(process.env.CLUSTER_KILL_AFTER_MS ?? 15_000);
const USERS_PER_WEB = Number(process.env.CLUSTER_USERS_PER_WEB ?? 8);
// A second worker on node2 makes the outbox claims race across nodes (see server/platform/db/claims.ts).
const WORKERS = Number(process.env.CLUSTER_WORKERS ?? 1);
const MAIL_DOMAIN = 'accountable.cluster.test';
const MEMBER = 'member@demo.example';
const RUN = randomBytes(4).toString('hex');
const DATABASE = `accountable_cluster_${RUN}`;

const nodeUrl = (node: number) => `mysql://accountable:accountable@127.0.0.1:${13300 + node}/${DATABASE}`;
const cluster = (...args: string[]) => execFileSync('bash', [CLUSTER, ...args], { stdio: 'inherit' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Web {
  readonly name: string;
  readonly url: string;
}

async function startSmtp(received: string[]) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        received.push(head.match(/^Message-ID:\s*(\S+)/im)?.[1] ?? '(none)');
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as { port: number }).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Starts the app on `node`; web processes run no jobs (every interval 0), the worker runs them all. */
async function startProcess(name: string, node: number, port: number, role: 'web' | 'worker', smtpPort: number, children: ChildProcess[]): Promise<Web> {
  const jobs = role === 'web' ? '0' : '200';
  const log = fs.openSync(path.join(LOGS, `${name}.log`), 'w');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/index.js'), ...(role === 'worker' ? ['--demo'] : [])], {
    env: {
      ...process.env,
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
    },
    stdio: ['ignore', log, log],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${LOGS}/${name}.log`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { name, url };
    await pause(250);
  }
  throw new Error(`${name} did not answer /healthz`);
}

const sessionSecret = randomBytes(36).toString('base64url');
const secretKey = randomBytes(36).toString('base64url');

/** A browser-like client: cookies, CSRF tokens read from forms, a forwarded address of its own. */
class Client {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly address: string) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-forwarded-for': this.address,
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return { status: res.status, text: await res.text() };
  }

  async signIn(web: Web): Promise<void> {
    const form = await this.request(`${web.url}/sign-in`);
    const res = await this.request(`${web.url}/sign-in`, { method: 'POST', form: { _csrf: csrfOf(form.text), email: MEMBER, password: DEMO_PASSWORD } });
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  }
}

const csrfOf = (html: string) => html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';

/**
 * One client's load: open the form, send it with a unique marker; when the send fails, send the
 * same form (same submission key) once more through the other web process, as a load balancer
 * would. Returns one record per form sent.
 */
async function submitLoad(client: Client, own: Web, other: Web, attribution: string, staffIds: number[], until: number, records: SubmissionRecord[], answeredAt: number[]) {
  for (let n = 0; Date.now() < until; n++) {
    const marker = `cluster-${RUN}-${own.name}-${records.length}-${randomBytes(3).toString('hex')}`;
    const staff = staffIds[n % staffIds.length]!;
    let status = 0;
    try {
      const form = await client.request(`${own.url}/feedback/new?staff=${staff}`);
      const submissionKey = form.text.match(/name="submissionKey" value="([^"]+)"/)?.[1];
      if (form.status !== 200 || !submissionKey) throw new Error(`form answered ${form.status}`);
      const fields = { _csrf: csrfOf(form.text), staffMemberId: String(staff), submissionKey, kind: 'suggestion', attribution, comment: `${marker} A suggestion.` };
      for (const web of [own, other]) {
        status = await client.request(`${web.url}/feedback`, { method: 'POST', form: fields }).then((r) => r.status, () => 0);
        if (status >= 200 && status < 300) {
          answeredAt.push(Date.now());
          break;
        }
      }
      records.push({ marker, status });
    } catch {
      // The form could not be opened: nothing was sent, nothing is expected.
      await pause(200);
    }
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(LOGS, { recursive: true });
  const children: ChildProcess[] = [];
  const received: string[] = [];
  const smtp = await startSmtp(received);
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
        const attribution = ['named', 'named', 'confidential', 'anonymous'][u % 4]!;
        const client = new Client(`10.${i}.${u}.${1 + (u % 250)}`);
        if (attribution !== 'anonymous') await client.signIn(web);
        loads.push(submitLoad(client, web, webs[1 - i]!, attribution, staffIds, until, records, answeredAt));
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
    const mail: MailRow[] = (await knex('outbox_messages').select('id', 'status', 'next_attempt_at').where('id', '>', baseline)).map((r) => ({ id: Number(r.id), status: String(r.status), nextAttemptAt: Number(r.next_attempt_at) }));
    const figures = tally({ submissions: records, stored, mail, received, endedAt, messageIdDomain: MAIL_DOMAIN, afterId: baseline });
    const problems = problemsOf(figures);
    const conflicts = (await certFailures()).reduce((sum, n, i) => sum + n - conflictsBefore[i]!, 0);
    const times = [startedAt, ...answeredAt.sort((a, b) => a - b), endedAt];
    const longestGap = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
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
      'longest wait for a 2xx (ms)': longestGap,
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
