import type { Knex } from 'knex';
import { parseJsonColumn } from '../../platform/db/json';
import { handlingTallyColumns, type HandlingTallies } from '../service-levels';
import { frozenInputs, type Period } from './packets.repository';

type Db = Knex | Knex.Transaction;

/** One department's counts in one ended cycle: what the trends page needs of it, and no item or person. */
export interface DepartmentCounts {
  readonly departmentId: number;
  /** [dimension id, score, ratings] */
  readonly ratings: ReadonlyArray<readonly [number, number, number]>;
  /** [ascending dimension ids, items rated on exactly those] */
  readonly ratedSets: ReadonlyArray<readonly [readonly number[], number]>;
  readonly handling: { readonly items: number; readonly tallies: HandlingTallies };
}

export interface StoredTrendCounts {
  readonly cycleId: number;
  readonly computedAt: number;
  readonly departments: readonly DepartmentCounts[];
}

/**
 * The trends' counts, read one department of one cycle at a time (a job's step, short enough that
 * other requests get their turn between steps), and the counts the job stored per cycle.
 */
export function createTrendsRepository(knex: Knex) {
  return {
    /**
     * A department's ratings in a cycle's period (see frozenInputs): counted per dimension and score,
     * and its items counted per set of dimensions they were rated on (which no GROUP BY both
     * databases share can do, hence the pairs of item and dimension, dropped once counted).
     */
    async departmentRatings(period: Period, cycleId: number, departmentId: number, db: Db = knex): Promise<Pick<DepartmentCounts, 'ratings' | 'ratedSets'>> {
      const rows: Array<{ item: unknown; dimension_id: unknown; score: unknown }> = await frozenInputs(db('feedback_ratings as r'), 'r.feedback_item_id', period, cycleId)
        .clearSelect()
        .where('p.department_id', departmentId)
        .select('f.id as item', 'r.dimension_id', 'r.score');
      const ratings = new Map<string, number>();
      const dimensionsOfItem = new Map<number, number[]>();
      for (const row of rows) {
        const key = `${Number(row.dimension_id)}:${Number(row.score)}`;
        ratings.set(key, (ratings.get(key) ?? 0) + 1);
        const dimensions = dimensionsOfItem.get(Number(row.item)) ?? [];
        dimensions.push(Number(row.dimension_id));
        dimensionsOfItem.set(Number(row.item), dimensions);
      }
      const sets = new Map<string, { dimensionIds: number[]; items: number }>();
      for (const dimensions of dimensionsOfItem.values()) {
        const dimensionIds = [...new Set(dimensions)].sort((a, b) => a - b);
        const key = dimensionIds.join(',');
        sets.set(key, { dimensionIds, items: (sets.get(key)?.items ?? 0) + 1 });
      }
      return {
        ratings: [...ratings].map(([key, n]) => [...(key.split(':').map(Number) as [number, number]), n] as const),
        ratedSets: [...sets.values()].map((s) => [s.dimensionIds, s.items] as const),
      };
    },

    /** How a department's routed items of a cycle's period were handled (see handlingTallies), tallied as of `now`. */
    async departmentHandling(period: Period, cycleId: number, departmentId: number, now: number, db: Db = knex): Promise<DepartmentCounts['handling']> {
      const tallies = handlingTallyColumns(db, now);
      const row: Record<string, unknown> | undefined = await frozenInputs(db('routed_items as r'), 'r.feedback_item_id', period, cycleId)
        .clearSelect()
        .where('p.department_id', departmentId)
        .first(db.raw('count(*) as items'), ...tallies.columns);
      return { items: Number(row?.items ?? 0), tallies: tallies.fromRow(row ?? {}) };
    },

    /** When each of these cycles' counts were stored, without reading them. */
    async storedTimes(cycleIds: readonly number[], db: Db = knex): Promise<Map<number, number>> {
      if (cycleIds.length === 0) return new Map();
      const rows = await db('trend_figures').whereIn('cycle_id', cycleIds).select('cycle_id', 'computed_at');
      return new Map(rows.map((r) => [Number(r.cycle_id), Number(r.computed_at)]));
    },

    async stored(cycleIds: readonly number[], db: Db = knex): Promise<StoredTrendCounts[]> {
      if (cycleIds.length === 0) return [];
      const rows = await db('trend_figures').whereIn('cycle_id', cycleIds).select('cycle_id', 'computed_at', 'body');
      return rows.map((r) => ({ cycleId: Number(r.cycle_id), computedAt: Number(r.computed_at), departments: parseJsonColumn<DepartmentCounts[]>(r.body) }));
    },

    async store(counts: StoredTrendCounts, db: Db = knex): Promise<void> {
      await db('trend_figures').insert({ cycle_id: counts.cycleId, computed_at: counts.computedAt, body: JSON.stringify(counts.departments) }).onConflict('cycle_id').merge(['computed_at', 'body']);
    },
  };
}

export type TrendsRepository = ReturnType<typeof createTrendsRepository>;
