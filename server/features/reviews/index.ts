import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import type { Dialect } from '../../platform/db';
import type { Translate } from '../../platform/i18n';
import type { FeedbackSource } from '../routing/routing.schema';
import { createExportJobs } from './export-jobs';
import { cycleSheets } from './packet-sheets';
import { createPacketsRepository } from './packets.repository';
import { createPacketsRoutes } from './packets.routes';
import { createPopulations } from './populations';
import { createTrendsRepository } from './trends.repository';
import { createTrendsService } from './trends.service';
import { createPacketsService, type CycleLookup, type PacketDirectory, type StaffSurveyResult } from './packets.service';
import type { Period } from './packets.repository';

export type { PacketsService, InputPacket, CycleLookup } from './packets.service';
export type { TrendsService } from './trends.service';
export type { ReviewCycle } from './cycles.schema';

/** Input packets, the manager's review of them, HR's progress, trends and exports. */
export function createReviews(deps: {
  knex: Knex;
  dialect: Dialect;
  clock: Clock;
  audit: AuditLog;
  cycles: CycleLookup;
  directory: PacketDirectory;
  feedback: FeedbackSource;
  staffSurveyResults(staffMemberIds: readonly number[], period: Period): Promise<ReadonlyMap<number, readonly StaffSurveyResult[]>>;
  minimumGroupSize: number;
  /** How long a built export file is kept. */
  exportRetentionMs: number;
  /** Export headers are written in the organisation's default language. */
  translate: Translate;
}) {
  const now = () => deps.clock.now();
  const repository = createPacketsRepository(deps.knex, now);
  const populations = createPopulations(deps.knex, now);
  const packets = createPacketsService({ ...deps, repository, populations, now });
  const trends = createTrendsService({ ...deps, repository: createTrendsRepository(deps.knex), packetsRepository: repository, populations, now });
  const exports = createExportJobs({ knex: deps.knex, dialect: deps.dialect, audit: deps.audit, now, retentionMs: deps.exportRetentionMs, cycleSheets: cycleSheets(packets, deps.translate, deps.minimumGroupSize) });
  return { packets, trends, exports, routes: createPacketsRoutes({ packets, trends, exports, minimumGroupSize: deps.minimumGroupSize }) };
}
