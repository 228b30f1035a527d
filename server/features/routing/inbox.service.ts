import { randomInt } from 'node:crypto';
import { randomCode } from '../../platform/random-codes';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { extendByPause, FEEDBACK_SERVICE, type BusinessCalendar, type TargetUnit } from '../service-levels';
import type { Actor } from '../../platform/auth/roles';
import { hasAnyRole } from '../../platform/auth/roles';
import { DEFAULT_LOCALE } from '../../platform/i18n';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { pageCountOf, type Page } from '../../platform/http/forms';
import { clockStartOf, isUnattributed, isVisible, NOTIFICATION_DELAY_MINUTES } from '../../platform/privacy/times';
import type { EmailComposer } from '../../platform/mail/composer';
import type { Outbox, OutgoingEmail } from '../../platform/mail/outbox';
import type { InboxFilter, RoutedItemsRepository } from './routed-items.repository';
import { transactionWithRetry } from '../../platform/db/retry';
import type { FeedbackContent, FeedbackSource, RoutedItem, RoutedItemEvent, RoutedItemStatus } from './routing.schema';

export interface InboxDirectory {
  findStaff(id: number, db?: Knex | Knex.Transaction): Promise<{ id: number; name: string; email: string } | undefined>;
  findStaffByEmail(email: string, db?: Knex | Knex.Transaction): Promise<{ id: number; name: string; email: string } | undefined>;
}

/** What the inbox needs from the service catalogue (feedback is the "continuous-feedback" service). */
export interface InboxServiceLevels {
  dueTimesFor(code: string, receivedAt: number, db?: Knex | Knex.Transaction): Promise<{ serviceLevelTargetId: number; acknowledgeDueAt: number; respondDueAt: number }>;
  calendarOf(code: string, db?: Knex | Knex.Transaction): Promise<BusinessCalendar>;
  findTarget(id: number, db?: Knex | Knex.Transaction): Promise<{ acknowledgeUnit: TargetUnit; respondUnit: TargetUnit } | undefined>;
}

/** A routed item and its recipient's e-mail, ready to store (see prepareArrival). */
export interface Arrival {
  readonly item: Omit<Parameters<RoutedItemsRepository['insert']>[0], 'feedbackItemId'>;
  readonly notice: OutgoingEmail | undefined;
  readonly delayMs: number;
}

export interface InboxEntry {
  readonly item: RoutedItem;
  readonly content: FeedbackContent;
}

export interface InboxItemView extends InboxEntry {
  readonly events: RoutedItemEvent[];
  /** Present only for a named item. */
  readonly namedSubmitter: { displayName: string } | undefined;
  readonly isRecipient: boolean;
  /** The reader has unsealed this item's submitter (a recorded reveal), so may see its exact times. */
  readonly unsealed: boolean;
}

export { NOTIFICATION_DELAY_MINUTES };

/** True when the feedback is about the actor themselves. */
export function isAbout(actor: Actor, content: FeedbackContent): boolean {
  return actor.staffMemberId !== null && content.staffMemberId === actor.staffMemberId;
}

const OPEN: readonly RoutedItemStatus[] = ['received', 'acknowledged', 'in_progress', 'waiting_on_submitter', 'responded'];

export interface InboxServiceDeps {
  knex: Knex;
  items: RoutedItemsRepository;
  source: FeedbackSource;
  directory: InboxDirectory;
  outbox: Outbox;
  emails: EmailComposer;
  serviceLevels: InboxServiceLevels;
  publicUrl: string;
  now: () => number;
}

export function createInboxService(deps: InboxServiceDeps) {
  const { knex, items, source, directory, outbox, emails, serviceLevels, publicUrl, now } = deps;

  /** Events with an updated timeframe's date as the service's calendar reads it. */
  async function withLocalDates(events: RoutedItemEvent[]): Promise<RoutedItemEvent[]> {
    if (!events.some((e) => e.committedAt !== null)) return events;
    const { zone } = await serviceLevels.calendarOf(FEEDBACK_SERVICE);
    return events.map((e) => (e.committedAt === null ? e : { ...e, committedDate: DateTime.fromMillis(e.committedAt, { zone }).toISODate() }));
  }

  /**
   * After the submitter answers, the due times move on by the time the clock was paused. For an
   * unattributed item the pause counts until the day after the answer (as the clock's start does),
   * so the new due times do not tell when the submitter wrote.
   */
  async function resumeClock(item: RoutedItem, content: FeedbackContent, trx: Knex.Transaction): Promise<void> {
    const ended = await items.endPause(item.id, trx);
    if (!ended || item.serviceLevelTargetId === null) return;
    const pause = { start: ended.start, end: clockStartOf(content.attribution, ended.end) };
    const target = await serviceLevels.findTarget(item.serviceLevelTargetId, trx);
    if (!target) return;
    const calendar = await serviceLevels.calendarOf(FEEDBACK_SERVICE, trx);
    await items.update(
      item.id,
      {
        ...(item.acknowledgedAt === null && item.acknowledgeDueAt ? { acknowledgeDueAt: extendByPause(item.acknowledgeDueAt, pause, target.acknowledgeUnit, calendar) } : {}),
        ...(item.respondDueAt ? { respondDueAt: extendByPause(item.respondDueAt, pause, target.respondUnit, calendar) } : {}),
      },
      trx,
    );
  }

  /** A submitter's answer takes effect: the item is in progress again and its clock runs. */
  async function takeAnswer(item: RoutedItem, content: FeedbackContent, trx: Knex.Transaction): Promise<void> {
    // Before the recipient has acknowledged it, the item stays "received".
    if (item.status !== 'received') await items.update(item.id, { status: 'in_progress' }, trx);
    await resumeClock(item, content, trx);
  }

  // Reads inside a transaction go through it: SQLite has a single connection.
  async function withContent(list: RoutedItem[], db: Knex | Knex.Transaction = knex): Promise<InboxEntry[]> {
    const contents = await source.contentFor(list.map((i) => i.feedbackItemId), db);
    return list.flatMap((item) => {
      const content = contents.get(item.feedbackItemId);
      return content ? [{ item, content }] : [];
    });
  }

  /** The item when the actor is its recipient; anyone else gets "not found", never a hint it exists. */
  async function ownItem(actor: Actor, routedItemId: number, trx: Knex.Transaction): Promise<RoutedItem> {
    const item = await items.findForChange(routedItemId, trx);
    if (!item || !isVisibleRecipient(actor, item)) throw new NotFoundError();
    return item;
  }

  /** The recipient sees an item only once it is visible (unattributed items arrive after a random delay). */
  function isVisibleRecipient(actor: Actor, item: RoutedItem): boolean {
    return actor.staffMemberId !== null && item.recipientStaffMemberId === actor.staffMemberId && isVisible(item.visibleAt, now());
  }

  /** How long an item, and the news of it, is held back: random for unattributed items, none for named ones. */
  function holdBackMs(content: Pick<FeedbackContent, 'attribution'>): number {
    return isUnattributed(content.attribution) ? randomInt(NOTIFICATION_DELAY_MINUTES.min, NOTIFICATION_DELAY_MINUTES.max + 1) * 60_000 : 0;
  }

  /** Reference, kind and whom it is about only: no submitter, no text. */
  function noticeFor(template: 'feedback-routed' | 'feedback-submitter-replied', item: { publicId: string }, email: string, content: Pick<FeedbackContent, 'reference' | 'kind' | 'staffName'>) {
    return emails.compose(template, email, DEFAULT_LOCALE, {
      reference: content.reference,
      kind: content.kind,
      staffName: content.staffName,
      link: `${publicUrl}/inbox/${item.publicId}`,
    });
  }

  async function notifyRecipient(
    template: 'feedback-routed' | 'feedback-submitter-replied',
    item: { publicId: string },
    recipientStaffMemberId: number,
    content: FeedbackContent,
    trx: Knex.Transaction,
    delayMs = holdBackMs(content),
  ) {
    const recipient = await directory.findStaff(recipientStaffMemberId, trx);
    if (!recipient) return;
    await outbox.enqueue(trx, noticeFor(template, item, recipient.email, content), { delayMs });
  }

  async function handOver(actor: Actor, routedItemId: number, recipientEmail: string, note: string, type: 'forwarded' | 'reassigned'): Promise<void> {
    await transactionWithRetry(knex, async (trx) => {
      const item =
        type === 'forwarded'
          ? await ownItem(actor, routedItemId, trx)
          : hasAnyRole(actor, ['hr', 'complaints'])
            ? await items.findForChange(routedItemId, trx)
            : undefined;
      if (!item) throw new NotFoundError();
      if (!OPEN.includes(item.status)) throw new ConflictError('inbox.errors.closed');
      const target = await directory.findStaffByEmail(recipientEmail, trx);
      if (!target) throw new ValidationError({ recipientEmail: 'inbox.errors.unknownStaff' });
      const [entry] = await withContent([item], trx);
      if (!entry || isAbout(actor, entry.content)) throw new NotFoundError();
      if (target.id === item.recipientStaffMemberId) throw new ValidationError({ recipientEmail: 'inbox.errors.alreadyRecipient' });
      if (target.id === entry.content.staffMemberId) throw new ValidationError({ recipientEmail: 'inbox.errors.cannotForwardToSubject' });
      await items.update(item.id, { recipientStaffMemberId: target.id }, trx);
      await items.insertEvent(
        item.id,
        { type, actor: type === 'forwarded' ? 'recipient' : 'hr', actorStaffMemberId: actor.staffMemberId, body: note || null, fromStaffMemberId: item.recipientStaffMemberId, toStaffMemberId: target.id },
        trx,
      );
      await notifyRecipient('feedback-routed', item, target.id, entry.content, trx);
    });
  }

  return {
    /**
     * A new feedback item's routed item and its recipient's e-mail, worked out before the
     * submission's transaction (storeArrival writes them in it). `recipientEmail`: the recipient's
     * address when the caller has just read it (routing's chain read).
     */
    async prepareArrival(content: Omit<FeedbackContent, 'feedbackItemId'>, recipientStaffMemberId: number, recipientEmail?: string): Promise<Arrival> {
      const receivedAt = content.createdAt;
      const due = await serviceLevels.dueTimesFor(FEEDBACK_SERVICE, clockStartOf(content.attribution, receivedAt));
      // The item appears in the inbox when its e-mail goes out, so neither tells when it was sent.
      const delayMs = holdBackMs(content);
      const publicId = randomCode(12);
      const email = recipientEmail ?? (await directory.findStaff(recipientStaffMemberId))?.email;
      return {
        item: { publicId, recipientStaffMemberId, subjectStaffMemberId: content.staffMemberId, receivedAt, visibleAt: receivedAt + delayMs, due },
        notice: email === undefined ? undefined : noticeFor('feedback-routed', { publicId }, email, content),
        delayMs,
      };
    },

    /**
     * Opens the prepared routed item and queues its e-mail, in the submission's transaction, with
     * the caller's own e-mails (`alongside`, sent at once) in the same statement.
     */
    async storeArrival(trx: Knex.Transaction, arrival: Arrival, feedbackItemId: number, alongside: readonly OutgoingEmail[] = []): Promise<number> {
      const id = await items.insert({ ...arrival.item, feedbackItemId }, trx);
      await outbox.enqueueAll(trx, [...(arrival.notice ? [{ email: arrival.notice, delayMs: arrival.delayMs }] : []), ...alongside.map((email) => ({ email }))]);
      return id;
    },

    async list(actor: Actor, filter: Omit<InboxFilter, 'recipientStaffMemberId'>): Promise<{ page: Page<InboxEntry>; counts: Record<string, number>; subjects: Array<{ id: number; name: string }> }> {
      if (actor.staffMemberId === null) {
        return { page: { items: [], total: 0, page: 1, pageSize: filter.pageSize, pageCount: 1 }, counts: {}, subjects: [] };
      }
      const query = { ...filter, recipientStaffMemberId: actor.staffMemberId, now: now() };
      const counts = await items.countsByStatus(query.recipientStaffMemberId, query.now);
      // The per-status counts already hold the total, unless a subject narrows it.
      const total = query.subjectStaffMemberId ? await items.countForRecipient(query) : query.status ? (counts[query.status] ?? 0) : Object.values(counts).reduce((sum, n) => sum + n, 0);
      const list = await items.listForRecipient(query, total);
      return {
        page: { items: await withContent(list), total, page: filter.page, pageSize: filter.pageSize, pageCount: pageCountOf(total, filter.pageSize) },
        counts,
        subjects: await items.subjectsForRecipient(query.recipientStaffMemberId, query.now),
      };
    },

    /** The recipient's view; HR and the complaints officer may read any item (identity stays sealed). */
    async view(actor: Actor, routedItemId: number): Promise<InboxItemView> {
      const item = await items.find(routedItemId);
      // Before its notification delay an item does not exist for anyone, HR included.
      if (!item || !isVisible(item.visibleAt, now())) throw new NotFoundError();
      const isRecipient = isVisibleRecipient(actor, item);
      if (!isRecipient && !hasAnyRole(actor, ['hr', 'complaints'])) throw new NotFoundError();
      const [entry] = await withContent([item]);
      // HR and the complaints officer never see, through oversight, feedback about themselves.
      if (!entry || isAbout(actor, entry.content)) throw new NotFoundError();
      return {
        ...entry,
        events: await withLocalDates(await items.listEvents(item.id, now())),
        namedSubmitter: entry.content.attribution === 'named' ? await source.namedSubmitter(item.feedbackItemId) : undefined,
        isRecipient,
        unsealed: entry.content.attribution === 'confidential' && hasAnyRole(actor, ['hr', 'complaints']) && (await source.unsealedBy(actor.accountId, item.feedbackItemId)),
      };
    },

    async acknowledge(actor: Actor, routedItemId: number): Promise<void> {
      await transactionWithRetry(knex, async (trx) => {
        const item = await ownItem(actor, routedItemId, trx);
        if (item.status !== 'received') return;
        await items.update(item.id, { status: 'acknowledged', acknowledgedAt: now() }, trx);
        await items.insertEvent(item.id, { type: 'acknowledged', actor: 'recipient', actorStaffMemberId: actor.staffMemberId }, trx);
      });
    },

    /** A reply to the submitter, or a question that waits for their answer. Named and confidential submitters are e-mailed. */
    async reply(actor: Actor, routedItemId: number, body: string, askSubmitter: boolean): Promise<void> {
      await transactionWithRetry(knex, async (trx) => {
        const item = await ownItem(actor, routedItemId, trx);
        if (!OPEN.includes(item.status)) throw new ConflictError('inbox.errors.closed');
        const t = now();
        await items.update(
          item.id,
          { status: askSubmitter ? 'waiting_on_submitter' : 'responded', ...(item.acknowledgedAt ? {} : { acknowledgedAt: t }), ...(item.respondedAt || askSubmitter ? {} : { respondedAt: t }) },
          trx,
        );
        await items.insertEvent(item.id, { type: askSubmitter ? 'asked_submitter' : 'replied', actor: 'recipient', actorStaffMemberId: actor.staffMemberId, body }, trx);
        // Waiting on the submitter stops the clock until they answer.
        if (askSubmitter) await items.startPause(item.id, trx);
        const contact = await source.submitterContact(item.feedbackItemId, trx);
        if (contact) {
          const [entry] = await withContent([item], trx);
          await outbox.enqueue(
            trx,
            emails.compose('feedback-reply', contact.email, contact.locale, { reference: entry?.content.reference ?? '', reply: body, link: `${publicUrl}/feedback/mine/${entry?.content.reference ?? ''}` }),
          );
        }
      });
    },

    /** The recipient hands the item to another staff member; the history keeps who had it. */
    forward: (actor: Actor, routedItemId: number, recipientEmail: string, note: string) => handOver(actor, routedItemId, recipientEmail, note, 'forwarded'),

    /** HR or the complaints officer moves an item (say, when its recipient has left or is conflicted). */
    reassign: (actor: Actor, routedItemId: number, recipientEmail: string, note: string) => handOver(actor, routedItemId, recipientEmail, note, 'reassigned'),
    /**
     * Commits to a new date instead of a resolution (WS2 7.2.2): recorded, shown to the submitter,
     * and measured apart from the original target. The date is the end of that working day.
     */
    async updateTimeframe(actor: Actor, routedItemId: number, committedDate: string, reason: string): Promise<void> {
      await transactionWithRetry(knex, async (trx) => {
        const item = await ownItem(actor, routedItemId, trx);
        if (!OPEN.includes(item.status)) throw new ConflictError('inbox.errors.closed');
        const calendar = await serviceLevels.calendarOf(FEEDBACK_SERVICE, trx);
        const committed = DateTime.fromISO(committedDate, { zone: calendar.zone });
        const [hour, minute] = calendar.dayEnd.split(':').map(Number);
        const committedAt = committed.isValid ? committed.set({ hour, minute }).toMillis() : NaN;
        if (!(committedAt > now())) throw new ValidationError({ committedDate: 'inbox.errors.dateInPast' });
        const t = now();
        await items.update(
          item.id,
          { status: 'timeframe_updated', committedRespondAt: committedAt, ...(item.acknowledgedAt ? {} : { acknowledgedAt: t }), ...(item.committedRespondAt ? {} : { timeframeUpdatedAt: t }) },
          trx,
        );
        await items.insertEvent(item.id, { type: 'updated_timeframe', actor: 'recipient', actorStaffMemberId: actor.staffMemberId, body: reason, committedAt }, trx);
        const contact = await source.submitterContact(item.feedbackItemId, trx);
        if (contact) {
          const [entry] = await withContent([item], trx);
          await outbox.enqueue(
            trx,
            emails.compose('feedback-timeframe', contact.email, contact.locale, {
              reference: entry?.content.reference ?? '',
              date: committed.toISODate(),
              reason,
              link: `${publicUrl}/feedback/mine/${entry?.content.reference ?? ''}`,
            }),
          );
        }
      });
    },

    async close(actor: Actor, routedItemId: number): Promise<void> {
      await transactionWithRetry(knex, async (trx) => {
        const item = await ownItem(actor, routedItemId, trx);
        if (item.status === 'closed') return;
        // An item is closed once it has been answered (or given a new date), not instead of that.
        if (item.respondedAt === null && item.committedRespondAt === null) throw new ConflictError('inbox.errors.answerFirst');
        await items.update(item.id, { status: 'closed', closedAt: now() }, trx);
        await items.insertEvent(item.id, { type: 'closed', actor: 'recipient', actorStaffMemberId: actor.staffMemberId }, trx);
      });
    },

    publicIdsFor: (feedbackItemIds: readonly number[]) => items.publicIdsByFeedbackItems(feedbackItemIds),

    /** The internal id behind a public id in a URL; anything unknown is "not found". */
    async idFor(publicId: string): Promise<number> {
      const id = /^[0-9A-Z]{12}$/.test(publicId) ? await items.idForPublicId(publicId) : undefined;
      if (id === undefined) throw new NotFoundError();
      return id;
    },

    /** The submitter's own view of progress: status and the conversation, no staff-internal notes. */
    async submitterView(feedbackItemId: number): Promise<{ item: RoutedItem; events: RoutedItemEvent[] }> {
      const item = await items.findByFeedbackItem(feedbackItemId);
      if (!item) throw new NotFoundError();
      const events = (await withLocalDates(await items.listEvents(item.id))).filter((e) => e.type !== 'forwarded' && e.type !== 'reassigned');
      return { item, events };
    },

    /**
     * Held-back answers whose notification delay has passed take effect (run by the escalation
     * sweep, before it looks at due times). Safe to run twice or in several processes: each item is
     * locked and its mark cleared in one transaction. Returns how many took effect.
     */
    async applyAnswers(): Promise<number> {
      const t = now();
      let applied = 0;
      for (const id of await items.withAnswersDue(t)) {
        await transactionWithRetry(knex, async (trx) => {
          const item = await items.findForChange(id, trx);
          if (!item || item.answerPendingUntil === null || item.answerPendingUntil > t) return;
          await items.update(item.id, { answerPendingUntil: null }, trx);
          const [entry] = await withContent([item], trx);
          if (!entry || !OPEN.includes(item.status)) return;
          await takeAnswer(item, entry.content, trx);
          applied++;
        });
      }
      return applied;
    },

    /** Called once the feedback feature has established that the caller wrote the item. */
    async submitterReply(feedbackItemId: number, body: string): Promise<void> {
      await transactionWithRetry(knex, async (trx) => {
        const item = await items.findByFeedbackItemForChange(feedbackItemId, trx);
        if (!item) throw new NotFoundError();
        if (!OPEN.includes(item.status)) throw new ConflictError('inbox.errors.closed');
        const [entry] = await withContent([item], trx);
        if (!entry) throw new NotFoundError();
        // The answer shows in the history when its e-mail goes out, not before; nor does the change
        // it makes to the item's status and clock (applyAnswers takes it then).
        const delayMs = holdBackMs(entry.content);
        await items.insertEvent(item.id, { type: 'submitter_replied', actor: 'submitter', body, visibleAt: now() + delayMs }, trx);
        if (delayMs === 0) await takeAnswer(item, entry.content, trx);
        else if (item.answerPendingUntil === null) await items.update(item.id, { answerPendingUntil: now() + delayMs }, trx);
        await notifyRecipient('feedback-submitter-replied', item, item.recipientStaffMemberId, entry.content, trx, delayMs);
      });
    },
  };
}

export type InboxService = ReturnType<typeof createInboxService>;
