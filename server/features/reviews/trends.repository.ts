import type { Knex } from 'knex';
import { handlingTallyColumns } from '../service-levels';
import type { DepartmentHandlingCount, RatedItems, DepartmentRatingCount } from './aggregation';
import { frozenInputs, type Period } from './packets.repository';

type Db = Knex | Knex.Transaction;

/** The trends' ratings and handling, counted by the database: a few rows per department, never every rating or item. */
export function createTrendsRepository(knex: Knex, now: () => number) {
  /** A cycle's ratings that trends count: given in its period (see frozenInputs), by staff in a department as frozen. */
  const counted = (db: Db, period: Period, cycleId: number) => frozenInputs(db('feedback_ratings as r'), 'r.feedback_item_id', period, cycleId).clearSelect().whereNotNull('p.department_id');

  return {
    async ratingCounts(period: Period, cycleId: number, db: Db = knex): Promise<DepartmentRatingCount[]> {
      const rows: Array<Record<string, unknown>> = await counted(db, period, cycleId)
        .groupBy('p.department_id', 'r.dimension_id', 'r.score')
        .select('p.department_id', 'r.dimension_id', 'r.score', db.raw('count(*) as ratings'));
      return rows.map((r) => ({ cycleId, departmentId: Number(r.department_id), dimensionId: Number(r.dimension_id), score: Number(r.score), ratings: Number(r.ratings) }));
    },

    /** How each department's routed items of a cycle's period were handled (see handlingTallies), tallied as of now. */
    async handlingCounts(period: Period, cycleId: number, db: Db = knex): Promise<DepartmentHandlingCount[]> {
      const tallies = handlingTallyColumns(db, now());
      const rows: Array<Record<string, unknown>> = await frozenInputs(db('routed_items as r'), 'r.feedback_item_id', period, cycleId)
        .clearSelect()
        .whereNotNull('p.department_id')
        .groupBy('p.department_id')
        .select('p.department_id', db.raw('count(*) as items'), ...tallies.columns);
      return rows.map((r) => ({ cycleId, departmentId: Number(r.department_id), items: Number(r.items), tallies: tallies.fromRow(r) }));
    },

    /** Distinct items rated on these dimensions in a cycle's period, by the chosen departments and by all. */
    async ratedItems(period: Period, cycleId: number, dimensionIds: readonly number[], departmentIds: readonly number[], db: Db = knex): Promise<RatedItems> {
      if (dimensionIds.length === 0 || departmentIds.length === 0) return { chosen: 0, all: 0 };
      const row: Record<string, unknown> = await counted(db, period, cycleId)
        .whereIn('r.dimension_id', dimensionIds)
        .first(db.raw('count(distinct f.id) as all_items'), db.raw(`count(distinct case when p.department_id in (${departmentIds.map(() => '?').join(', ')}) then f.id end) as chosen_items`, [...departmentIds]));
      return { chosen: Number(row?.chosen_items ?? 0), all: Number(row?.all_items ?? 0) };
    },
  };
}

export type TrendsRepository = ReturnType<typeof createTrendsRepository>;
