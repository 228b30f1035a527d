import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { outboxMessageId, type Outbox } from '../platform/mail/outbox';
import type { MailTransport } from '../platform/mail/transport';

export interface OutboxSenderOptions {
  outbox: Outbox;
  transport: MailTransport;
  logger: Logger;
  from: string;
  messageIdDomain: string;
  clock: Clock;
  batchSize?: number;
  /** Batches one run may send while each comes back full: a backlog drains in one run, and a run still ends. */
  maxBatches?: number;
  leaseMs?: number;
  /** Waits between attempts to record a delivery while the database is away (tests pass one that moves the clock). */
  pause?: (ms: number) => Promise<void>;
}

/**
 * How long a delivery the SMTP server accepted is kept trying to be recorded while the database is
 * away (restarting, a failover). Inside the default lease, so no other process takes the row
 * meanwhile; given up, the row is sent again (same Message-ID) once its claim lapses.
 */
export const RECORD_DELIVERY_MS = 10 * 60_000;

export interface OutboxRunResult {
  sent: number;
  retried: number;
  failed: number;
}

// Safe to run in every process at once: each run sends only the rows it claimed.
export function createOutboxSender(options: OutboxSenderOptions) {
  const { outbox, transport, logger, from, clock } = options;
  const batchSize = options.batchSize ?? 10;
  const maxBatches = options.maxBatches ?? 20;
  // Longer than a batch can take with the transport's timeouts (about a minute a message at worst).
  const leaseMs = options.leaseMs ?? 15 * 60_000;
  const pause = options.pause ?? ((ms: number) => sleep(ms));

  /**
   * The SMTP server has the message: until this is recorded, a crash or a lapsed claim means it
   * is sent again (the same Message-ID lets a receiver recognise it). A database that is away is
   * waited for, with growing pauses, rather than the delivery being counted as a failure.
   */
  async function recordSent(id: number, claimToken: string): Promise<void> {
    const giveUpAt = clock.now() + RECORD_DELIVERY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await outbox.markSent(id, claimToken);
      } catch (err) {
        if (clock.now() >= giveUpAt) throw err;
        logger.warn({ outboxId: id, attempt, code: (err as { code?: string }).code }, 'delivery not recorded yet; trying again');
        await pause(Math.min(250 * 2 ** (attempt - 1), 5000));
      }
    }
  }

  /** One claimed batch; returns how many messages it held. */
  async function sendBatch(result: OutboxRunResult): Promise<number> {
    const { claimToken, messages } = await outbox.claimDue(batchSize, leaseMs);
    for (const message of messages) {
      // A database error here ends the run; the rows left keep their claim until it lapses.
      if (!(await outbox.renewClaim(message.id, claimToken, leaseMs))) continue;
      try {
        await transport.send({
          messageId: outboxMessageId(message.id, options.messageIdDomain),
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
      } catch (err) {
        const { code = 'unknown', responseCode } = err as { code?: string; responseCode?: number };
        const permanent = typeof responseCode === 'number' && responseCode >= 500;
        const outcome = await outbox.markFailed(message, claimToken, `${code} ${responseCode ?? ''}`.trim(), permanent);
        if (outcome === 'failed') result.failed++;
        else result.retried++;
        // Only the id and error code: recipient addresses stay out of the logs.
        logger.warn({ outboxId: message.id, code, responseCode, outcome }, 'e-mail delivery failed');
        continue;
      }
      await recordSent(message.id, claimToken);
      result.sent++;
    }
    return messages.length;
  }

  async function runOnce(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, retried: 0, failed: 0 };
    // A full batch, all delivered, means more may be due (a survey's invitations, a busy hour): claim
    // again at once. A failure ends the run: the SMTP server is likely away, and retries wait their turn.
    for (let batch = 0; batch < maxBatches; batch++) {
      const sentBefore = result.sent;
      const claimed = await sendBatch(result);
      if (claimed < batchSize || result.sent - sentBefore < claimed) break;
    }
    if (result.sent + result.retried + result.failed > 0) logger.info({ ...result, transport: transport.kind }, 'outbox run');
    return result;
  }

  return { runOnce };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;
