import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Dialect } from '../db';
import { claimRows } from '../db/claims';
import { retryOnConflict } from '../db/retry';

export interface OutgoingEmail {
  readonly to: string;
  readonly template: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface OutboxMessage extends OutgoingEmail {
  readonly id: number;
  readonly attempts: number;
}

// Well under SQLite's bound-variable limit (nine columns a row).
const ROWS_PER_INSERT = 100;

/**
 * The Message-ID of an outbox row, the same on every attempt and from every process sharing the
 * public URL: a message sent again after a crash between hand-over and record is recognisable.
 */
export function outboxMessageId(id: number, domain: string): string {
  return `<outbox-${id}@${domain}>`;
}

/** The outbox row a Message-ID names, when it is one of `domain`'s. */
export function outboxIdOf(messageId: string, domain: string): number | undefined {
  const match = /^<?outbox-(\d+)@(.+?)>?$/.exec(messageId.trim());
  return match && match[2] === domain ? Number(match[1]) : undefined;
}

/** With the one-hour cap on backoff, about two days of temporary failures before giving up. */
export const MAX_ATTEMPTS = 55;

/** Delay before retry n (1-based): 30 s, 1 min, 2 min … capped at one hour. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);
}

// Writes happen inside the caller's transaction, so an e-mail exists exactly when the change that caused it does.
export function createOutbox(knex: Knex, dialect: Dialect, clock: Clock) {
  /** Several messages in a few multi-row statements (a batch of invitations, or a notice with its acknowledgement), in the order given. */
  async function enqueueAll(trx: Knex | Knex.Transaction, messages: ReadonlyArray<{ email: OutgoingEmail; delayMs?: number }>): Promise<void> {
    const now = clock.now();
    for (let i = 0; i < messages.length; i += ROWS_PER_INSERT) {
      await trx('outbox_messages').insert(
        messages.slice(i, i + ROWS_PER_INSERT).map(({ email, delayMs }) => ({
          to_address: email.to,
          template: email.template,
          subject: email.subject,
          body_text: email.text,
          body_html: email.html,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now + (delayMs ?? 0),
          created_at: now,
        })),
      );
    }
  }

  return {
    /** `delayMs` holds the message back (the worker will not send it before then). */
    async enqueue(trx: Knex | Knex.Transaction, email: OutgoingEmail, options: { delayMs?: number } = {}): Promise<void> {
      await enqueueAll(trx, [{ email, delayMs: options.delayMs }]);
    },

    enqueueAll,

    /** Claims up to `limit` due messages for `leaseMs`; concurrent workers get disjoint sets (see claimRows). */
    async claimDue(limit: number, leaseMs: number): Promise<{ claimToken: string; messages: OutboxMessage[] }> {
      const claimToken = randomUUID();
      await claimRows(knex, dialect, {
        table: 'outbox_messages',
        due: (q) => q.where('status', 'pending').andWhere('next_attempt_at', '<=', clock.now()),
        limit,
        claimToken,
        now: clock.now(),
        leaseMs,
      });
      const rows = await knex('outbox_messages')
        .select('id', 'to_address', 'template', 'subject', 'body_text', 'body_html', 'attempts')
        .where({ claim_token: claimToken, status: 'pending' })
        .orderBy('id');
      return {
        claimToken,
        messages: rows.map((r) => ({
          id: Number(r.id),
          to: r.to_address,
          template: r.template,
          subject: r.subject,
          text: r.body_text,
          html: r.body_html ?? '',
          attempts: Number(r.attempts),
        })),
      };
    },

    /**
     * Extends the claim on one message just before it is handed over; false when the claim is no
     * longer this sender's (its lease ran out and another process took the row), so it is not sent twice.
     */
    async renewClaim(id: number, claimToken: string, leaseMs: number): Promise<boolean> {
      const renewed = await retryOnConflict(() => knex('outbox_messages')
        .where({ id, claim_token: claimToken, status: 'pending' })
        .update({ claimed_until: clock.now() + leaseMs }));
      return renewed === 1;
    },

    // Conditional on the claim, so running it again after a lost conflict changes nothing twice.
    async markSent(id: number, claimToken: string): Promise<void> {
      await retryOnConflict(() => knex('outbox_messages')
        .where({ id, claim_token: claimToken })
        // The body can hold a single-use link, and the address with the subject can tie a person to a
        // feedback reference: once handed over, the database keeps neither.
        .update({ status: 'sent', sent_at: clock.now(), claim_token: null, claimed_until: null, last_error: null, to_address: '', body_text: '', body_html: null }));
    },

    /** A permanent failure (the server refused the message, 5xx) stops at once; others are retried. */
    async markFailed(message: OutboxMessage, claimToken: string, error: string, permanent: boolean): Promise<'retry' | 'failed'> {
      const attempts = message.attempts + 1;
      const outcome = permanent || attempts >= MAX_ATTEMPTS ? 'failed' : 'retry';
      await retryOnConflict(() => knex('outbox_messages')
        .where({ id: message.id, claim_token: claimToken })
        .update({
          status: outcome === 'failed' ? 'failed' : 'pending',
          attempts,
          next_attempt_at: clock.now() + backoffMs(attempts),
          claim_token: null,
          claimed_until: null,
          last_error: error.slice(0, 500),
          ...(outcome === 'failed' ? { to_address: '', body_text: '', body_html: null } : {}),
        }));
      return outcome;
    },

    async countByStatus(): Promise<Record<string, number>> {
      const rows = await knex('outbox_messages').select<Array<{ status: string; n: number }>>('status', knex.raw('count(*) as n')).groupBy('status');
      return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
