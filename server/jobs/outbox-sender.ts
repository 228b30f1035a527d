import type { Logger } from '../platform/logger';
import type { Outbox } from '../platform/mail/outbox';
import type { MailTransport } from '../platform/mail/transport';

export interface OutboxSenderOptions {
  outbox: Outbox;
  transport: MailTransport;
  logger: Logger;
  from: string;
  messageIdDomain: string;
  batchSize?: number;
  leaseMs?: number;
}

export interface OutboxRunResult {
  sent: number;
  retried: number;
  failed: number;
}

// Safe to run in every process at once: each run sends only the rows it claimed.
export function createOutboxSender(options: OutboxSenderOptions) {
  const { outbox, transport, logger, from } = options;
  const batchSize = options.batchSize ?? 10;
  // Longer than a batch can take with the transport's timeouts (about a minute a message at worst).
  const leaseMs = options.leaseMs ?? 15 * 60_000;

  async function runOnce(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, retried: 0, failed: 0 };
    const { claimToken, messages } = await outbox.claimDue(batchSize, leaseMs);
    for (const message of messages) {
      try {
        await transport.send({
          // Stable per row, so a receiving system can drop a duplicate after a crash between send and mark.
          messageId: `<outbox-${message.id}@${options.messageIdDomain}>`,
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
        await outbox.markSent(message.id, claimToken);
        result.sent++;
      } catch (err) {
        const { code = 'unknown', responseCode } = err as { code?: string; responseCode?: number };
        const permanent = typeof responseCode === 'number' && responseCode >= 500;
        const outcome = await outbox.markFailed(message, claimToken, `${code} ${responseCode ?? ''}`.trim(), permanent);
        if (outcome === 'failed') result.failed++;
        else result.retried++;
        // Only the id and error code: recipient addresses stay out of the logs.
        logger.warn({ outboxId: message.id, code, responseCode, outcome }, 'e-mail delivery failed');
      }
    }
    if (messages.length > 0) logger.info({ ...result, transport: transport.kind }, 'outbox run');
    return result;
  }

  return { runOnce };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;
