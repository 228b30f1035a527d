import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger';
import { isDatabaseUnavailable } from './errors';
import type { Database } from './index';

/** Waits before start-up attempt n + 1: 1 s, 2 s, 4 s … capped at 30 s. */
export function startRetryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 30_000);
}

/**
 * Migrates, waiting for a database that is not reachable yet (starting with the process, or being
 * restarted) instead of exiting: every failed attempt is logged. Any other error (a migration that
 * fails) reaches the caller.
 */
export async function migrateWhenReachable(db: Database, logger: Logger, pause: (ms: number) => Promise<unknown> = sleep): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.migrateLatest();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const waitMs = startRetryDelayMs(attempt);
      logger.warn({ attempt, code: (err as { code?: string }).code, waitMs, database: db.dialect }, 'database unavailable at start; trying again');
      await pause(waitMs);
    }
  }
}
