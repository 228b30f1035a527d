import type { Knex } from 'knex';
import type { Clock } from '../platform/clock';
import type { Dialect } from '../platform/db';
import type { Logger } from '../platform/logger';
import { periodic } from './periodic';

/** Sent and failed e-mails keep only their subject and template once done; a month later the row goes too. */
export const OUTBOX_RETENTION_MS = 30 * 86_400_000;

/**
 * Each task deletes one kind of personal data whose time is up and says how many rows went.
 * Every task is idempotent, so several processes may run the sweep at once.
 */
function retentionTasks(knex: Knex, dialect: Dialect, now: number, expireExports: () => Promise<number>): Record<string, () => Promise<number>> {
  return {
    // Background export files (names, comments): their job row stays, marked expired.
    exports: expireExports,
    // Signed-in sessions, eight hours after they were last changed. The store writes the expiry as
    // an ISO date (SQLite) or a UTC DATETIME (MySQL).
    sessions: () => {
      const iso = new Date(now).toISOString();
      return dialect === 'mysql'
        ? knex('sessions').where('expired', '<', iso.slice(0, 19).replace('T', ' ')).delete()
        : knex('sessions').whereRaw('datetime(expired) < datetime(?)', [iso]).delete();
    },
    // E-mail verification and password reset tokens, once used or expired.
    accountTokens: () => knex('account_tokens').whereNotNull('used_at').orWhere('expires_at', '<=', now).delete(),
    // Sign-in and request counters (keyed by hashed addresses), once their window is over.
    rateLimits: () => knex('rate_limits').where('expire', '<', now).delete(),
    // What is left of a sent or given-up e-mail (its subject, which may name a staff member).
    outbox: () => knex('outbox_messages').whereIn('status', ['sent', 'failed']).where('created_at', '<', now - OUTBOX_RETENTION_MS).delete(),
  };
}

/** The periodic job that enforces the retention the README states for each kind of personal data. */
export function createRetentionSweep(deps: { knex: Knex; dialect: Dialect; clock: Clock; logger: Logger; expireExports: () => Promise<number> }) {
  const { knex, dialect, clock, logger, expireExports } = deps;
  async function runOnce(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const [name, task] of Object.entries(retentionTasks(knex, dialect, clock.now(), expireExports))) deleted[name] = await task();
    if (Object.values(deleted).some((n) => n > 0)) logger.info({ deleted }, 'retention sweep');
    return deleted;
  }
  return { runOnce, ...periodic('retention', runOnce, logger) };
}

export type RetentionSweep = ReturnType<typeof createRetentionSweep>;
