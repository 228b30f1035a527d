import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { memberEmail, SCALE_HR, SCALE_INBOX_MANAGER, SCALE_PASSWORD } from '../server/demo/scale';
import { load, type LoadFigures, type LoadOptions, type LoadRequest } from './load';
import type { ServerProcess } from './processes';
import { signIn, type Session } from './sessions';
import { compare, runInterleaved, type Comparison } from './stats';

/** One figure of one scenario: the app's runs (`scenario`) against the baseline's, with their ratio. */
export type Row = Comparison & { readonly name: string; readonly unit: string; readonly note?: string };

export interface BenchContext {
  readonly knex: Knex;
  readonly app: ServerProcess;
  readonly baseline: ServerProcess;
  readonly rounds: number;
  readonly seconds: number;
  /** Submissions per run of the submit scenario (a fixed number, so each is answered and counted). */
  readonly submissions: number;
}

const UNITS: Record<keyof LoadFigures, string> = { rps: 'req/s', p50: 'ms', p99: 'ms', ok: 'responses', failed: 'responses', redirects: 'responses' };

/** Waits until the server answers /healthz quickly again: requests a run abandoned must not slow the next run. */
async function settle(server: ServerProcess): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const started = Date.now();
    await fetch(`${server.url}/healthz`).then((r) => r.text()).catch(() => undefined);
    if (Date.now() - started < 200) return;
  }
}

/** One interleaved load comparison, as table rows (req/s, p50, p99). */
export async function compareLoad(ctx: BenchContext, name: string, connections: number, app: Pick<LoadOptions, 'requests' | 'sessions' | 'amount'>, baseline: Pick<LoadOptions, 'requests' | 'amount'>, check?: (figures: LoadFigures[]) => Promise<string>): Promise<Row[]> {
  const appRuns: LoadFigures[] = [];
  const samples = await runInterleaved(ctx.rounds, {
    scenario: async () => {
      const figures = await load(ctx.app.url, { connections, seconds: ctx.seconds, ...app });
      appRuns.push(figures);
      await settle(ctx.app);
      return { rps: figures.rps, p50: figures.p50, p99: figures.p99 };
    },
    baseline: async () => {
      const figures = await load(ctx.baseline.url, { connections, seconds: ctx.seconds, ...baseline });
      await settle(ctx.baseline);
      return { rps: figures.rps, p50: figures.p50, p99: figures.p99 };
    },
  });
  const note = check ? await check(appRuns) : `app non-2xx: ${appRuns.map((r) => r.failed).join('/')}`;
  return compare(samples).map((c) => ({ ...c, name, unit: UNITS[c.figure as keyof LoadFigures], note }));
}

const submissionKey = () => randomBytes(16).toString('base64url');

/** Feedback POSTs from signed-in members (real sessions and CSRF tokens), named, confidential and anonymous in turn. */
export async function submit(ctx: BenchContext, subject: number, dimension: number): Promise<Row[]> {
  const sessions: Session[] = [];
  for (let n = 1; n <= 10; n++) sessions.push(await signIn(ctx.app.url, memberEmail(n), SCALE_PASSWORD, `/feedback/new?staff=${subject}`));
  const form = (attribution: string) => () =>
    new URLSearchParams({ staffMemberId: String(subject), kind: 'suggestion', attribution, comment: 'Drafts reach the group too close to the call.', context: 'Benchmark', [`rating_${dimension}`]: '4', submissionKey: submissionKey() }).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  // Each connection keeps one session and sends its CSRF token as a header. Anonymous senders come
  // from many addresses (behind a trusted proxy), as they would: one address would meet the rate limit.
  const sender = () => ({ ...headers, 'x-forwarded-for': `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.1` });
  const appRequests: LoadRequest[] = ['named', 'confidential', 'anonymous'].map((attribution) => ({ method: 'POST', path: '/feedback', headers: sender, body: form(attribution) }));
  const stored = async () => Number((await ctx.knex('routed_items').count({ n: '*' }).first())!.n);
  let before = await stored();
  return compareLoad(
    ctx,
    'submit (50 connections)',
    50,
    { requests: appRequests, sessions: sessions.map((s) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf })), amount: ctx.submissions },
    { requests: ['named', 'confidential', 'anonymous'].map((attribution) => ({ method: 'POST', path: '/feedback', headers: () => headers, body: form(attribution) })), amount: ctx.submissions * 10 },
    async (runs) => {
      const ok = runs.reduce((sum, r) => sum + r.ok, 0);
      const after = await stored();
      const routed = after - before;
      before = after;
      return `app: ${ok} 2xx, ${routed} items stored and routed${routed === ok ? ' (equal)' : ' (DIFFER)'}; non-2xx per run ${runs.map((r) => r.failed).join('/')}`;
    },
  );
}

/** The inbox manager's inbox: first, middle and last page, and filtered by status and by subject, at 10 connections. */
export async function inbox(ctx: BenchContext, recipient: number): Promise<Row[]> {
  const session = await signIn(ctx.app.url, SCALE_INBOX_MANAGER, SCALE_PASSWORD, '/inbox');
  const total = Number((await ctx.knex('routed_items').where({ recipient_staff_member_id: recipient }).andWhere('visible_at', '<=', Date.now()).count({ n: '*' }).first())!.n);
  const lastPage = Math.max(1, Math.ceil(total / 20));
  const subject = await ctx.knex('routed_items').where({ recipient_staff_member_id: recipient }).first('subject_staff_member_id');
  const variants: Array<[string, string]> = [
    ['first page', 'page=1'],
    ['middle page', `page=${Math.ceil(lastPage / 2)}`],
    ['last page', `page=${lastPage}`],
    ['status filter', 'status=received'],
    ['subject filter', `staff=${subject.subject_staff_member_id}`],
  ];
  const rows: Row[] = [];
  for (const [label, query] of variants) {
    rows.push(...(await compareLoad(ctx, `inbox ${label}`, 10, { requests: [{ path: `/inbox?${query}` }], sessions: [{ cookie: session.cookie }] }, { requests: [{ path: `/inbox?recipient=${recipient}&${query}` }] })));
  }
  return rows;
}

/**
 * Packet, packets list, reviews index, HR's progress and trends, the public service-level page and the
 * public staff picker, at 10 connections in timed runs: req/s, p50, p99. A page slower than a run
 * leaves its requests to finish before the next run (see settle).
 */
export async function pages(ctx: BenchContext, manager: number, cycleId: number): Promise<Row[]> {
  const cycle = await ctx.knex('review_cycles').where({ id: cycleId }).first('starts_on', 'ends_on');
  const from = Date.parse(`${cycle.starts_on}T00:00:00Z`);
  const to = Date.parse(`${cycle.ends_on}T00:00:00Z`) + 86_400_000;
  const report = await ctx.knex('routed_items').where({ recipient_staff_member_id: manager }).first('subject_staff_member_id');
  const staff = Number(report.subject_staff_member_id);
  const managerSession = await signIn(ctx.app.url, SCALE_INBOX_MANAGER, SCALE_PASSWORD, '/inbox');
  const hrSession = await signIn(ctx.app.url, SCALE_HR, SCALE_PASSWORD, '/inbox');
  const period = `from=${from}&to=${to}`;
  const list: Array<[string, string, Record<string, string> | undefined, string]> = [
    ['packet', `/reviews/${cycleId}/packets/${staff}`, { cookie: managerSession.cookie }, `/packet?staff=${staff}&${period}`],
    ['packets list', `/reviews/${cycleId}/packets`, { cookie: managerSession.cookie }, `/packets?manager=${manager}&${period}`],
    ['reviews index', '/reviews', { cookie: managerSession.cookie }, `/reviews?staff=${staff}`],
    ['progress (HR)', `/reviews/${cycleId}/progress`, { cookie: hrSession.cookie }, `/progress?cycle=${cycleId}`],
    ['trends (HR)', '/reviews/trends', { cookie: hrSession.cookie }, '/trends'],
    ['public service levels', '/service-levels', undefined, '/service-levels'],
    ['public staff picker', '/feedback/new?q=Amara', undefined, '/staff-picker?q=Amara'],
  ];
  const rows: Row[] = [];
  for (const [label, appPath, session, baselinePath] of list) {
    rows.push(...(await compareLoad(ctx, label, 10, { requests: [{ path: appPath }], sessions: session ? [session] : undefined }, { requests: [{ path: baselinePath }] })));
  }
  return rows;
}

/** Resident memory of the started, idle server against the bare baseline's, each measured once a round. */
export async function idle(rounds: number, start: { app: () => Promise<ServerProcess>; baseline: () => Promise<ServerProcess> }): Promise<Row[]> {
  const measure = async (open: () => Promise<ServerProcess>) => {
    const server = await open();
    // A moment for start-up work (template compilation, first sweeps) to settle.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await fetch(`${server.url}/`).then((r) => r.text());
    const mb = server.rssMb();
    await server.stop();
    return { rss: mb };
  };
  const samples = await runInterleaved(rounds, { scenario: () => measure(start.app), baseline: () => measure(start.baseline) });
  return compare(samples).map((c) => ({ ...c, name: 'idle memory', unit: 'MB' }));
}
