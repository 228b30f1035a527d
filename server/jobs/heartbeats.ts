import os from 'node:os';
import type { Knex } from 'knex';
import type { Clock } from '../platform/clock';
import { toNullableNumber } from '../platform/db/json';

/** A job is stale when no process has started or finished a run of it for this many of its intervals. */
export const STALE_AFTER_INTERVALS = 3;

/** Who runs a job, as the heartbeats name it: this host and process. */
export const thisProcess = (): string => `${os.hostname()}:${process.pid}`.slice(0, 160);

export interface Heartbeat {
  readonly job: string;
  readonly process: string;
  readonly intervalMs: number;
  readonly lastStartedAt: number;
  readonly lastFinishedAt: number | null;
  readonly lastSucceededAt: number | null;
  readonly lastError: string | null;
}

/** What /healthz says of one registered job: its last heartbeat from any process, and whether it is stale. */
export interface JobHealth {
  readonly job: string;
  readonly intervalMs: number;
  readonly stale: boolean;
  readonly lastHeartbeat: {
    readonly process: string;
    readonly startedAt: string;
    readonly finishedAt: string | null;
    readonly succeededAt: string | null;
    readonly error: string | null;
  } | null;
}

/** An error's code or class, never its message: messages can carry an address or a name. */
export function errorLabel(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,60}$/.test(code)) return code;
  return err instanceof Error ? err.constructor.name.slice(0, 60) : 'unknown';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function createHeartbeats(deps: { knex: Knex; clock: Clock; process?: string }) {
  const { knex, clock } = deps;
  const processName = deps.process ?? thisProcess();

  return {
    async started(job: string, intervalMs: number): Promise<void> {
      await knex('job_heartbeats')
        .insert({ job, process: processName, interval_ms: intervalMs, last_started_at: clock.now() })
        .onConflict(['job', 'process'])
        .merge(['interval_ms', 'last_started_at']);
    },

    async finished(job: string, error?: unknown): Promise<void> {
      const now = clock.now();
      await knex('job_heartbeats')
        .where({ job, process: processName })
        .update(error === undefined ? { last_finished_at: now, last_succeeded_at: now, last_error: null } : { last_finished_at: now, last_error: errorLabel(error) });
    },

    /** Each job's most recent heartbeat, whichever process wrote it. */
    async latest(): Promise<Map<string, Heartbeat>> {
      const rows = await knex('job_heartbeats')
        .select('job', 'process', 'interval_ms', 'last_started_at', 'last_finished_at', 'last_succeeded_at', 'last_error')
        .orderBy([{ column: 'job' }, { column: 'last_started_at', order: 'desc' }]);
      const latest = new Map<string, Heartbeat>();
      for (const r of rows) {
        if (latest.has(r.job)) continue;
        latest.set(r.job, {
          job: r.job,
          process: r.process,
          intervalMs: Number(r.interval_ms),
          lastStartedAt: Number(r.last_started_at),
          lastFinishedAt: toNullableNumber(r.last_finished_at),
          lastSucceededAt: toNullableNumber(r.last_succeeded_at),
          lastError: r.last_error ?? null,
        });
      }
      return latest;
    },

    /** The health of every registered job at the clock's now. */
    async health(registered: readonly { name: string; intervalMs: number }[]): Promise<JobHealth[]> {
      const latest = await this.latest();
      const now = clock.now();
      return registered.map(({ name, intervalMs }) => {
        const beat = latest.get(name);
        // The interval of the process that ran it, which may be configured apart from this one.
        const interval = beat?.intervalMs ?? intervalMs;
        // A run that outlasts its interval still counts from when it finished.
        const lastBeat = beat ? Math.max(beat.lastStartedAt, beat.lastFinishedAt ?? 0) : undefined;
        const stale = interval > 0 && (lastBeat === undefined || now - lastBeat > STALE_AFTER_INTERVALS * interval);
        return {
          job: name,
          intervalMs: interval,
          stale,
          lastHeartbeat: beat
            ? { process: beat.process, startedAt: iso(beat.lastStartedAt)!, finishedAt: iso(beat.lastFinishedAt), succeededAt: iso(beat.lastSucceededAt), error: beat.lastError }
            : null,
        };
      });
    },
  };
}

export type Heartbeats = ReturnType<typeof createHeartbeats>;
