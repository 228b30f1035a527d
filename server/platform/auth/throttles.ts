import { createHash, createHmac } from 'node:crypto';
import { RateLimiterMySQL, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db';

export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_EMAIL_REQUESTS_PER_ADDRESS = 30;
export const MAX_FAILURES_PER_ADDRESS = 50;
export const LOCKOUT_SECONDS = 15 * 60;

// Counters live in the rate_limits table (created by a migration), shared by every process.
function createLimiterFactory(db: Database, clearExpired: boolean) {
  return (keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract => {
    const limiterOptions: ConstructorParameters<typeof RateLimiterSQLite>[0] = {
      storeClient: db.knex,
      storeType: 'knex',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix,
      points,
      duration: durationSeconds,
      blockDuration: durationSeconds,
      clearExpiredByTimeout: clearExpired,
    };
    return db.dialect === 'mysql' ? new RateLimiterMySQL({ ...limiterOptions, dbName: db.name }) : new RateLimiterSQLite(limiterOptions);
  };
}

/** Counts one point; returns the seconds to wait when the key is over its limit, else 0. */
async function takePoint(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (refusal) {
    // The limiter rejects with its state when over the limit, and with an Error when the store fails.
    if (refusal instanceof Error) throw refusal;
    return Math.ceil((refusal as { msBeforeNext: number }).msBeforeNext / 1000);
  }
}

/**
 * Counts sign-in attempts per e-mail address and per client address, in the database so every
 * process shares the counts; a successful sign-in clears the account's count. The per-e-mail count is what stops an attacker who rotates
 * X-Forwarded-For (which is ignored unless TRUST_PROXY is set): the sixth try is refused whoever sends it.
 * E-mail addresses are hashed before they become keys.
 */
export interface ThrottleOptions {
  readonly clearExpired: boolean;
  /** Turns a client address into the key stored (see addressPseudonym). */
  readonly addressKey: (address: string) => string;
}

export function createSignInThrottle(db: Database, options: ThrottleOptions) {
  const limiter = createLimiterFactory(db, options.clearExpired);
  const perAccount = limiter('signin_account', MAX_FAILURES_PER_ACCOUNT, LOCKOUT_SECONDS);
  const perAddress = limiter('signin_address', MAX_FAILURES_PER_ADDRESS, LOCKOUT_SECONDS);
  const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

  return {
    /**
     * Counts an attempt before the password is checked (atomically, in the database), so parallel
     * guesses cannot all pass a check made before any was counted. Returns the seconds to wait
     * when the account or the client is over its limit, else 0.
     */
    async beginAttempt(email: string, address: string): Promise<number> {
      const [account, client] = await Promise.all([takePoint(perAccount, accountKey(email)), takePoint(perAddress, options.addressKey(address))]);
      return Math.max(account, client);
    },
    /** A right password clears the account's count and gives the client its attempt back. */
    async recordSuccess(email: string, address: string): Promise<void> {
      await Promise.all([perAccount.delete(accountKey(email)), perAddress.reward(options.addressKey(address), 1)]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

/**
 * A per-client limit: `take` counts one request from an address and says how long to wait once it
 * is over its limit; `peek` only reads.
 */
export function createAddressThrottle(db: Database, options: ThrottleOptions & { keyPrefix: string; points: number; durationSeconds: number }) {
  const limiter = createLimiterFactory(db, options.clearExpired)(options.keyPrefix, options.points, options.durationSeconds);
  return {
    /** Counts one request; returns seconds to wait when the client is over its limit, else 0. */
    take: (address: string) => takePoint(limiter, options.addressKey(address)),
    /** Seconds to wait before the next request is allowed, without counting one. */
    async peek(address: string): Promise<number> {
      const res = await limiter.get(options.addressKey(address));
      return res && res.consumedPoints >= options.points ? Math.ceil(res.msBeforeNext / 1000) : 0;
    },
  };
}

export type AddressThrottle = ReturnType<typeof createAddressThrottle>;

/**
 * Limits requests that make the application send an e-mail to an address someone typed
 * (sign-up, password reset), per client address, so the forms cannot be used to flood an inbox.
 */
export function createEmailRequestThrottle(db: Database, options: ThrottleOptions): AddressThrottle {
  return createAddressThrottle(db, { ...options, keyPrefix: 'email_requests', points: MAX_EMAIL_REQUESTS_PER_ADDRESS, durationSeconds: 3600 });
}

/**
 * A stand-in for a client address that can be counted but not read back: counters never store an
 * address (anonymous feedback must not leave one behind).
 */
export function addressPseudonym(secret: string, address: string): string {
  return createHmac('sha256', secret).update(address).digest('hex');
}
