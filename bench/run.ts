import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { countsFor, seedScale, SCALE_INBOX_MANAGER } from '../server/demo/scale';
import { createDatabase } from '../server/platform/db';
import { projectRoot } from '../server/platform/paths';
import { aggregate } from './aggregate';
import { exportCycle } from './export';
import { startServer } from './processes';
import { fanout, surveyAnswer } from './surveys';
import { sideBySide, type ScaleReport } from './scales';
import { idle, inbox, pages, submit, type BenchContext, type Row } from './scenarios';

/**
 * `npm run bench -- --db sqlite|mysql --scale N[,M…] [--rounds 3] [--seconds 10] [--submissions 500] [--packets N] [--only submit,survey-answer,inbox,pages,export,fanout,aggregate,idle]`
 * Generates (once) a database at that scale, starts the built app and the bare baseline each in a
 * child process on it, runs every scenario interleaved with its baseline, prints a table and writes
 * bench/results/latest.json (and a copy named after the database, the scale and any --only).
 * Several scales (`--scale 1,10`) run one after the other, each in its own process, and are then
 * lined up side by side with how each figure grew.
 */
function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

async function databaseUrl(dialect: string, scale: number): Promise<string> {
  const tag = String(scale).replace('.', '_');
  if (dialect === 'sqlite') return `sqlite:${path.join(projectRoot, 'bench', 'var', `scale-${tag}.sqlite`)}`;
  const server = new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  const admin = knexFactory({ client: 'mysql2', connection: { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) } });
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`accountable_bench_${tag}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  server.pathname = `/accountable_bench_${tag}`;
  return server.toString();
}

const fmt = (n: number | null) => (n === null ? '—' : n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(3));

function table(rows: readonly Row[]): string {
  const lines = [['scenario', 'figure', 'app median (spread)', 'baseline median (spread)', 'ratio app/baseline']];
  for (const r of rows) lines.push([r.name, `${r.figure} (${r.unit})`, `${fmt(r.scenario.median)} (±${(r.scenario.spread * 50).toFixed(0)}%)`, `${fmt(r.baseline.median)} (±${(r.baseline.spread * 50).toFixed(0)}%)`, fmt(r.ratio)]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
}

const resultsDir = path.join(projectRoot, 'bench', 'results');

/** A run of some scenarios only keeps its own copy, beside the full run's. */
function resultFile(database: string, scale: number | string, only: Set<string>): string {
  const part = process.argv.includes('--only') ? `-${[...only].join('-')}` : '';
  return path.join(resultsDir, `${database}-scale-${String(scale).replace('.', '_')}${part}.json`);
}

function writeResults(report: { database: string; scale: number | string; results: unknown[] } & Record<string, unknown>, only: Set<string>): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), json);
  fs.writeFileSync(resultFile(report.database, report.scale, only), json);
}

/** Each scale in a process of its own (so memory and caches start alike), then every figure side by side. */
function runScales(dialect: string, scales: number[], only: Set<string>): void {
  const reports: ScaleReport[] = [];
  for (const scale of scales) {
    const args = process.argv.slice(2);
    args[args.indexOf('--scale') + 1] = String(scale);
    const child = spawnSync(process.execPath, [process.argv[1]!, ...args], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`the run at scale ${scale} failed`);
    reports.push(JSON.parse(fs.readFileSync(resultFile(dialect, scale, only), 'utf8')) as ScaleReport);
  }
  const rows = sideBySide(reports);
  writeResults({ database: dialect, scale: scales.join(','), runs: reports, results: rows }, only);
  const header = ['scenario', 'figure', ...scales.flatMap((s) => [`app @${s}`, `baseline @${s}`, `ratio @${s}`]), `growth ${scales[0]}→${scales.at(-1)}`];
  const lines = [header, ...rows.map((r) => [r.name, `${r.figure} (${r.unit})`, ...scales.flatMap((s) => {
    const at = r.byScale.find((b) => b.scale === s);
    return at ? [fmt(at.app), fmt(at.baseline), fmt(at.ratio)] : ['—', '—', '—'];
  }), r.growth === null ? '—' : `${fmt(r.growth)}× (${fmt(r.growthPerData)} of linear)`])];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  process.stdout.write(`\nAccountable benchmark: ${dialect}, scales ${scales.join(' and ')} side by side\n\n${lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}\n\nWritten to bench/results/latest.json\n`);
}

async function main(): Promise<void> {
  const dialect = option('db', 'sqlite');
  const only = new Set(option('only', 'submit,survey-answer,inbox,pages,export,fanout,aggregate,idle').split(','));
  const scales = option('scale', '1').split(',').map(Number);
  if (scales.length > 1) return runScales(dialect, scales, only);
  const scale = scales[0]!;
  const rounds = Number(option('rounds', '3'));
  const seconds = Number(option('seconds', '10'));
  const submissions = Number(option('submissions', '500'));
  const packets = Number(option('packets', 'Infinity'));
  if (dialect !== 'sqlite' && dialect !== 'mysql') throw new Error('--db is sqlite or mysql');
  const url = await databaseUrl(dialect, scale);
  const db = createDatabase(dialect === 'sqlite' ? { client: 'sqlite', filename: url.slice('sqlite:'.length) } : { client: 'mysql', url });
  await db.migrateLatest();
  if (!(await db.knex('staff_members').where({ email: SCALE_INBOX_MANAGER }).first('id'))) {
    process.stderr.write(`Generating scale ${scale} (${JSON.stringify(countsFor(scale))}); kept for later runs.\n`);
    await seedScale(db.knex, { scale, now: Date.now(), passwordHashCost: 'standard', progress: (phase, done, total) => process.stderr.write(`  ${phase}: ${done}/${total}\n`) });
  }
  const manager = Number((await db.knex('staff_members').where({ email: SCALE_INBOX_MANAGER }).first('id')).id);
  const [closedCycle] = await db.knex('review_cycles').where({ status: 'closed' }).orderBy('starts_on', 'desc').pluck('id');
  const subject = Number((await db.knex('routed_items').where({ recipient_staff_member_id: manager }).first('subject_staff_member_id')).subject_staff_member_id);
  const dimension = Number((await db.knex('behaviour_dimensions').where({ active: true }).first('id')).id);

  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accountable-bench-mail-'));
  const env = { DATABASE_URL: url, NODE_ENV: 'development', LOG_LEVEL: 'warn', MAIL_DIR: mailDir, TRUST_PROXY: 'true' };
  const startApp = () => startServer(path.join(projectRoot, 'dist', 'server', 'index.js'), [], env, /is running at/);
  const startBaseline = () => startServer(path.join(projectRoot, 'dist', 'bench', 'baseline-server.js'), [], env, /baseline listening/);

  const rows: Row[] = [];
  const started = new Date().toISOString();
  // Written after every scenario, so a run stopped part-way keeps what it measured.
  const write = () => writeResults({ started, database: dialect, scale, counts: countsFor(scale), rounds, seconds, submissions, cores: os.cpus().length, node: process.version, results: rows }, only);
  if (only.has('idle')) {
    rows.push(...(await idle(rounds, { app: startApp, baseline: startBaseline })));
    write();
  }
  const [app, baseline] = [await startApp(), await startBaseline()];
  const ctx: BenchContext = { knex: db.knex, app, baseline, rounds, seconds, submissions };
  try {
    const run = async (name: string, scenario: () => Promise<Row[]>) => {
      if (!only.has(name)) return;
      process.stderr.write(`Running ${name}…\n`);
      rows.push(...(await scenario()));
      write();
    };
    await run('submit', () => submit(ctx, subject, dimension));
    await run('inbox', () => inbox(ctx, manager));
    await run('pages', () => pages(ctx, manager, Number(closedCycle)));
    await run('survey-answer', () => surveyAnswer(ctx));
    await run('fanout', () => fanout(ctx));
    await run('export', () => exportCycle(ctx, Number(closedCycle)));
  } finally {
    await Promise.all([app.stop(), baseline.stop()]);
  }
  try {
    if (only.has('aggregate')) {
      process.stderr.write('Running aggregate…\n');
      rows.push(...(await aggregate(db, env, rounds, Number(closedCycle), packets)));
      write();
    }
  } finally {
    await db.close();
  }

  process.stdout.write(`\nAccountable benchmark: ${dialect}, scale ${scale}, ${rounds} interleaved rounds of ${seconds} s, ${os.cpus().length} cores, Node ${process.version}\n\n${table(rows)}\n\n`);
  process.stdout.write(`Written to bench/results/latest.json\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
