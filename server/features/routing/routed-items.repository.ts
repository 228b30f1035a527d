import type { Knex } from 'knex';
import { throughIndex } from '../../platform/db/index-hints';
import { toNullableNumber } from '../../platform/db/json';
import { orderByStoredDayThenRandom, whereVisible } from '../../platform/privacy/times';
import type { EventActor, RoutedItem, RoutedItemEvent, RoutedItemEventType, RoutedItemStatus } from './routing.schema';

type Db = Knex | Knex.Transaction;

export interface InboxFilter {
  readonly recipientStaffMemberId: number;
  readonly status?: RoutedItemStatus;
  readonly subjectStaffMemberId?: number;
  readonly page: number;
  readonly pageSize: number;
}

export interface NewEvent {
  readonly type: RoutedItemEventType;
  readonly actor: EventActor;
  readonly actorStaffMemberId?: number | null;
  readonly body?: string | null;
  readonly fromStaffMemberId?: number | null;
  readonly toStaffMemberId?: number | null;
  readonly committedAt?: number | null;
  /** When readers may see the entry (a submitter's answer waits for its notification); default now. */
  readonly visibleAt?: number;
}

const ITEM_COLUMNS = [
  'r.id',
  'r.public_id',
  'r.visible_at',
  'r.feedback_item_id',
  'r.recipient_staff_member_id',
  'rs.name as recipient_name',
  'r.status',
  'r.received_at',
  'r.acknowledged_at',
  'r.responded_at',
  'r.closed_at',
  'r.service_level_target_id',
  'r.acknowledge_due_at',
  'r.respond_due_at',
  'r.committed_respond_at',
  'r.answer_pending_until',
];

function toRoutedItem(row: Record<string, unknown>): RoutedItem {
  return {
    id: Number(row.id),
    publicId: String(row.public_id),
    visibleAt: Number(row.visible_at),
    feedbackItemId: Number(row.feedback_item_id),
    recipientStaffMemberId: Number(row.recipient_staff_member_id),
    recipientName: String(row.recipient_name ?? ''),
    status: row.status as RoutedItemStatus,
    receivedAt: Number(row.received_at),
    acknowledgedAt: toNullableNumber(row.acknowledged_at),
    respondedAt: toNullableNumber(row.responded_at),
    closedAt: toNullableNumber(row.closed_at),
    serviceLevelTargetId: toNullableNumber(row.service_level_target_id),
    acknowledgeDueAt: toNullableNumber(row.acknowledge_due_at),
    respondDueAt: toNullableNumber(row.respond_due_at),
    committedRespondAt: toNullableNumber(row.committed_respond_at),
    answerPendingUntil: toNullableNumber(row.answer_pending_until),
  };
}

export function createRoutedItemsRepository(knex: Knex, now: () => number) {
  /**
   * A recipient's items visible by `now`, filtered by status and subject, through the inbox index
   * that holds them in list order (see migration 20261207_0110); `index` overrides the choice.
   */
  const inboxQuery = (db: Db, filter: Omit<InboxFilter, 'page' | 'pageSize'> & { now: number }, index = filter.subjectStaffMemberId ? 'routed_items_inbox_subject_day' : filter.status ? 'routed_items_inbox_status_day' : 'routed_items_inbox_day') => {
    const q = whereVisible(db.from(throughIndex(db, 'routed_items', 'r', index)).where('r.recipient_staff_member_id', filter.recipientStaffMemberId), 'r.visible_at', filter.now);
    if (filter.status) q.andWhere('r.status', filter.status);
    if (filter.subjectStaffMemberId) q.andWhere('r.subject_staff_member_id', filter.subjectStaffMemberId);
    return q;
  };
  const itemQuery = (db: Db) => db('routed_items as r').join('staff_members as rs', 'rs.id', 'r.recipient_staff_member_id').select(ITEM_COLUMNS);

  /**
   * An item locked until the transaction ends, so two changes to it take turns and the second sees
   * the first: FOR UPDATE on MySQL; on SQLite a write first, which takes the database's write lock
   * (waiting for it) before anything is read, where a read-then-write transaction could not wait.
   */
  async function findLocked(trx: Knex.Transaction, where: Record<string, number>): Promise<RoutedItem | undefined> {
    // Only the item's own row is locked, not the staff rows joined to it.
    if (trx.client.config.client === 'mysql2') await trx('routed_items as r').select('r.id').where(where).forUpdate();
    else await trx('routed_items as r').where(where).update({ updated_at: trx.raw('updated_at') });
    const row = await itemQuery(trx).where(where).first();
    return row ? toRoutedItem(row) : undefined;
  }

  function lockedForCount(db: Db, id: number): Promise<{ status: unknown; recipient_staff_member_id: unknown } | undefined> {
    const q = db('routed_items').where({ id }).first('status', 'recipient_staff_member_id');
    // SQLite has one connection, whose transactions take turns whole.
    return db.client.config.client === 'mysql2' ? q.forUpdate() : q;
  }

  /** Keeps inbox_counts in step with routed_items, in the transaction that changes them. */
  async function countItem(recipientStaffMemberId: number, status: string, change: 1 | -1, db: Db): Promise<void> {
    await db('inbox_counts').insert({ recipient_staff_member_id: recipientStaffMemberId, status, items: change }).onConflict(['recipient_staff_member_id', 'status']).merge({ items: db.raw('?? + ?', ['inbox_counts.items', change]) });
  }

  async function insertEvent(routedItemId: number, event: NewEvent, db: Db = knex): Promise<void> {
    const t = now();
    await db('routed_item_events').insert({
      routed_item_id: routedItemId,
      type: event.type,
      actor: event.actor,
      actor_staff_member_id: event.actorStaffMemberId ?? null,
      body: event.body ?? null,
      from_staff_member_id: event.fromStaffMemberId ?? null,
      to_staff_member_id: event.toStaffMemberId ?? null,
      committed_at: event.committedAt ?? null,
      created_at: t,
      visible_at: event.visibleAt ?? t,
    });
  }

  return {
    insertEvent,

    async insert(
      fields: {
        publicId: string;
        feedbackItemId: number;
        recipientStaffMemberId: number;
        subjectStaffMemberId: number;
        receivedAt: number;
        visibleAt: number;
        due: { serviceLevelTargetId: number; acknowledgeDueAt: number; respondDueAt: number };
      },
      db: Db,
    ): Promise<number> {
      const t = fields.receivedAt;
      const [id] = await db('routed_items').insert({
        public_id: fields.publicId,
        visible_at: fields.visibleAt,
        service_level_target_id: fields.due.serviceLevelTargetId,
        acknowledge_due_at: fields.due.acknowledgeDueAt,
        respond_due_at: fields.due.respondDueAt,
        feedback_item_id: fields.feedbackItemId,
        recipient_staff_member_id: fields.recipientStaffMemberId,
        subject_staff_member_id: fields.subjectStaffMemberId,
        status: 'received',
        received_at: t,
        updated_at: t,
      });
      await countItem(fields.recipientStaffMemberId, 'received', 1, db);
      await insertEvent(Number(id), { type: 'received', actor: 'system', toStaffMemberId: fields.recipientStaffMemberId }, db);
      return Number(id);
    },

    async idForPublicId(publicId: string, db: Db = knex): Promise<number | undefined> {
      const row = await db('routed_items').select('id').where({ public_id: publicId }).first();
      return row ? Number(row.id) : undefined;
    },

    async find(id: number, db: Db = knex): Promise<RoutedItem | undefined> {
      const row = await itemQuery(db).where('r.id', id).first();
      return row ? toRoutedItem(row) : undefined;
    },

    /** The item, locked until the transaction ends (see findLocked). */
    findForChange: (id: number, trx: Knex.Transaction) => findLocked(trx, { 'r.id': id }),

    findByFeedbackItemForChange: (feedbackItemId: number, trx: Knex.Transaction) => findLocked(trx, { 'r.feedback_item_id': feedbackItemId }),

    async findByFeedbackItem(feedbackItemId: number, db: Db = knex): Promise<RoutedItem | undefined> {
      const row = await itemQuery(db).where('r.feedback_item_id', feedbackItemId).first();
      return row ? toRoutedItem(row) : undefined;
    },

    async publicIdsByFeedbackItems(feedbackItemIds: readonly number[], db: Db = knex): Promise<Map<number, string>> {
      if (feedbackItemIds.length === 0) return new Map();
      const rows = await db('routed_items').select('public_id', 'feedback_item_id').whereIn('feedback_item_id', feedbackItemIds);
      return new Map(rows.map((r) => [Number(r.feedback_item_id), String(r.public_id)]));
    },

    /**
     * A page of what has become visible to the recipient by `filter.now`, newest day first (see
     * orderByStoredDayThenRandom); `total` is how many match (see countsByStatus). The page's ids are
     * found in one of the inbox indexes alone, walked from whichever end is nearer, so no page sorts or
     * reads more than half the list; only the page's rows are then read.
     */
    async listForRecipient(filter: InboxFilter & { now: number }, total: number, db: Db = knex): Promise<RoutedItem[]> {
      const offset = (filter.page - 1) * filter.pageSize;
      if (offset >= total) return [];
      const reversed = offset > total / 2;
      const limit = Math.min(filter.pageSize, total - offset);
      const ids = orderByStoredDayThenRandom(inboxQuery(db, filter).select('r.id'), 'r.received_day', 'r.public_id', reversed)
        .limit(limit)
        .offset(reversed ? total - offset - limit : offset);
      const rows = await orderByStoredDayThenRandom(itemQuery(db).join(ids.as('page'), 'page.id', 'r.id'), 'r.received_day', 'r.public_id');
      return rows.map(toRoutedItem);
    },

    /** How many items match a filter by a subject (other counts come from countsByStatus). */
    async countForRecipient(filter: Omit<InboxFilter, 'page' | 'pageSize'> & { now: number }, db: Db = knex): Promise<number> {
      const row = await inboxQuery(db, filter).count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },

    /** The kept counts (see countItem), less the few items still held back at `now`. */
    async countsByStatus(recipientStaffMemberId: number, now: number, db: Db = knex): Promise<Record<string, number>> {
      const [kept, held] = await Promise.all([
        db('inbox_counts').where({ recipient_staff_member_id: recipientStaffMemberId }).where('items', '>', 0).select('status', 'items'),
        db.from(throughIndex(db, 'routed_items', 'r', 'routed_items_recipient_visible')).where('r.recipient_staff_member_id', recipientStaffMemberId).andWhere('r.visible_at', '>', now).groupBy('r.status').select('r.status', db.raw('count(*) as n')),
      ]);
      const counts: Record<string, number> = Object.fromEntries(kept.map((r) => [String(r.status), Number(r.items)]));
      for (const r of held) counts[String(r.status)] = (counts[String(r.status)] ?? 0) - Number(r.n);
      return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    },

    /**
     * Staff members the recipient's items are about, for the inbox filter: one index probe per staff
     * member, not a pass over the inbox (a scalar subquery, which MariaDB does not turn into one).
     */
    async subjectsForRecipient(recipientStaffMemberId: number, now: number, db: Db = knex): Promise<Array<{ id: number; name: string }>> {
      const hasItem = inboxQuery(db, { recipientStaffMemberId, now }, 'routed_items_inbox_subject_day').select(db.raw('1')).andWhereRaw('r.subject_staff_member_id = s.id').limit(1);
      const rows = await db('staff_members as s').whereRaw('(?) = 1', [hasItem]).select('s.id', 's.name').orderBy('s.name').orderBy('s.id');
      return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
    },

    async update(
      id: number,
      fields: Partial<{
        status: RoutedItemStatus;
        recipientStaffMemberId: number;
        acknowledgedAt: number;
        respondedAt: number;
        closedAt: number;
        acknowledgeDueAt: number;
        respondDueAt: number;
        committedRespondAt: number;
        timeframeUpdatedAt: number;
        /** Null clears it. */
        answerPendingUntil: number | null;
      }>,
      db: Db,
    ): Promise<void> {
      const columns: Record<string, unknown> = { updated_at: now() };
      if (fields.acknowledgeDueAt) columns.acknowledge_due_at = fields.acknowledgeDueAt;
      if (fields.respondDueAt) columns.respond_due_at = fields.respondDueAt;
      if (fields.committedRespondAt) columns.committed_respond_at = fields.committedRespondAt;
      if (fields.timeframeUpdatedAt) columns.timeframe_updated_at = fields.timeframeUpdatedAt;
      if (fields.status) columns.status = fields.status;
      if (fields.recipientStaffMemberId) columns.recipient_staff_member_id = fields.recipientStaffMemberId;
      if (fields.acknowledgedAt) columns.acknowledged_at = fields.acknowledgedAt;
      if (fields.respondedAt) columns.responded_at = fields.respondedAt;
      if (fields.closedAt) columns.closed_at = fields.closedAt;
      if (fields.answerPendingUntil !== undefined) columns.answer_pending_until = fields.answerPendingUntil;
      // Read locked (a caller that took findForChange holds the lock already), so the counts move
      // from the row this update replaces, not from a snapshot another change has since replaced.
      const before = fields.status || fields.recipientStaffMemberId ? await lockedForCount(db, id) : undefined;
      await db('routed_items').where({ id }).update(columns);
      if (before) {
        const from = { recipient: Number(before.recipient_staff_member_id), status: String(before.status) };
        const to = { recipient: fields.recipientStaffMemberId ?? from.recipient, status: fields.status ?? from.status };
        if (from.recipient !== to.recipient || from.status !== to.status) {
          // Counter rows are always locked in one order, so two moves in opposite directions cannot deadlock.
          const moves = [{ ...from, change: -1 as const }, { ...to, change: 1 as const }].sort((a, b) => a.recipient - b.recipient || a.status.localeCompare(b.status));
          for (const m of moves) await countItem(m.recipient, m.status, m.change, db);
        }
      }
    },

    /** Items with a held-back answer whose time to take effect has come. */
    async withAnswersDue(now: number, db: Db = knex): Promise<number[]> {
      return (await db('routed_items').select('id').where('answer_pending_until', '<=', now).orderBy('id')).map((r) => Number(r.id));
    },

    async startPause(routedItemId: number, db: Db): Promise<void> {
      if (await db('routed_item_pauses').where({ routed_item_id: routedItemId }).whereNull('ended_at').first()) return;
      await db('routed_item_pauses').insert({ routed_item_id: routedItemId, started_at: now() });
    },

    /** Ends the open pause, if any, and returns it. */
    async endPause(routedItemId: number, db: Db): Promise<{ start: number; end: number } | undefined> {
      const open = await db('routed_item_pauses').where({ routed_item_id: routedItemId }).whereNull('ended_at').first();
      if (!open) return undefined;
      const end = now();
      await db('routed_item_pauses').where({ id: open.id }).update({ ended_at: end });
      return { start: Number(open.started_at), end };
    },

    /** The history; with `visibleBy`, only the entries readers may see by then. */
    async listEvents(routedItemId: number, visibleBy?: number, db: Db = knex): Promise<RoutedItemEvent[]> {
      const query = db('routed_item_events as e')
        .leftJoin('staff_members as a', 'a.id', 'e.actor_staff_member_id')
        .leftJoin('staff_members as f', 'f.id', 'e.from_staff_member_id')
        .leftJoin('staff_members as t', 't.id', 'e.to_staff_member_id')
        .where('e.routed_item_id', routedItemId)
        .orderBy('e.id')
        .select('e.id', 'e.type', 'e.actor', 'a.name as actor_name', 'e.body', 'f.name as from_name', 't.name as to_name', 'e.committed_at', 'e.created_at');
      const rows = await (visibleBy === undefined ? query : whereVisible(query, 'e.visible_at', visibleBy));
      return rows.map((r) => ({
        id: Number(r.id),
        type: r.type as RoutedItemEventType,
        actor: r.actor as EventActor,
        actorName: r.actor_name ?? null,
        body: r.body ?? null,
        fromName: r.from_name ?? null,
        toName: r.to_name ?? null,
        committedAt: r.committed_at == null ? null : Number(r.committed_at),
        createdAt: Number(r.created_at),
      }));
    },
  };
}

export type RoutedItemsRepository = ReturnType<typeof createRoutedItemsRepository>;
