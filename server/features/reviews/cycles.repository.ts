import type { Knex } from 'knex';
import { toBoolean } from '../../platform/db/json';
import type { CycleInput, CycleStatus, ReviewCycle } from './cycles.schema';

type Db = Knex | Knex.Transaction;

const CYCLE_COLUMNS = ['id', 'code', 'starts_on', 'ends_on', 'review_opens_on', 'review_closes_on', 'status', 'staff_see_unreviewed', 'guidance'] as const;

function toCycle(row: Record<string, unknown>): ReviewCycle {
  return {
    id: Number(row.id),
    code: String(row.code),
    startsOn: String(row.starts_on),
    endsOn: String(row.ends_on),
    reviewOpensOn: String(row.review_opens_on),
    reviewClosesOn: String(row.review_closes_on),
    status: String(row.status) as CycleStatus,
    staffSeeUnreviewed: toBoolean(row.staff_see_unreviewed),
    guidance: String(row.guidance),
  };
}

function cycleColumns(input: CycleInput): Record<string, unknown> {
  return {
    code: input.code,
    starts_on: input.startsOn,
    ends_on: input.endsOn,
    review_opens_on: input.reviewOpensOn,
    review_closes_on: input.reviewClosesOn,
    staff_see_unreviewed: input.staffSeeUnreviewed,
    guidance: input.guidance,
  };
}

export function createCyclesRepository(knex: Knex, now: () => number) {
  return {
    async findCycle(id: number, db: Db = knex): Promise<ReviewCycle | undefined> {
      const row = await db('review_cycles').select(...CYCLE_COLUMNS).where({ id }).first();
      return row ? toCycle(row) : undefined;
    },

    /** Newest period first. */
    async listCycles(db: Db = knex): Promise<ReviewCycle[]> {
      const rows = await db('review_cycles')
        .select(...CYCLE_COLUMNS)
        .orderBy([{ column: 'starts_on', order: 'desc' }, { column: 'id', order: 'desc' }]);
      return rows.map(toCycle);
    },

    /** The cycle whose period ended last before `startsOn` (YYYY-MM-DD). */
    async endingBefore(startsOn: string, db: Db = knex): Promise<ReviewCycle | undefined> {
      const row = await db('review_cycles')
        .select(...CYCLE_COLUMNS)
        .where('ends_on', '<', startsOn)
        .orderBy([{ column: 'ends_on', order: 'desc' }, { column: 'id', order: 'desc' }])
        .first();
      return row ? toCycle(row) : undefined;
    },

    /** The cycle whose period includes `day` (YYYY-MM-DD); the latest-starting one if periods overlap. */
    async containingDay(day: string, db: Db = knex): Promise<ReviewCycle | undefined> {
      const row = await db('review_cycles')
        .select(...CYCLE_COLUMNS)
        .where('starts_on', '<=', day)
        .andWhere('ends_on', '>=', day)
        .orderBy([{ column: 'starts_on', order: 'desc' }, { column: 'id', order: 'desc' }])
        .first();
      return row ? toCycle(row) : undefined;
    },

    /**
     * Whether a cycle with another code has a period sharing a day with `startsOn`..`endsOn` (both
     * included); one with the same code is the unique code's concern.
     */
    async overlapsAnother({ code, startsOn, endsOn }: Pick<CycleInput, 'code' | 'startsOn' | 'endsOn'>, exceptId: number | null, db: Db = knex): Promise<boolean> {
      let query = db('review_cycles').first('id').whereNot({ code }).andWhere('starts_on', '<=', endsOn).andWhere('ends_on', '>=', startsOn);
      if (exceptId !== null) query = query.whereNot({ id: exceptId });
      return (await query) !== undefined;
    },

    async insertCycle(input: CycleInput, db: Db): Promise<number> {
      const t = now();
      const [id] = await db('review_cycles').insert({ ...cycleColumns(input), status: 'planned', created_at: t, updated_at: t });
      return Number(id);
    },

    async updateCycle(id: number, input: CycleInput, db: Db): Promise<void> {
      await db('review_cycles').where({ id }).update({ ...cycleColumns(input), updated_at: now() });
    },

    /** Moves a cycle on only from the status it is expected to be in; false when another request got there first. */
    async setStatus(id: number, from: CycleStatus, to: CycleStatus, db: Db): Promise<boolean> {
      return (await db('review_cycles').where({ id, status: from }).update({ status: to, updated_at: now() })) === 1;
    },
  };
}

export type CyclesRepository = ReturnType<typeof createCyclesRepository>;
