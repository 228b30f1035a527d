import type { Knex } from 'knex';
import { isUniqueViolation } from '../../platform/db/errors';
import { createPopulationsRepository } from './populations.repository';

/**
 * Frozen populations: who was where (department, manager) at a review period's end. Figures over
 * a period that is over are computed over its frozen population only, so a later directory move
 * never changes them. It is frozen once, the first time it is needed after the period's end (a
 * figure, the periodic sweep) or when the cycle closes, whichever comes first, and never again.
 */
export function createPopulations(knex: Knex, now: () => number) {
  const repository = createPopulationsRepository(knex);
  return {
    async freeze(cycleId: number, db: Knex | Knex.Transaction = knex): Promise<void> {
      if (await repository.isFrozen(cycleId, db)) return;
      try {
        // A savepoint inside the caller's transaction: a request that froze it first leaves this one intact.
        await db.transaction((trx) => repository.freeze(cycleId, now(), trx));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    },
  };
}

export type Populations = ReturnType<typeof createPopulations>;
