import { SCALE_HR, SCALE_PASSWORD } from '../server/demo/scale';
import { probeWaits } from './probe';
import type { ServerProcess } from './processes';
import type { BenchContext, Row } from './scenarios';
import { signIn } from './sessions';
import { compare, runInterleaved } from './stats';

/** The highest resident memory of a process while `work` runs, sampled from /proc every 50 ms. */
async function peakRss<T>(server: ServerProcess, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = server.rssMb();
  const timer = setInterval(() => (peakMb = Math.max(peakMb, server.rssMb())), 50);
  try {
    return { result: await work(), peakMb };
  } finally {
    clearInterval(timer);
    peakMb = Math.max(peakMb, server.rssMb());
  }
}

/**
 * A cycle's CSV and XLSX export as HR asks for it (the form, then the job's page until the file is
 * built), against the baseline process streaming the same rows from one SELECT per sheet to a file;
 * each side's rows per second (the app's from the job's start to its end, without the wait for the
 * background job's turn), its peak resident memory, and the longest wait of another request
 * (a visitor reading /healthz, or the baseline's staff picker) meanwhile.
 */
export async function exportCycle(ctx: BenchContext, cycleId: number): Promise<Row[]> {
  const cycle = await ctx.knex('review_cycles').where({ id: cycleId }).first('starts_on', 'ends_on');
  const from = Date.parse(`${cycle.starts_on}T00:00:00Z`);
  const to = Date.parse(`${cycle.ends_on}T00:00:00Z`) + 86_400_000;
  const rows: Row[] = [];
  for (const format of ['csv', 'xlsx'] as const) {
    let built = 0;
    let xlsxRows: number | undefined;
    const samples = await runInterleaved(ctx.rounds, {
      scenario: async () => {
        const session = await signIn(ctx.app.url, SCALE_HR, SCALE_PASSWORD, `/reviews/${cycleId}/progress`);
        const probe = probeWaits(`${ctx.app.url}/healthz`);
        const { result, peakMb } = await peakRss(ctx.app, async () => {
          const requested = await fetch(`${ctx.app.url}/reviews/${cycleId}/exports`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ format, _csrf: session.csrf }).toString(),
          });
          const job = `${ctx.app.url}${requested.headers.get('location')}`;
          let started: number | null = null;
          for (;;) {
            const status = (await (await fetch(job, { headers: { cookie: session.cookie, accept: 'application/json' } })).json()) as { status: string; total: number };
            if (status.status === 'running') started ??= performance.now();
            if (status.status === 'done' || status.status === 'failed') {
              if (status.status === 'failed') throw new Error(`the ${format} export failed`);
              return { ms: performance.now() - (started ?? performance.now()), file: await (await fetch(`${job}/download`, { headers: { cookie: session.cookie } })).arrayBuffer() };
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        });
        const waits = await probe.stop();
        built = result.file.byteLength;
        // The CSV's rows are its lines after the header (no cell holds a line break in this sheet); the
        // workbook's, the baseline's count of the same rows.
        const exported = format === 'csv' ? new Uint8Array(result.file).reduce((n, byte) => n + (byte === 10 ? 1 : 0), 0) - 1 : null;
        return { rowsPerSecond: ((exported ?? (xlsxRows ??= await baselineRows(ctx.baseline, format, from, to))) / result.ms) * 1000, peakRssMb: peakMb, longestWaitMs: waits.longest };
      },
      baseline: async () => {
        const probe = probeWaits(`${ctx.baseline.url}/staff-picker?q=a`);
        const started = performance.now();
        const { result, peakMb } = await peakRss(ctx.baseline, () => baselineRows(ctx.baseline, format, from, to));
        const ms = performance.now() - started;
        const waits = await probe.stop();
        return { rowsPerSecond: (result / ms) * 1000, peakRssMb: peakMb, longestWaitMs: waits.longest };
      },
    });
    const units: Record<string, string> = { rowsPerSecond: 'rows/s', peakRssMb: 'MB', longestWaitMs: 'ms' };
    rows.push(...compare(samples).map((c) => ({ ...c, name: `export ${format}`, unit: units[c.figure]!, note: `file ${(built / 1e6).toFixed(1)} MB` })));
  }
  return rows;
}

async function baselineRows(baseline: ServerProcess, format: string, from: number, to: number): Promise<number> {
  return ((await (await fetch(`${baseline.url}/export?format=${format}&from=${from}&to=${to}`)).json()) as { rows: number }).rows;
}
