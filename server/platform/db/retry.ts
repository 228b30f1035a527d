import type { Knex } from 'knex';

// MariaDB errnos of a transaction that lost a conflict and was rolled back whole: 1213 is a
// deadlock, and also what Galera reports when certification fails (another node committed a
// conflicting write first); 1205 is a lock wait timeout. Running the transaction again is safe.
const CONFLICT_ERRNOS = new Set([1213, 1205]);

export const CONFLICT_ATTEMPTS = 5;

/** True when a write lost a conflict with a concurrent one (locally or on another Galera node). */
export function isConflict(err: unknown): boolean {
  return CONFLICT_ERRNOS.has((err as { errno?: number })?.errno as number);
}

export interface RetryOptions {
  /** How many times `work` runs at most. */
  readonly attempts?: number;
  /** Waits before attempt n (2-based); a short random pause spreads out writers that collided. */
  readonly pause?: (attempt: number) => Promise<void>;
}

const randomPause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));

/**
 * Runs `work` again when it fails with a conflict, up to a bound; any other error, and the last
 * conflict, reach the caller. `work` must be a whole transaction (or one statement), so that a
 * retry starts from nothing: a conflict rolls back everything the attempt wrote.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? CONFLICT_ATTEMPTS;
  const pause = options.pause ?? randomPause;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isConflict(err)) throw err;
      await pause(attempt + 1);
    }
  }
}

/** A transaction that is run again from the start when it loses a conflict (see retryOnConflict). */
export function transactionWithRetry<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>, options?: RetryOptions): Promise<T> {
  return retryOnConflict(() => knex.transaction(work), options);
}
