/**
 * The fault runs (`npm run bench:faults`): the submit load against the built app in a child process
 * while, in turn, the SMTP server refuses and then stops, the database (a private MariaDB) is
 * killed and restarted, and the app itself is killed with SIGKILL and started again (on SQLite and
 * on MariaDB). Afterwards every 2xx submission must be stored exactly once and every due e-mail
 * delivered exactly once. Prints a table, writes bench/results/faults.json, and exits 1 when
 * anything was lost or duplicated. See the README, "Fault runs".
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { freePort } from '../../bench/processes';
import { ROOT, spawnApp, stopApp, waitForHealth } from '../load/app';
import { ATTRIBUTIONS, Client, longestGap, submitLoad, type Target } from '../load/clients';
import { startCapturingSmtp, type CapturingSmtp } from '../load/smtp';
import { problemsOf, tally, type Figures, type MailRow, type SubmissionRecord } from '../load/tally';

const LOAD_MS = Number(process.env.FAULTS_LOAD_MS ?? 15_000);
const FAULT_AT_MS = Number(process.env.FAULTS_AT_MS ?? 4_000);
const OUTAGE_MS = Number(process.env.FAULTS_OUTAGE_MS ?? 6_000);
const CLIENTS = Number(process.env.FAULTS_CLIENTS ?? 8);
// Long enough for the first retry after an SMTP outage (30 s backoff) to be sent.
const DRAIN_MS = Number(process.env.FAULTS_DRAIN_MS ?? 60_000);
// Short, so the claims of a killed app come back within the run; production keeps 15 minutes.
const LEASE_MS = Number(process.env.FAULTS_LEASE_MS ?? 5_000);
const MARIADB = path.join(ROOT, 'scripts/faults/mariadb.sh');
const MARIADB_PORT = Number(process.env.FAULTS_DB_PORT ?? 13320);
const VAR = path.join(ROOT, 'var/faults');
const MAIL_DOMAIN = 'accountable.faults.test';
const RUN = randomBytes(4).toString('hex');
const secrets = { SESSION_SECRET: randomBytes(36).toString('base64url'), ACCOUNTABLE_SECRET_KEY: randomBytes(36).toString('base64url') };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Not execFileSync: the load's clients must keep running (and their answers be timed) meanwhile.
const mariadb = (command: 'start' | 'kill' | 'stop') => promisify(execFile)('bash', [MARIADB, command], { env: { ...process.env, FAULTS_DB_PORT: String(MARIADB_PORT) } });

type DatabaseKind = 'sqlite' | 'mysql';

/** What a fault's injection tells the run: when the part went down and came back, and checks made meanwhile that failed. */
interface Injected {
  readonly downAt: number;
  readonly upAt: number;
  readonly problems: string[];
}

interface FaultRun {
  readonly target: Target;
  /** A signed-in member, whose pages need the database (the session store). */
  readonly member: Client;
  readonly smtp: CapturingSmtp;
  /** Kills the app with SIGKILL and starts it again (without demo data) on the same port; when it died and when it answered again. */
  restartApp(): Promise<{ downAt: number; upAt: number }>;
}

interface Fault {
  readonly name: string;
  readonly database: DatabaseKind;
  /** The app keeps answering (with errors) through the fault: a request left unanswered is a failure. */
  readonly answersThroughout: boolean;
  readonly inject: (run: FaultRun) => Promise<Injected>;
}

/** A request that answers within `ms`, with its status and body; status 0 when no answer came. */
async function probe(url: string, ms = 10_000): Promise<{ status: number; text: string }> {
  return fetch(url, { signal: AbortSignal.timeout(ms), headers: { accept: 'text/html' } }).then(async (r) => ({ status: r.status, text: await r.text() }), () => ({ status: 0, text: '' }));
}

const FAULTS: Fault[] = [
  {
    name: 'smtp down then up',
    database: 'sqlite',
    answersThroughout: true,
    async inject({ smtp }) {
      const downAt = Date.now();
      // Half the outage answering 421, half not listening at all.
      smtp.refuse();
      await pause(OUTAGE_MS / 2);
      await smtp.stop();
      await pause(OUTAGE_MS / 2);
      await smtp.start();
      return { downAt, upAt: Date.now(), problems: [] };
    },
  },
  {
    name: 'database restarted',
    database: 'mysql',
    answersThroughout: true,
    async inject({ target, member }) {
      await mariadb('kill');
      const downAt = Date.now();
      const problems: string[] = [];
      // While it is down: /healthz says so, a page answers 503 with the error page, nothing hangs.
      await pause(1000);
      const health = await probe(`${target.url}/healthz`);
      if (health.status !== 503 || !health.text.includes('"unavailable"')) problems.push(`/healthz answered ${health.status} while the database was down`);
      const page = await member.request(`${target.url}/feedback/new`).catch(() => ({ status: 0, text: '' }));
      if (page.status !== 503 || !page.text.includes('<html')) problems.push(`a page answered ${page.status} (not the 503 error page) while the database was down`);
      await pause(Math.max(0, OUTAGE_MS - 1000));
      await mariadb('start');
      return { downAt, upAt: Date.now(), problems };
    },
  },
  { name: 'app killed (SIGKILL)', database: 'sqlite', answersThroughout: false, inject: killApp },
  { name: 'app killed (SIGKILL)', database: 'mysql', answersThroughout: false, inject: killApp },
];

async function killApp({ restartApp }: FaultRun): Promise<Injected> {
  return { ...(await restartApp()), problems: [] };
}

interface Outcome {
  readonly fault: string;
  readonly database: DatabaseKind;
  readonly figures: Figures;
  readonly outageMs: number;
  /** From the part's return to the next 2xx. */
  readonly recoveryMs: number;
  readonly longestWaitMs: number;
  readonly failedStatuses: Record<string, number>;
  readonly problems: string[];
}

/** The app's database for one fault: a fresh SQLite file, or a fresh database on the private MariaDB. */
async function openDatabase(kind: DatabaseKind, name: string): Promise<{ env: Record<string, string>; knex: Knex; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const file = path.join(VAR, `${name}.sqlite`);
    const remove = () => ['', '-wal', '-shm'].forEach((suffix) => fs.rmSync(`${file}${suffix}`, { force: true }));
    remove();
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    return { env: { DATABASE_URL: `sqlite:${file}` }, knex, drop: async () => remove() };
  }
  const database = `accountable_faults_${name.replace(/\W/g, '_')}`;
  const url = `mysql://accountable:accountable@127.0.0.1:${MARIADB_PORT}/`;
  const admin = knexFactory({ client: 'mysql2', connection: url });
  await admin.raw(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.raw(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  // Its idle connection dies with the server in the restart fault; knex's warning about that is expected.
  const knex = knexFactory({ client: 'mysql2', connection: `${url}${database}`, pool: { min: 0, max: 2 }, log: { warn: () => undefined } });
  return {
    env: { DATABASE_URL: `${url}${database}` },
    knex,
    drop: async () => {
      const dropper = knexFactory({ client: 'mysql2', connection: url });
      await dropper.raw(`DROP DATABASE IF EXISTS \`${database}\``);
      await dropper.destroy();
    },
  };
}

/** Waits until no e-mail of the run is due or being retried, or `DRAIN_MS` passes. */
async function drainOutbox(knex: Knex, afterId: number): Promise<void> {
  const waiting = async () => Number((await knex('outbox_messages').where('id', '>', afterId).andWhere('status', 'pending').andWhere((w) => w.where('attempts', '>', 0).orWhere('next_attempt_at', '<=', Date.now())).count({ n: '*' }).first())?.n ?? 0);
  for (const until = Date.now() + DRAIN_MS; Date.now() < until && (await waiting()) > 0; ) await pause(500);
  // A message handed over in the last moment is recorded after it.
  await pause(1000);
}

async function runFault(fault: Fault, index: number): Promise<Outcome> {
  const name = `${RUN}_${index}`;
  const logFile = path.join(VAR, `${index}-${fault.database}-${fault.name.replace(/\W+/g, '-')}.log`);
  fs.rmSync(logFile, { force: true });
  const smtp = await startCapturingSmtp();
  const db = await openDatabase(fault.database, name);
  const port = await freePort();
  const target: Target = { name: fault.name, url: `http://127.0.0.1:${port}` };
  const env = {
    ...db.env,
    ...secrets,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://${MAIL_DOMAIN}`,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
    TRUST_PROXY: 'loopback',
    PASSWORD_HASH_COST: 'low',
    LOG_LEVEL: 'warn',
    PROCESS_ROLE: 'all',
    OUTBOX_INTERVAL_MS: '200',
    OUTBOX_LEASE_MS: String(LEASE_MS),
  };
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
  let app: ChildProcess = spawnApp(['--demo'], env, logFile);
  const problems: string[] = [];
  try {
    await waitForHealth(fault.name, target.url, app, logFile);
    console.log(`  app ready with the demo organisation (${elapsed()})`);
    const staffIds = (await db.knex('staff_members').where({ community_facing: true }).orderBy('id').pluck('id')).map(Number);
    const afterId = Number((await db.knex('outbox_messages').max('id as id').first())?.id ?? 0);

    const records: SubmissionRecord[] = [];
    const answeredAt: number[] = [];
    const startedAt = Date.now();
    const until = startedAt + LOAD_MS;
    const loads: Array<Promise<void>> = [];
    const member = new Client('10.7.0.1');
    await member.signIn(target);
    for (let c = 0; c < CLIENTS; c++) {
      const attribution = ATTRIBUTIONS[c % ATTRIBUTIONS.length]!;
      // Anonymous senders stand for many people behind one proxy: the per-address limit is not what is tested.
      const client = new Client(attribution === 'anonymous' ? () => `10.9.${randomBytes(1)[0]}.${1 + randomBytes(1)[0]! % 250}` : `10.8.${c}.1`);
      if (attribution !== 'anonymous') await client.signIn(target);
      // A failed send is sent again (same form) after a second, twice, as a person would.
      loads.push(submitLoad({ client, attribution, staffIds, sendTo: [target, target, target], retryPauseMs: 1000, markerPrefix: `faults-${name}-${c}`, until, records, answeredAt }));
    }

    await pause(FAULT_AT_MS);
    const run: FaultRun = {
      target,
      member,
      smtp,
      async restartApp() {
        app.kill('SIGKILL');
        await new Promise((resolve) => (app.exitCode !== null || app.signalCode !== null ? resolve(undefined) : app.once('exit', resolve)));
        const downAt = Date.now();
        app = spawnApp([], env, logFile);
        await waitForHealth(fault.name, target.url, app, logFile);
        return { downAt, upAt: Date.now() };
      },
    };
    const injected = await fault.inject(run);
    console.log(`  down for ${injected.upAt - injected.downAt} ms (${elapsed()})`);
    problems.push(...injected.problems);
    await Promise.all(loads);
    const endedAt = Date.now();
    console.log(`  load ended (${elapsed()}); waiting for the outbox`);

    if (app.exitCode !== null || app.signalCode !== null) problems.push(`the app exited (${app.exitCode ?? app.signalCode}); see ${logFile}`);
    const health = await probe(`${target.url}/healthz`);
    if (health.status !== 200) problems.push(`/healthz answered ${health.status} after the fault`);
    await drainOutbox(db.knex, afterId);
    const drainedAt = Date.now();
    console.log(`  outbox drained (${elapsed()})`);

    const stored: string[] = (await db.knex('feedback_items').where('comment', 'like', `faults-${name}-%`).pluck('comment')).map((c: string) => c.split(' ')[0]!);
    const mail: MailRow[] = (await db.knex('outbox_messages').select('id', 'status', 'attempts', 'next_attempt_at').where('id', '>', afterId)).map((r) => ({ id: Number(r.id), status: String(r.status), attempts: Number(r.attempts), nextAttemptAt: Number(r.next_attempt_at) }));
    const figures = tally({ submissions: records, stored, mail, received: smtp.received, endedAt: drainedAt, messageIdDomain: MAIL_DOMAIN, afterId });
    const failedStatuses: Record<string, number> = {};
    for (const r of records) if (r.status < 200 || r.status >= 300) failedStatuses[r.status] = (failedStatuses[r.status] ?? 0) + 1;
    // Only a killed app may leave a request unanswered; otherwise every failure must be an answer.
    if (fault.answersThroughout && failedStatuses['0']) problems.push(`${failedStatuses['0']} requests got no answer`);
    const firstAfter = answeredAt.filter((t) => t > injected.upAt).sort((a, b) => a - b)[0];
    if (!(await stopApp(app))) problems.push('the app did not stop within 20 s of SIGTERM');
    return { fault: fault.name, database: fault.database, figures, outageMs: injected.upAt - injected.downAt, recoveryMs: (firstAfter ?? endedAt) - injected.upAt, longestWaitMs: longestGap(startedAt, answeredAt, endedAt), failedStatuses, problems: [...problems, ...problemsOf(figures)] };
  } finally {
    // Clean-up failures are reported, never allowed to hide the fault's own error or leave the app running.
    await stopApp(app);
    await db.knex.destroy();
    await db.drop().catch((err: Error) => console.error(`  could not drop the fault's database: ${err.message}`));
    await smtp.close();
  }
}

function printTable(outcomes: Outcome[]): void {
  const column = (o: Outcome) => `${o.fault} / ${o.database}`;
  const rows: Record<string, Record<string, number | string>> = {};
  const add = (label: string, value: (o: Outcome) => number | string) => (rows[label] = Object.fromEntries(outcomes.map((o) => [column(o), value(o)])));
  add('submissions sent', (o) => o.figures.submissions);
  add('answered 2xx', (o) => o.figures.answered2xx);
  add('not answered 2xx (status: count)', (o) => Object.entries(o.failedStatuses).map(([s, n]) => `${s}: ${n}`).join(', ') || '0');
  add('stored', (o) => o.figures.stored);
  add('stored without a 2xx', (o) => o.figures.storedWithout2xx);
  add('lost (2xx, not stored)', (o) => o.figures.lost.length);
  add('stored twice or more', (o) => o.figures.duplicated.length);
  add('e-mails queued', (o) => o.figures.mailEnqueued);
  add('e-mails held back (not due)', (o) => o.figures.mailHeldBack);
  add('e-mails that failed and were retried', (o) => o.figures.mailRetried);
  add('e-mails delivered (SMTP)', (o) => o.figures.mailReceived);
  add('due e-mails not delivered', (o) => o.figures.mailNotDelivered.length);
  add('e-mails delivered twice', (o) => o.figures.mailDeliveredTwice.length);
  add('outage (ms)', (o) => o.outageMs);
  add('back up to next 2xx (ms)', (o) => o.recoveryMs);
  add('longest wait for a 2xx (ms)', (o) => o.longestWaitMs);
  console.log('\nFault runs');
  console.table(rows);
  for (const o of outcomes) console.log(`${o.problems.length === 0 ? 'PASS' : 'FAIL'} ${column(o)}${o.problems.length ? `: ${o.problems.join('; ')}` : ''}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(VAR, { recursive: true });
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  // `--only=smtp,killed mysql`: the faults whose name and database hold every word of one entry.
  const chosen = FAULTS.map((fault, index) => ({ fault, index })).filter(({ fault }) => !only || only.some((o) => o.split(' ').every((word) => `${fault.name} ${fault.database}`.includes(word))));
  if (chosen.length === 0) throw new Error(`no fault matches --only=${only?.join(',')}`);
  const needsMariadb = chosen.some(({ fault }) => fault.database === 'mysql');
  if (needsMariadb) await mariadb('start');
  const outcomes: Outcome[] = [];
  try {
    for (const { fault, index } of chosen) {
      console.log(`${fault.name} (${fault.database}): ${LOAD_MS / 1000} s of load from ${CLIENTS} clients, the fault after ${FAULT_AT_MS / 1000} s`);
      outcomes.push(await runFault(fault, index));
    }
  } finally {
    if (needsMariadb && !process.env.FAULTS_KEEP) await mariadb('stop');
  }
  printTable(outcomes);
  const results = path.join(ROOT, 'bench/results');
  fs.mkdirSync(results, { recursive: true });
  const settings = { loadMs: LOAD_MS, faultAtMs: FAULT_AT_MS, outageMs: OUTAGE_MS, clients: CLIENTS, leaseMs: LEASE_MS };
  fs.writeFileSync(path.join(results, 'faults.json'), `${JSON.stringify({ at: new Date().toISOString(), settings, outcomes }, null, 2)}\n`);
  process.exit(outcomes.every((o) => o.problems.length === 0) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
