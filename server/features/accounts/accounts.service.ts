import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { PasswordHasher } from '../../platform/auth/passwords';
import { digestToken, newSecretToken } from '../../platform/auth/tokens';
import type { Clock } from '../../platform/clock';
import { NotFoundError } from '../../platform/errors';
import { pageCountOf } from '../../platform/http/forms';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox } from '../../platform/mail/outbox';
import type { AccountsRepository, AccountSummary } from './accounts.repository';
import type { SignUpInput } from './accounts.schema';
import { isUniqueViolation } from '../../platform/db/errors';

export const VERIFY_TOKEN_TTL_MS = 48 * 3600_000;
export const RESET_TOKEN_TTL_MS = 3600_000;

export interface AccountsServiceDeps {
  knex: Knex;
  repository: AccountsRepository;
  passwords: PasswordHasher;
  outbox: Outbox;
  emails: EmailComposer;
  audit: AuditLog;
  clock: Clock;
  publicUrl: string;
  /** Lifts the lockout of strangers' sign-ins to an account (a reset proves the mailbox). */
  forgetSignInFailures: (email: string) => Promise<void>;
}

export function createAccountsService(deps: AccountsServiceDeps) {
  const { knex, repository, passwords, outbox, emails, audit, clock, publicUrl, forgetSignInFailures } = deps;

  async function sendVerification(accountId: number, email: string, locale: string, trx: Knex.Transaction): Promise<void> {
    const { token, digest } = newSecretToken();
    await repository.expireTokens(accountId, 'verify-email', trx);
    await repository.insertToken(accountId, 'verify-email', digest, clock.now() + VERIFY_TOKEN_TTL_MS, trx);
    await outbox.enqueue(trx, emails.compose('verify-email', email, locale, { link: `${publicUrl}/verify/${token}`, hours: VERIFY_TOKEN_TTL_MS / 3600_000 }));
  }

  return {
    findActor: (accountId: number) => repository.findActor(accountId),
    sessionWithActor: (sid: string, at: Date) => repository.sessionWithActor(sid, at),

    /**
     * Starts a community account: an account without a password, and a link to the address to
     * choose one. An address that already has a verified account gets a notice instead; one that is
     * still unverified gets a fresh link. The caller sees the same outcome in every case.
     */
    async register(input: SignUpInput, locale: string): Promise<void> {
      const attempt = () =>
        knex.transaction(async (trx) => {
          const existing = await repository.findByEmail(input.email, trx);
          if (existing?.emailVerifiedAt != null) {
            await outbox.enqueue(trx, emails.compose('already-registered', existing.email, existing.locale, { signInLink: `${publicUrl}/sign-in`, resetLink: `${publicUrl}/reset-password` }));
            return;
          }
          const id = existing?.id ?? (await repository.insert({ email: input.email, displayName: input.displayName, passwordHash: null, verified: false, staffMemberId: null, locale }, trx));
          if (!existing) await repository.replaceStoredRoles(id, ['member'], trx);
          await sendVerification(id, input.email, locale, trx);
        });
      try {
        await attempt();
      } catch (err) {
        // Two sign-ups for one new address at once: the other created it; this one sends a link.
        if (!isUniqueViolation(err)) throw err;
        await attempt();
      }
    },

    /** Whether a verification link can still be used, and the name given at sign-up (to pre-fill). */
    async verificationFor(token: string): Promise<{ displayName: string } | undefined> {
      const accountId = await repository.tokenAccount(digestToken(token), 'verify-email');
      const account = accountId === undefined ? undefined : await repository.findById(accountId);
      return account ? { displayName: account.displayName } : undefined;
    },

    /**
     * Verifies an e-mail address and sets the account's name and first password; an address in the
     * directory links the account to that staff member.
     */
    async verifyEmail(token: string, fields: { displayName: string; password: string }): Promise<boolean> {
      const passwordHash = await passwords.hash(fields.password);
      return knex.transaction(async (trx) => {
        const accountId = await repository.consumeToken(digestToken(token), 'verify-email', trx);
        if (accountId === undefined) return false;
        const account = await repository.findById(accountId, trx);
        if (!account) return false;
        const staffMemberId = await repository.findStaffIdByEmail(account.email, trx);
        await repository.update(
          accountId,
          { emailVerifiedAt: clock.now(), passwordHash, displayName: fields.displayName, ...(staffMemberId !== undefined ? { staffMemberId } : {}) },
          trx,
        );
        if (staffMemberId !== undefined) {
          // Staff are not community members; their roles come from the directory.
          const roles = (await repository.storedRoles(accountId, trx)).filter((r) => r !== 'member');
          await repository.replaceStoredRoles(accountId, roles, trx);
        }
        await audit.record({ actorAccountId: accountId, action: 'account.verify-email', subjectType: 'account', subjectId: accountId }, trx);
        return true;
      });
    },

    /** Sends a reset link when the account exists; the caller sees the same outcome either way. */
    async requestPasswordReset(email: string): Promise<void> {
      await knex.transaction(async (trx) => {
        const account = await repository.findByEmail(email, trx);
        if (!account) return;
        const { token, digest } = newSecretToken();
        await repository.expireTokens(account.id, 'reset-password', trx);
        await repository.insertToken(account.id, 'reset-password', digest, clock.now() + RESET_TOKEN_TTL_MS, trx);
        await outbox.enqueue(trx, emails.compose('reset-password', account.email, account.locale, { link: `${publicUrl}/reset/${token}`, minutes: RESET_TOKEN_TTL_MS / 60_000 }));
      });
    },

    isResetTokenUsable: async (token: string) => (await repository.tokenAccount(digestToken(token), 'reset-password')) !== undefined,

    /** Sets a new password from a reset link; ends every session of the account. */
    async resetPassword(token: string, password: string): Promise<boolean> {
      const passwordHash = await passwords.hash(password);
      const email = await knex.transaction(async (trx) => {
        const accountId = await repository.consumeToken(digestToken(token), 'reset-password', trx);
        if (accountId === undefined) return undefined;
        const account = await repository.findById(accountId, trx);
        // Following the link proves the address, so an unverified account becomes verified.
        await repository.update(accountId, { passwordHash, ...(account?.emailVerifiedAt == null ? { emailVerifiedAt: clock.now() } : {}) }, trx);
        await repository.deleteSessionsOf(accountId, trx);
        await audit.record({ actorAccountId: accountId, action: 'account.reset-password', subjectType: 'account', subjectId: accountId }, trx);
        return account?.email;
      });
      if (email === undefined) return false;
      // The new password is meant to work at once, from whatever browser the owner is on.
      await forgetSignInFailures(email);
      return true;
    },

    async listAccounts(filter: { query?: string; page: number; pageSize: number }) {
      const { items, total } = await repository.list(filter);
      return { items, total, page: filter.page, pageSize: filter.pageSize, pageCount: pageCountOf(total, filter.pageSize) };
    },

    async getAccountSummary(accountId: number): Promise<AccountSummary> {
      const account = await repository.findById(accountId);
      if (!account) throw new NotFoundError();
      return {
        id: account.id,
        email: account.email,
        displayName: account.displayName,
        verified: account.emailVerifiedAt !== null,
        staffMemberId: account.staffMemberId,
        roles: await repository.storedRoles(account.id),
      };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
