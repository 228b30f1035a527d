import type { Knex } from 'knex';
import { toBoolean } from '../../platform/db/json';
import { orderByDayThenRandom, whereFeedbackVisible } from '../../platform/privacy/times';
import type { Attribution, FeedbackContent, FeedbackKind } from '../routing/routing.schema';
import { REVEAL_ACTION, type BehaviourDimension, type StaffVisibility } from './feedback.schema';

type Db = Knex | Knex.Transaction;

export interface NewFeedbackItem {
  /** From newReference(createdAt). */
  readonly reference: string;
  readonly createdAt: number;
  readonly staffMemberId: number;
  readonly kind: FeedbackKind;
  readonly attribution: Attribution;
  readonly comment: string;
  readonly context: string;
  readonly escalationRequested: boolean;
  readonly submissionKeyHash: string;
  readonly receiptCodeHash: string | null;
  /** Sent through a request for input; which request is never kept. */
  readonly solicited?: boolean;
  /** The review cycle a solicited input was asked for (whatever its attribution); never shown. */
  readonly solicitedCycleId?: number | null;
  readonly ratings: ReadonlyArray<{ dimensionId: number; label: string; score: number }>;
}

// Content only: this module never reads feedback_identities (see identity.repository.ts).
const CONTENT_COLUMNS = ['f.id', 'f.reference', 'f.staff_member_id', 's.name as staff_name', 'f.kind', 'f.attribution', 'f.comment', 'f.context', 'f.escalation_requested', 'f.created_at'];

export function createFeedbackRepository(knex: Knex, now: () => number) {
  async function contentFor(ids: readonly number[], db: Db = knex): Promise<Map<number, FeedbackContent>> {
    if (ids.length === 0) return new Map();
    const rows = await db('feedback_items as f').join('staff_members as s', 's.id', 'f.staff_member_id').whereIn('f.id', ids).select(CONTENT_COLUMNS);
    const ratings = await db('feedback_ratings as r')
      .join('behaviour_dimensions as d', 'd.id', 'r.dimension_id')
      .whereIn('r.feedback_item_id', ids)
      .orderBy('d.position')
      .select('r.feedback_item_id', 'r.label', 'r.score');
    return new Map(
      rows.map((r) => [
        Number(r.id),
        {
          feedbackItemId: Number(r.id),
          reference: String(r.reference),
          staffMemberId: Number(r.staff_member_id),
          staffName: String(r.staff_name),
          kind: r.kind as FeedbackKind,
          attribution: r.attribution as Attribution,
          comment: String(r.comment),
          context: String(r.context ?? ''),
          escalationRequested: toBoolean(r.escalation_requested),
          ratings: ratings.filter((x) => Number(x.feedback_item_id) === Number(r.id)).map((x) => ({ label: String(x.label), score: Number(x.score) })),
          createdAt: Number(r.created_at),
        },
      ]),
    );
  }

  return {
    contentFor,

    async insert(item: NewFeedbackItem, db: Knex.Transaction): Promise<number> {
      const row = {
        reference: item.reference,
        staff_member_id: item.staffMemberId,
        kind: item.kind,
        attribution: item.attribution,
        comment: item.comment,
        context: item.context,
        escalation_requested: item.escalationRequested,
        submission_key_hash: item.submissionKeyHash,
        receipt_code_hash: item.receiptCodeHash,
        solicited: item.solicited ?? false,
        solicited_cycle_id: item.solicitedCycleId ?? null,
        created_at: item.createdAt,
      };
      const [id] = await db('feedback_items').insert(row);
      if (item.ratings.length > 0) {
        await db('feedback_ratings').insert(item.ratings.map((r) => ({ feedback_item_id: Number(id), dimension_id: r.dimensionId, label: r.label, score: r.score })));
      }
      return Number(id);
    },

    async findBySubmissionKeyHash(hash: string, db: Db = knex): Promise<{ id: number; reference: string; attribution: Attribution } | undefined> {
      const row = await db('feedback_items').select('id', 'reference', 'attribution').where({ submission_key_hash: hash }).first();
      return row ? { id: Number(row.id), reference: String(row.reference), attribution: row.attribution as Attribution } : undefined;
    },

    /** Whether the account has revealed this item's submitter: the reveal's audit entry names the item by reference. */
    async unsealedBy(accountId: number, feedbackItemId: number, db: Db = knex): Promise<boolean> {
      const row = await db('audit_events as a')
        .join('feedback_items as f', 'f.reference', 'a.subject_id')
        .where({ 'a.action': REVEAL_ACTION, 'a.subject_type': 'feedback_item', 'a.actor_account_id': accountId, 'f.id': feedbackItemId })
        .select('a.id')
        .first();
      return !!row;
    },

    async idForReference(reference: string, db: Db = knex): Promise<number | undefined> {
      const row = await db('feedback_items').select('id').where({ reference }).first();
      return row ? Number(row.id) : undefined;
    },

    async findByReceiptCodeHash(hash: string, db: Db = knex): Promise<number | undefined> {
      const row = await db('feedback_items').select('id').where({ receipt_code_hash: hash }).first();
      return row ? Number(row.id) : undefined;
    },

    /** Items about a staff member that the organisation's visibility setting lets them see. */
    async visibleToStaffMember(staffMemberId: number, visibility: StaffVisibility, db: Db = knex): Promise<FeedbackContent[]> {
      if (visibility === 'none') return [];
      const q = db('feedback_items').select('id').where({ staff_member_id: staffMemberId, attribution: 'named' }).orderBy('id', 'desc').limit(200);
      if (visibility === 'named_appreciation') q.andWhere('kind', 'appreciation');
      const ids = (await q).map((r) => Number(r.id));
      const content = await contentFor(ids, db);
      return ids.map((id) => content.get(id)!).filter(Boolean);
    },

    /**
     * Every item visible by `now`, newest day first (see orderByDayThenRandom), except those about
     * `excludeStaffMemberId` (the viewer themselves).
     */
    async listAll(filter: { attribution?: Attribution; excludeStaffMemberId: number | null; page: number; pageSize: number; now: number }, db: Db = knex): Promise<{ ids: number[]; total: number }> {
      const apply = (q: Knex.QueryBuilder) => {
        if (filter.attribution) q.where('f.attribution', filter.attribution);
        if (filter.excludeStaffMemberId !== null) q.whereNot('f.staff_member_id', filter.excludeStaffMemberId);
        return whereFeedbackVisible(q, 'f.id', filter.now);
      };
      const total = await apply(db('feedback_items as f').count({ n: '*' })).first();
      const rows = await orderByDayThenRandom(apply(db('feedback_items as f').select('f.id')), 'f.created_at', 'f.reference')
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      return { ids: rows.map((r: { id: number }) => Number(r.id)), total: Number(total?.n ?? 0) };
    },

    async listDimensions(options: { activeOnly: boolean }, db: Db = knex): Promise<BehaviourDimension[]> {
      const q = db('behaviour_dimensions').select('id', 'code', 'label', 'description', 'position', 'active').orderBy([{ column: 'position' }, { column: 'id' }]);
      if (options.activeOnly) q.where('active', true);
      return (await q).map((r) => ({ id: Number(r.id), code: String(r.code), label: String(r.label), description: String(r.description), position: Number(r.position), active: toBoolean(r.active) }));
    },

    async updateDimension(id: number, fields: { label: string; description: string; position: number; active: boolean }, db: Db = knex): Promise<boolean> {
      return (await db('behaviour_dimensions').where({ id }).update(fields)) === 1;
    },

    async staffVisibility(db: Db = knex): Promise<StaffVisibility> {
      const row = await db('organisation_settings').select('value').where({ name: 'staff_visibility' }).first();
      return (row?.value ?? 'named_appreciation') as StaffVisibility;
    },

    async setStaffVisibility(value: StaffVisibility, db: Db = knex): Promise<void> {
      const changed = await db('organisation_settings').where({ name: 'staff_visibility' }).update({ value });
      if (changed === 0) await db('organisation_settings').insert({ name: 'staff_visibility', value });
    },
  };
}

export type FeedbackRepository = ReturnType<typeof createFeedbackRepository>;
