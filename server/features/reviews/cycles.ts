import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import { createCyclesRepository } from './cycles.repository';
import { createCycleRoutes } from './cycles.routes';
import { createCyclesService } from './cycles.service';
import { createPopulations } from './populations';

export type { ReviewCyclesService } from './cycles.service';
export type { ReviewCycle, CycleStatus } from './cycles.schema';
export { CYCLE_STATUSES, periodOfCode } from './cycles.schema';

/**
 * Review cycles: half-years whose input feeds staff reviews, set up and opened by HR. The service's
 * findCycle, listCycles, previousCycle and cycleContaining are for the rest of the reviews feature.
 */
export function createReviewCycles(deps: { knex: Knex; clock: Clock; audit: AuditLog }) {
  const now = () => deps.clock.now();
  const populations = createPopulations(deps.knex, now);
  const service = createCyclesService({ knex: deps.knex, repository: createCyclesRepository(deps.knex, now), audit: deps.audit, freezePopulation: (id, trx) => populations.freeze(id, trx) });
  return { service, routes: createCycleRoutes({ cycles: service, now }) };
}
