import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import type { BackgroundJobs } from '../../platform/jobs';
import { createDirectoryRepository } from './directory.repository';
import { createDirectoryRoutes } from './directory.routes';
import { createDirectoryService } from './directory.service';

export type { DirectoryService, StaffProfile } from './directory.service';
export type { StaffMember, Department } from './directory.schema';

export { DIRECTORY_IMPORT_PATH } from './directory.routes';

export function createDirectory({ knex, audit, clock, acceptUpload, jobs }: { knex: Knex; audit: AuditLog; clock: Clock; acceptUpload: RequestHandler[]; jobs: BackgroundJobs }) {
  const repository = createDirectoryRepository(knex, () => clock.now());
  const service = createDirectoryService({ knex, repository, audit, jobs });
  return { service, routes: createDirectoryRoutes(service, acceptUpload, jobs) };
}
