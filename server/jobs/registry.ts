import type { Logger } from '../platform/logger';
import type { Heartbeats, JobHealth } from './heartbeats';
import { periodic } from './periodic';

export interface RegisteredJob {
  readonly name: string;
  /** 0 leaves the job off. */
  readonly intervalMs: number;
}

/**
 * Every background job, registered once with its name and interval. Every process registers them
 * all (so its /healthz can report on them); only a process whose role runs jobs starts them, and
 * each run leaves a heartbeat in the database.
 */
export function createJobRegistry(deps: { heartbeats: Heartbeats; logger: Logger }) {
  const { heartbeats, logger } = deps;
  const jobs = new Map<string, RegisteredJob & { run: () => Promise<unknown>; runner: ReturnType<typeof periodic> }>();
  let started = false;
  // The heartbeat brackets the run: a start with no finish after it is a run in flight (or one that died).
  const runWithHeartbeat = async (name: string): Promise<unknown> => {
    const job = jobs.get(name);
    if (!job) throw new Error(`no job ${name} is registered`);
    await heartbeats.started(name, job.intervalMs);
    let result: unknown;
    try {
      result = await job.run();
    } catch (err) {
      await heartbeats.finished(name, err);
      throw err;
    }
    await heartbeats.finished(name);
    return result;
  };
  const list = (): RegisteredJob[] => [...jobs.values()].map(({ name, intervalMs }) => ({ name, intervalMs }));

  return {
    register(name: string, intervalMs: number, run: () => Promise<unknown>): void {
      if (jobs.has(name)) throw new Error(`job ${name} is registered twice`);
      if (started) throw new Error(`job ${name} is registered after the jobs started`);
      jobs.set(name, { name, intervalMs, run, runner: periodic(name, () => runWithHeartbeat(name), logger) });
    },

    list,

    /** Runs one job now, as its timer would, heartbeat and all. */
    runOnce: runWithHeartbeat,

    /** Starts every job whose interval is not 0: what a worker (or an all-in-one process) does. */
    startAll(): void {
      started = true;
      for (const { runner, intervalMs } of jobs.values()) runner.start(intervalMs);
    },

    /** Stops the timers and waits for the runs in flight. */
    async stopAll(): Promise<void> {
      await Promise.all([...jobs.values()].map(({ runner }) => runner.stop()));
    },

    health(): Promise<JobHealth[]> {
      return heartbeats.health(list());
    },
  };
}

export type JobRegistry = ReturnType<typeof createJobRegistry>;
