/** What the cluster and fault runs count, and what makes them fail; kept apart from the runs so it can be tested. */
import { outboxIdOf } from '../../server/platform/mail/outbox';

export interface SubmissionRecord {
  /** The unique marker written into the comment. */
  readonly marker: string;
  /** The last answer the client got for it (0 when the connection failed). */
  readonly status: number;
}

export interface MailRow {
  readonly id: number;
  readonly status: string;
  /** Failed attempts so far: a row that was tried is due again after its backoff, never held back. */
  readonly attempts: number;
  /** When it may be sent; a row held back past the end of the run (never tried yet) is not expected yet. */
  readonly nextAttemptAt: number;
}

export interface Figures {
  readonly submissions: number;
  readonly answered2xx: number;
  readonly failed: number;
  readonly stored: number;
  /** Stored although the client never saw a 2xx (the commit landed, the answer did not). */
  readonly storedWithout2xx: number;
  readonly lost: string[];
  readonly duplicated: string[];
  readonly mailEnqueued: number;
  readonly mailHeldBack: number;
  /** Rows that failed at least once (a fault's effect on the outbox). */
  readonly mailRetried: number;
  readonly mailSent: number;
  readonly mailReceived: number;
  readonly mailNotDelivered: number[];
  readonly mailDeliveredTwice: number[];
  readonly mailUnknown: string[];
}

/**
 * `stored` holds the marker of every stored comment (one entry per stored item); `received` the
 * Message-ID of every message the SMTP server accepted, which the outbox derives from its row id.
 */
export function tally(input: {
  submissions: readonly SubmissionRecord[];
  stored: readonly string[];
  mail: readonly MailRow[];
  received: readonly string[];
  endedAt: number;
  messageIdDomain: string;
  /** Rows up to this id were written before the run (the demo's); their messages are not counted. */
  afterId: number;
}): Figures {
  const storedCount = new Map<string, number>();
  for (const marker of input.stored) storedCount.set(marker, (storedCount.get(marker) ?? 0) + 1);
  const ok = input.submissions.filter((s) => s.status >= 200 && s.status < 300);
  const okMarkers = new Set(ok.map((s) => s.marker));

  const receivedCount = new Map<number, number>();
  const unknown: string[] = [];
  const rowIds = new Set(input.mail.map((m) => m.id));
  for (const messageId of input.received) {
    const id = outboxIdOf(messageId, input.messageIdDomain);
    if (id !== undefined && id <= input.afterId) continue;
    if (id === undefined || !rowIds.has(id)) unknown.push(messageId);
    else receivedCount.set(id, (receivedCount.get(id) ?? 0) + 1);
  }
  const due = input.mail.filter((m) => m.status !== 'pending' || m.attempts > 0 || m.nextAttemptAt <= input.endedAt);

  return {
    submissions: input.submissions.length,
    answered2xx: ok.length,
    failed: input.submissions.length - ok.length,
    stored: input.stored.length,
    storedWithout2xx: [...storedCount.keys()].filter((m) => !okMarkers.has(m)).length,
    lost: [...okMarkers].filter((m) => !storedCount.has(m)),
    duplicated: [...storedCount].filter(([, n]) => n > 1).map(([m]) => m),
    mailEnqueued: input.mail.length,
    mailHeldBack: input.mail.length - due.length,
    mailRetried: input.mail.filter((m) => m.attempts > 0).length,
    mailSent: input.mail.filter((m) => m.status === 'sent').length,
    mailReceived: [...receivedCount.values()].reduce((a, b) => a + b, 0),
    mailNotDelivered: due.filter((m) => m.status !== 'sent' || !receivedCount.has(m.id)).map((m) => m.id),
    mailDeliveredTwice: [...receivedCount].filter(([, n]) => n > 1).map(([id]) => id),
    mailUnknown: unknown,
  };
}

/** Why the run failed; empty when nothing was lost or duplicated. */
export function problemsOf(figures: Figures): string[] {
  const problems: string[] = [];
  if (figures.answered2xx === 0) problems.push('no submission was answered with a 2xx');
  if (figures.lost.length > 0) problems.push(`${figures.lost.length} submissions answered 2xx are not stored`);
  if (figures.duplicated.length > 0) problems.push(`${figures.duplicated.length} submissions are stored more than once`);
  if (figures.mailNotDelivered.length > 0) problems.push(`${figures.mailNotDelivered.length} due e-mails were not delivered`);
  if (figures.mailDeliveredTwice.length > 0) problems.push(`${figures.mailDeliveredTwice.length} e-mails were delivered more than once`);
  if (figures.mailUnknown.length > 0) problems.push(`${figures.mailUnknown.length} e-mails arrived that no outbox row of the run sent`);
  return problems;
}
