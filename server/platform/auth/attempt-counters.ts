import type { Knex } from 'knex';
import type { Clock } from '../clock';

type Db = Knex | Knex.Transaction;

export interface CounterState {
  /** Attempts counted in the current window (0 when there is none). */
  readonly attempts: number;
  readonly windowEndsAt: number;
}

/**
 * Counts attempts per key in the database (every process shares them), in windows that start at
 * the first attempt, on the injected clock. Keys are pseudonyms or digests, never raw addresses.
 */
export function createAttemptCounters(knex: Knex, clock: Clock) {
  const read = async (key: string, db: Db = knex): Promise<CounterState> => {
    const row = await db('sign_in_counters').select('attempts', 'window_ends_at').where({ counter_key: key }).first();
    const windowEndsAt = Number(row?.window_ends_at ?? 0);
    return windowEndsAt > clock.now() ? { attempts: Number(row!.attempts), windowEndsAt } : { attempts: 0, windowEndsAt: 0 };
  };

  return {
    read,

    /**
     * Counts one attempt, atomically (one upsert, so parallel attempts each get a distinct count),
     * and returns the state with this attempt included.
     */
    async count(key: string, windowMs: number, db: Db = knex): Promise<CounterState> {
      const now = clock.now();
      const expired = db.raw('?? <= ?', ['sign_in_counters.window_ends_at', now]);
      await db('sign_in_counters')
        .insert({ counter_key: key, attempts: 1, window_ends_at: now + windowMs })
        .onConflict('counter_key')
        // MySQL assigns left to right: attempts is set while window_ends_at still holds the old value.
        .merge({
          attempts: db.raw('CASE WHEN ? THEN 1 ELSE ?? + 1 END', [expired, 'sign_in_counters.attempts']),
          window_ends_at: db.raw('CASE WHEN ? THEN ? ELSE ?? END', [expired, now + windowMs, 'sign_in_counters.window_ends_at']),
        });
      return read(key, db);
    },

    async clear(key: string, db: Db = knex): Promise<void> {
      await db('sign_in_counters').where({ counter_key: key }).delete();
    },

    /**
     * Deletes counters whose window is over, a batch at a time, by key: a range delete would lock
     * index gaps on InnoDB and deadlock with parallel attempts inserting into them.
     */
    async purgeExpired(db: Db = knex): Promise<void> {
      const now = clock.now();
      const rows = await db('sign_in_counters').select('counter_key').where('window_ends_at', '<=', now).limit(100);
      if (rows.length === 0) return;
      await db('sign_in_counters').whereIn('counter_key', rows.map((r) => String(r.counter_key))).where('window_ends_at', '<=', now).delete();
    },
  };
}

export type AttemptCounters = ReturnType<typeof createAttemptCounters>;
