import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import { createServiceLevelsRepository } from './service-levels.repository';
import { createServiceLevelsRoutes } from './service-levels.routes';
import { createServiceLevelsService } from './service-levels.service';

export type { BusinessCalendar } from './business-clock';
export type { ServiceLevelsService } from './service-levels.service';
export { extendByPause } from './service-levels.service';
export { describeTarget } from './service-levels.routes';
export { handlingTallies, handlingTallyColumns, type HandlingTallies, type HandlingTimes, type TargetTally } from './performance';
export type { ServiceLevelTarget } from './service-levels.schema';
export { FEEDBACK_SERVICE, type EscalationStep, type TargetUnit } from './service-levels.schema';

export function createServiceLevels(deps: { knex: Knex; audit: AuditLog; clock: Clock; minimumGroupSize: number }) {
  const service = createServiceLevelsService({ ...deps, repository: createServiceLevelsRepository(deps.knex) });
  return { service, routes: createServiceLevelsRoutes(service) };
}
