import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { AttemptCounters } from '../../platform/auth/attempt-counters';
import type { PasswordHasher } from '../../platform/auth/passwords';
import type { Actor } from '../../platform/auth/roles';
import { digestToken, newSecretToken } from '../../platform/auth/tokens';
import type { Clock } from '../../platform/clock';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import type { AccountRecord, AccountsRepository } from './accounts.repository';
import type { DevicesRepository } from './devices.repository';

export const FAILURE_WINDOW_MS = 15 * 60_000;
/** Wrong passwords per account from browsers it has never signed in from, per window. */
export const UNTRUSTED_FAILURES_PER_ACCOUNT = 5;
/** Wrong passwords from one known browser, per window: its own budget, apart from everyone else's. */
export const FAILURES_PER_DEVICE = 5;
/** Wrong passwords from one network per window before its untrusted sign-ins are slowed down. */
export const FREE_FAILURES_PER_NETWORK = 50;
export const MAX_NETWORK_PAUSE_MS = 10_000;
/** A browser that has not signed in for this long is a stranger again. */
export const DEVICE_TTL_MS = 365 * 86_400_000;
/** The owner hears about failed sign-ins at most once in this time. */
export const FAILURE_NOTICE_WINDOW_MS = 24 * 3600_000;

export type SignInOutcome = { outcome: 'ok'; actor: Actor; deviceToken: string } | { outcome: 'invalid' } | { outcome: 'locked'; retryAfterSeconds: number };

export interface SignInAttempt {
  readonly email: string;
  readonly password: string;
  readonly address: string;
  /** The device cookie the browser sent, if any. */
  readonly deviceToken?: string;
}

export interface SignInDeps {
  knex: Knex;
  repository: AccountsRepository;
  devices: DevicesRepository;
  counters: AttemptCounters;
  passwords: PasswordHasher;
  outbox: Outbox;
  emails: EmailComposer;
  clock: Clock;
  publicUrl: string;
  /** Turns a client address into the pseudonym of its network (see createAddressPseudonyms). */
  addressKey: (address: string) => Promise<string>;
  /** Holds an answer back; tests replace it so nothing sleeps. */
  pause: (ms: number) => Promise<void>;
}

/** The pause before checking a password from a network with this many recent failures: none within its budget, then 0.5 s, 1 s, 2 s … */
export function networkPauseMs(networkFailures: number): number {
  const over = networkFailures - FREE_FAILURES_PER_NETWORK;
  return over >= 0 ? Math.min(500 * 2 ** over, MAX_NETWORK_PAUSE_MS) : 0;
}

const accountKey = (email: string) => `account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
const deviceKey = (deviceId: number) => `device:${deviceId}`;

/**
 * Sign-in after OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a browser that has
 * signed in to the account before carries a device cookie and spends its own failure budget, so
 * guesses from elsewhere cannot lock the owner out; browsers without one share the account's budget;
 * a network that guesses a lot is slowed down, never refused, so the right password still works
 * for everyone behind it.
 */
export function createSignInService(deps: SignInDeps) {
  const { knex, repository, devices, counters, passwords, outbox, emails, clock, publicUrl, addressKey, pause } = deps;

  /** Tells the owner their budget ran out, once per notice window, in their language. */
  async function noticeFailures(account: AccountRecord): Promise<void> {
    await knex.transaction(async (trx) => {
      const notice = await counters.count(`notice:${account.id}`, FAILURE_NOTICE_WINDOW_MS, trx);
      if (notice.attempts !== 1) return;
      await outbox.enqueue(trx, emails.compose('sign-in-failures', account.email, account.locale, { minutes: FAILURE_WINDOW_MS / 60_000, resetLink: `${publicUrl}/reset-password` }));
    });
  }

  /** Replaces the browser's device cookie with a new one (a stolen old one stops working). */
  async function issueDevice(accountId: number, previous: { id: number } | undefined): Promise<string> {
    const { token, digest } = newSecretToken();
    // No transaction is needed: a left-over old row is harmless, and is gone at the next sign-in.
    await devices.insert(accountId, digest, clock.now());
    await devices.delete([...(previous ? [previous.id] : []), ...(await devices.staleIds(accountId, clock.now() - DEVICE_TTL_MS))]);
    return token;
  }

  return {
    /** Clears the strangers' failure count of an account. */
    forgetFailures: (email: string) => counters.clear(accountKey(email)),

    async signIn(attempt: SignInAttempt): Promise<SignInOutcome> {
      const account = await repository.findByEmail(attempt.email);
      const device = account && attempt.deviceToken ? await devices.findUsable(digestToken(attempt.deviceToken), account.id, clock.now() - DEVICE_TTL_MS) : undefined;
      // Counted before the password is checked, so parallel guesses cannot all slip in.
      const budgetKey = device ? deviceKey(device.id) : accountKey(attempt.email);
      const budget = await counters.count(budgetKey, FAILURE_WINDOW_MS);
      const limit = device ? FAILURES_PER_DEVICE : UNTRUSTED_FAILURES_PER_ACCOUNT;
      if (budget.attempts > limit) return { outcome: 'locked', retryAfterSeconds: Math.ceil((budget.windowEndsAt - clock.now()) / 1000) };

      const networkKey = device ? undefined : `network:${await addressKey(attempt.address)}`;
      if (networkKey) {
        const pauseMs = networkPauseMs((await counters.read(networkKey)).attempts);
        if (pauseMs > 0) await pause(pauseMs);
      }

      // An unverified account has no password yet, so it fails here exactly like an unknown address.
      const ok = await passwords.verify(account?.passwordHash ?? null, attempt.password);
      const actor = ok && account && account.emailVerifiedAt !== null ? await repository.findActor(account.id) : undefined;
      if (!account || !actor) {
        if (networkKey) {
          await counters.count(networkKey, FAILURE_WINDOW_MS);
          // Network pseudonyms change every hour, so old counters are dropped as new ones arrive.
          await counters.purgeExpired();
        }
        if (account && budget.attempts === limit) await noticeFailures(account);
        return { outcome: 'invalid' };
      }
      // A known browser's success leaves the strangers' count alone: the attack may still be going on.
      await counters.clear(budgetKey);
      return { outcome: 'ok', actor, deviceToken: await issueDevice(account.id, device) };
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
