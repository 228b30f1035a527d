import type { Knex } from 'knex';
import { toBoolean, toNullableNumber } from '../../platform/db/json';
import { orderByDayThenRandom, whereFeedbackVisible } from '../../platform/privacy/times';
import type { StaffHandlingCount, StaffHandlingTally, StaffRatingCount } from './aggregation';
import { handlingTallyColumns } from '../service-levels';
import { parseJsonColumn } from '../../platform/db/json';

type Db = Knex | Knex.Transaction;

/** A period in epoch milliseconds: from included, to excluded. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

/** A feedback item in a packet, with its comment but never an identity (names come from the feedback feature). */
export interface PacketItem {
  readonly id: number;
  /** The item's random reference: what pages and forms name it by. */
  readonly reference: string;
  readonly kind: string;
  readonly attribution: string;
  readonly solicited: boolean;
  readonly createdAt: number;
  readonly staffMemberId: number;
  /** Received in the cycle's period, so counted in its figures (see frozenInputs). */
  readonly counted: boolean;
  readonly comment: string;
  readonly context: string;
  /** The cycle's follow-up flag on it, if any. */
  readonly flag: string | null;
}

/**
 * The feedback items of a cycle's packets: those asked for it (solicited input, whatever day it
 * arrived before its request's deadline, often in the review window after the period's end), and
 * the unsolicited ones received in its period. An answer asked for one cycle never joins another.
 */
function belongsToCycle(query: Knex.QueryBuilder, cycleId: number, period: Period, alias: string): Knex.QueryBuilder {
  return query.where((w) =>
    w.where(`${alias}.solicited_cycle_id`, cycleId).orWhere((unsolicited) => unsolicited.whereNull(`${alias}.solicited_cycle_id`).andWhere(`${alias}.created_at`, '>=', period.from).andWhere(`${alias}.created_at`, '<', period.to)),
  );
}

export interface PacketReview {
  readonly staffMemberId: number;
  readonly reviewedAt: number;
  readonly reviewedByAccountId: number | null;
  readonly notes: string;
}

/**
 * Rows of `query` whose input (feedback item, as `f`, joined by `inputKey`) a cycle's figures count,
 * with where it belongs: its staff member as frozen for the cycle (see populations.ts), as `p`; no
 * department for someone not in it. Figures count what came in during the period and was not asked
 * for another cycle: they are final at the period's end, so a solicited answer arriving later is read
 * in the packet but moves no figure (the change would describe that one answer to an earlier reader).
 */
export function frozenInputs(query: Knex.QueryBuilder, inputKey: string, period: Period, cycleId: number): Knex.QueryBuilder {
  return query
    .join('feedback_items as f', 'f.id', inputKey)
    .leftJoin('cycle_population_members as p', (on) => on.on('p.staff_member_id', '=', 'f.staff_member_id').andOnVal('p.cycle_id', '=', cycleId))
    .where('f.created_at', '>=', period.from)
    .andWhere('f.created_at', '<', period.to)
    // Asked for this cycle or for none. Written as one comparison, not an OR the planners answer
    // through the solicited-cycle index (every unsolicited item ever given), so the period's index is used.
    .andWhereRaw('coalesce(f.solicited_cycle_id, ?) = ?', [cycleId, cycleId])
    .select('f.staff_member_id', 'p.department_id');
}

/** Inputs counted over one department as frozen for the cycle, or one staff member's alone. */
export type Within = { readonly departmentId: number | null } | { readonly staffMemberId: number };

/**
 * `departmentId: null`: everyone without a frozen department (outside the population too), found
 * from the staff list so the items are read by staff member rather than all scanned.
 */
function inWithin(query: Knex.QueryBuilder, within: Within, cycleId: number): Knex.QueryBuilder {
  if ('staffMemberId' in within) return query.where('f.staff_member_id', within.staffMemberId);
  if (within.departmentId !== null) return query.where('p.department_id', within.departmentId);
  return query.whereIn('f.staff_member_id', (staff) =>
    staff.from('staff_members as without').select('without.id').whereNotExists((placed) => placed.from('cycle_population_members as placed').select('placed.cycle_id').whereRaw('placed.staff_member_id = without.id').andWhere('placed.cycle_id', cycleId).whereNotNull('placed.department_id')),
  );
}

function aboutStaff(query: Knex.QueryBuilder, staffMemberIds: readonly number[] | undefined): Knex.QueryBuilder {
  return staffMemberIds ? query.whereIn('f.staff_member_id', staffMemberIds) : query;
}

const placedOf = (row: Record<string, unknown>) => ({ staffMemberId: Number(row.staff_member_id), departmentId: toNullableNumber(row.department_id) });

export function createPacketsRepository(knex: Knex, now: () => number) {
  return {
    /** How many times each staff member was given each score on each dimension in a cycle's period (see frozenInputs), in one department (see Within). */
    async ratingCounts(period: Period, cycleId: number, within: Within, db: Db = knex): Promise<StaffRatingCount[]> {
      const rows: Array<Record<string, unknown>> = await inWithin(frozenInputs(db('feedback_ratings as r'), 'r.feedback_item_id', period, cycleId), within, cycleId)
        .select('r.dimension_id', 'r.score')
        .count({ n: '*' })
        .groupBy('f.staff_member_id', 'p.department_id', 'r.dimension_id', 'r.score');
      return rows.map((r) => ({ ...placedOf(r), cycleId, dimensionId: Number(r.dimension_id), score: Number(r.score), count: Number(r.n) }));
    },

    /** The departments of a cycle's frozen population. */
    async frozenDepartments(cycleId: number, db: Db = knex): Promise<number[]> {
      return (await db('cycle_population_members').distinct('department_id').where({ cycle_id: cycleId }).whereNotNull('department_id').orderBy('department_id')).map((r) => Number(r.department_id));
    },

    /** Staff members' departments as frozen for a cycle (of these only, if given); null without one; absent outside its population. */
    async frozenPlacements(cycleId: number, staffMemberIds?: readonly number[], db: Db = knex): Promise<Map<number, number | null>> {
      const q = db('cycle_population_members').select('staff_member_id', 'department_id').where({ cycle_id: cycleId });
      const rows = await (staffMemberIds ? q.whereIn('staff_member_id', staffMemberIds) : q);
      return new Map(rows.map((r) => [Number(r.staff_member_id), toNullableNumber(r.department_id)]));
    },

    /**
     * These staff members' items of a cycle (see belongsToCycle) visible by now, each marked whether its figures count it, with its comment and
     * any follow-up flag of the cycle; newest day first (see orderByDayThenRandom).
     */
    async items(staffMemberIds: readonly number[], period: Period, cycleId: number, db: Db = knex): Promise<PacketItem[]> {
      const query = belongsToCycle(
        db('feedback_items as f')
          .leftJoin('packet_flags as flag', (on) => on.on('flag.feedback_item_id', '=', 'f.id').andOnVal('flag.cycle_id', '=', cycleId))
          .select('f.id', 'f.staff_member_id', 'f.reference', 'f.kind', 'f.attribution', 'f.solicited', 'f.created_at', 'f.comment', 'f.context', 'flag.note')
          .whereIn('f.staff_member_id', staffMemberIds),
        cycleId,
        period,
        'f',
      );
      const rows: Array<Record<string, unknown>> = await orderByDayThenRandom(whereFeedbackVisible(query, 'f.id', now()), 'f.created_at', 'f.reference');
      return rows.map((r) => {
        const createdAt = Number(r.created_at);
        return {
          id: Number(r.id),
          staffMemberId: Number(r.staff_member_id),
          reference: String(r.reference),
          kind: String(r.kind),
          attribution: String(r.attribution),
          solicited: toBoolean(r.solicited),
          createdAt,
          counted: createdAt >= period.from && createdAt < period.to,
          comment: String(r.comment),
          context: String(r.context ?? ''),
          flag: r.note == null ? null : String(r.note),
        };
      });
    },

    /** A department's counts for an ended cycle's packets, as stored on first use (see storePartCounts). */
    async storedPartCounts(cycleId: number, departmentId: number, db: Db = knex): Promise<{ ratings: StaffRatingCount[]; handling: StaffHandlingCount[] } | undefined> {
      const row = await db('packet_part_counts').where({ cycle_id: cycleId, department_id: departmentId }).first('body');
      if (!row) return undefined;
      const body = parseJsonColumn<{ ratings: Array<[number, number, number, number]>; handling: Array<[number, number]> }>(row.body);
      return {
        ratings: body.ratings.map(([staffMemberId, dimensionId, score, count]) => ({ staffMemberId, departmentId, cycleId, dimensionId, score, count })),
        handling: body.handling.map(([staffMemberId, count]) => ({ staffMemberId, departmentId, cycleId, count })),
      };
    },

    /** Keeps them compactly, one row per cycle and department; a second writer's copy is the same and is dropped. */
    async storePartCounts(cycleId: number, departmentId: number, counts: { ratings: readonly StaffRatingCount[]; handling: readonly StaffHandlingCount[] }, db: Db = knex): Promise<void> {
      const body = { ratings: counts.ratings.map((c) => [c.staffMemberId, c.dimensionId, c.score, c.count]), handling: counts.handling.map((c) => [c.staffMemberId, c.count]) };
      await db('packet_part_counts').insert({ cycle_id: cycleId, department_id: departmentId, body: JSON.stringify(body) }).onConflict(['cycle_id', 'department_id']).ignore();
    },

    /** How these staff members' routed items of a cycle's period were handled (see handlingTallies), tallied as of now. */
    async handlingTallies(period: Period, cycleId: number, staffMemberIds: readonly number[], db: Db = knex): Promise<Map<number, StaffHandlingTally>> {
      const tallies = handlingTallyColumns(db, now());
      const rows: Array<Record<string, unknown>> = await aboutStaff(frozenInputs(db('routed_items as r'), 'r.feedback_item_id', period, cycleId), staffMemberIds)
        .clearSelect()
        .groupBy('f.staff_member_id')
        .select('f.staff_member_id', db.raw('count(*) as items'), ...tallies.columns);
      return new Map(rows.map((r) => [Number(r.staff_member_id), { items: Number(r.items), tallies: tallies.fromRow(r) }]));
    },

    /** How many routed items each staff member's inputs of a cycle's period created (see frozenInputs). */
    async handlingCounts(period: Period, cycleId: number, within: Within, db: Db = knex): Promise<StaffHandlingCount[]> {
      const rows: Array<Record<string, unknown>> = await inWithin(frozenInputs(db('routed_items as r'), 'r.feedback_item_id', period, cycleId), within, cycleId).count({ n: '*' }).groupBy('f.staff_member_id', 'p.department_id');
      return rows.map((r) => ({ ...placedOf(r), cycleId, count: Number(r.n) }));
    },

    async dimensions(db: Db = knex): Promise<Array<{ id: number; label: string }>> {
      return (await db('behaviour_dimensions').select('id', 'label').where({ active: true }).orderBy('position').orderBy('id')).map((r) => ({ id: Number(r.id), label: String(r.label) }));
    },

    async reviews(cycleId: number, staffMemberIds: readonly number[] | null, db: Db = knex): Promise<PacketReview[]> {
      let query = db('packet_reviews').select('staff_member_id', 'reviewed_at', 'reviewed_by_account_id', 'notes').where({ cycle_id: cycleId });
      if (staffMemberIds) query = query.whereIn('staff_member_id', staffMemberIds);
      return (await query).map((r) => ({ staffMemberId: Number(r.staff_member_id), reviewedAt: Number(r.reviewed_at), reviewedByAccountId: toNullableNumber(r.reviewed_by_account_id), notes: String(r.notes) }));
    },

    /** Of these cycles, those in which the staff member's packet has been reviewed. */
    async reviewedCycleIds(staffMemberId: number, cycleIds: readonly number[], db: Db = knex): Promise<Set<number>> {
      if (cycleIds.length === 0) return new Set();
      const rows = await db('packet_reviews').select('cycle_id').where({ staff_member_id: staffMemberId }).whereIn('cycle_id', cycleIds);
      return new Set(rows.map((r) => Number(r.cycle_id)));
    },

    async saveReview(cycleId: number, staffMemberId: number, accountId: number, notes: string, db: Db): Promise<void> {
      await db('packet_reviews').insert({ cycle_id: cycleId, staff_member_id: staffMemberId, reviewed_by_account_id: accountId, reviewed_at: now(), notes }).onConflict(['cycle_id', 'staff_member_id']).merge(['reviewed_by_account_id', 'reviewed_at', 'notes']);
    },

    async setFlag(cycleId: number, feedbackItemId: number, accountId: number, note: string | null, db: Db): Promise<void> {
      if (note === null) {
        await db('packet_flags').where({ cycle_id: cycleId, feedback_item_id: feedbackItemId }).delete();
        return;
      }
      await db('packet_flags').insert({ cycle_id: cycleId, feedback_item_id: feedbackItemId, flagged_by_account_id: accountId, note, created_at: now() }).onConflict(['cycle_id', 'feedback_item_id']).merge(['flagged_by_account_id', 'note', 'created_at']);
    },

    /** Community-facing staff and how many of their packets of a cycle are reviewed, per department and manager (by name). */
    async progressCounts(cycleId: number, db: Db = knex): Promise<Array<{ departmentName: string | null; managerName: string | null; total: number; reviewed: number }>> {
      const rows = await db('staff_members as s')
        .leftJoin('departments as d', 'd.id', 's.department_id')
        .leftJoin('staff_members as m', 'm.id', 's.manager_id')
        .leftJoin('packet_reviews as pr', (on) => on.on('pr.staff_member_id', '=', 's.id').andOnVal('pr.cycle_id', '=', cycleId))
        .where('s.community_facing', true)
        .groupBy('s.department_id', 'd.name', 's.manager_id', 'm.name')
        .select('d.name as department_name', 'm.name as manager_name', db.raw('count(*) as total'), db.raw('count(pr.staff_member_id) as reviewed'));
      return rows.map((r) => ({ departmentName: r.department_name == null ? null : String(r.department_name), managerName: r.manager_name == null ? null : String(r.manager_name), total: Number(r.total), reviewed: Number(r.reviewed) }));
    },

    /** Community-facing staff (the people packets are made for), by name: everyone, or only those among `anyOf` or managed by `orManagedBy`. */
    async communityFacingStaff(among: { anyOf?: readonly number[]; orManagedBy: number } | null = null, db: Db = knex): Promise<Array<{ id: number; name: string; departmentId: number | null; departmentName: string | null; managerId: number | null }>> {
      const staff = db('staff_members as s').leftJoin('departments as d', 'd.id', 's.department_id').where('s.community_facing', true);
      if (among) staff.andWhere((w) => w.where('s.manager_id', among.orManagedBy).orWhereIn('s.id', among.anyOf ?? []));
      const rows = await staff
        .select('s.id', 's.name', 's.department_id', 'd.name as department_name', 's.manager_id')
        .orderBy('s.name')
        .orderBy('s.id');
      return rows.map((r) => ({ id: Number(r.id), name: String(r.name), departmentId: toNullableNumber(r.department_id), departmentName: r.department_name == null ? null : String(r.department_name), managerId: toNullableNumber(r.manager_id) }));
    },
  };
}

export type PacketsRepository = ReturnType<typeof createPacketsRepository>;
