import type { Knex } from 'knex';
import { DEVICE_TTL_MS } from '../features/accounts';
import type { Clock } from '../platform/clock';
import type { Dialect } from '../platform/db';
import type { Logger } from '../platform/logger';

/** Sent and failed e-mails keep only their subject and template once done; a month later the row goes too. */
export const OUTBOX_RETENTION_MS = 30 * 86_400_000;
const BATCH = 500;
/** A process's heartbeats outlive it by a week (each restart is a new host:pid), long enough to read what happened. */
export const HEARTBEAT_RETENTION_MS = 7 * 86_400_000;

/**
 * Deletes the rows of `table` that `due` selects, by primary key, a batch at a time. Reading keys
 * first and deleting only those (rechecking `due`) keeps InnoDB from locking ranges that sign-ins
 * and sessions are inserting into, and keeps each statement short.
 */
async function deleteDue(knex: Knex, table: string, key: string, due: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
  let deleted = 0;
  for (;;) {
    const keys = (await due(knex(table).select(key)).limit(BATCH)).map((r: Record<string, unknown>) => r[key]);
    if (keys.length === 0) return deleted;
    deleted += await due(knex(table).whereIn(key, keys as string[])).delete();
    if (keys.length < BATCH) return deleted;
  }
}

/**
 * Each task deletes one kind of personal data whose time is up and says how many rows went.
 * Every task is idempotent, so several processes may run the sweep at once.
 */
function retentionTasks(knex: Knex, dialect: Dialect, now: number, expireExports: () => Promise<number>): Record<string, () => Promise<number>> {
  // The session store writes the expiry as an ISO date (SQLite) or a UTC DATETIME (MySQL).
  const iso = new Date(now).toISOString();
  const sessionOver = (q: Knex.QueryBuilder) => (dialect === 'mysql' ? q.where('expired', '<', iso.slice(0, 19).replace('T', ' ')) : q.whereRaw('datetime(expired) < datetime(?)', [iso]));
  return {
    // Background export files (names, comments): their job row stays, marked expired.
    exports: expireExports,
    // Signed-in sessions, eight hours after they were last changed.
    sessions: () => deleteDue(knex, 'sessions', 'sid', sessionOver),
    // E-mail verification and password reset tokens, once used or expired.
    accountTokens: () => deleteDue(knex, 'account_tokens', 'id', (q) => q.where((w) => w.whereNotNull('used_at').orWhere('expires_at', '<=', now))),
    // Browsers that signed in before and have not for a year: no longer trusted, so no longer kept.
    signInDevices: () => deleteDue(knex, 'sign_in_devices', 'id', (q) => q.where('last_used_at', '<', now - DEVICE_TTL_MS)),
    // Failed sign-in counts per account, browser and network, once their window is over (sign-ins
    // purge some as they go; this catches the rest).
    signInCounters: () => deleteDue(knex, 'sign_in_counters', 'counter_key', (q) => q.where('window_ends_at', '<=', now)),
    // Request counters (keyed by hashed addresses), once their window is over.
    rateLimits: () => deleteDue(knex, 'rate_limits', 'key', (q) => q.where('expire', '<', now)),
    // What is left of a sent or given-up e-mail (its subject, which may name a staff member).
    outbox: () => deleteDue(knex, 'outbox_messages', 'id', (q) => q.whereIn('status', ['sent', 'failed']).where('created_at', '<', now - OUTBOX_RETENTION_MS)),
    // Not personal data, but one row per job per process that ever ran: gone processes' rows go.
    jobHeartbeats: () => deleteDue(knex, 'job_heartbeats', 'process', (q) => q.where('last_started_at', '<', now - HEARTBEAT_RETENTION_MS)),
  };
}

/** The job that enforces the retention the README states for each kind of personal data. */
export function createRetentionSweep(deps: { knex: Knex; dialect: Dialect; clock: Clock; logger: Logger; expireExports: () => Promise<number> }) {
  const { knex, dialect, clock, logger, expireExports } = deps;
  async function runOnce(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const [name, task] of Object.entries(retentionTasks(knex, dialect, clock.now(), expireExports))) deleted[name] = await task();
    if (Object.values(deleted).some((n) => n > 0)) logger.info({ deleted }, 'retention sweep');
    return deleted;
  }
  return { runOnce };
}

export type RetentionSweep = ReturnType<typeof createRetentionSweep>;
