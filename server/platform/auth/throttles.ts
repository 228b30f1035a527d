import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { getOrCreateSecret } from '../db/secrets';
import { RateLimiterMySQL, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db';

export const MAX_EMAIL_REQUESTS_PER_ADDRESS = 30;

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

export interface ThrottleOptions {
  readonly clearExpired: boolean;
  /** Turns a client address into the key stored (see createAddressPseudonyms). */
  readonly addressKey: (address: string) => Promise<string>;
}

/**
 * A per-client limit: `take` counts one request from an address and says how long to wait once it
 * is over its limit; `peek` only reads.
 */
export function createAddressThrottle(db: Database, options: ThrottleOptions & { keyPrefix: string; points: number; durationSeconds: number }) {
  const limiter = createLimiterFactory(db, options.clearExpired)(options.keyPrefix, options.points, options.durationSeconds);
  return {
    /** Counts one request; returns seconds to wait when the client is over its limit, else 0. */
    take: async (address: string) => takePoint(limiter, await options.addressKey(address)),
    /** Gives back a point taken for a request that turned out fine. */
    give: async (address: string) => {
      await limiter.reward(await options.addressKey(address), 1);
    },
    /** Seconds to wait before the next request is allowed, without counting one. */
    async peek(address: string): Promise<number> {
      const res = await limiter.get(await options.addressKey(address));
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

/** The network an address belongs to (IPv4 /24, IPv6 /48): counters need no finer detail. */
export function addressNetwork(address: string): string {
  const v4 = address.replace(/^::ffff:/i, '').match(/^(\d+)\.(\d+)\.(\d+)\.\d+$/);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const groups = address.toLowerCase().split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

/**
 * Stand-ins for client addresses that can be counted but not read back: the network of the address,
 * keyed with a secret that changes every window (an hour) and is deleted when the window is over,
 * so no stored counter can be traced to an address afterwards (anonymous feedback must leave none).
 * The secret is cached per process for its window; the database is what every process shares.
 */
export function createAddressPseudonyms(knex: Knex, clock: Clock, windowMs = 3_600_000) {
  let cached: { window: number; secret: string } | undefined;
  const PREFIX = 'address-pseudonyms:';
  return async (address: string): Promise<string> => {
    const window = Math.floor(clock.now() / windowMs);
    if (cached?.window !== window) {
      const name = `${PREFIX}${window}`;
      cached = { window, secret: await getOrCreateSecret(knex, name, clock) };
      await knex('app_secrets').where('name', 'like', `${PREFIX}%`).whereNot({ name }).delete();
    }
    return `${window}.${createHmac('sha256', cached.secret).update(addressNetwork(address)).digest('hex')}`;
  };
}
