import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Clock } from '../../platform/clock';
import { createWorkingGroupsRepository } from './working-groups.repository';
import { createWorkingGroupRoutes, type GroupSurveys } from './working-groups.routes';
import { createWorkingGroupsService, type WorkingGroupsDirectory } from './working-groups.service';

export type { WorkingGroupsService, WorkingGroupsDirectory, MemberImportOutcome } from './working-groups.service';
export type { WorkingGroup, WorkingGroupMember, SupportStaffMember, MilestoneDue, MemberRole, WorkingGroupType } from './working-groups.schema';
export { WORKING_GROUP_TYPES, MEMBER_ROLES, LEADERSHIP_ROLES } from './working-groups.schema';
export { WORKING_GROUP_IMPORT_PATH } from './working-groups.routes';

/** Working groups: their members, leaders, milestones and support staff (the survey engine's audiences). */
export function createWorkingGroups(deps: {
  knex: Knex;
  audit: AuditLog;
  clock: Clock;
  directory: WorkingGroupsDirectory;
  /** The id of the verified account with this e-mail address, linked to the member it matches. */
  accountIdByEmail(email: string, db: Knex | Knex.Transaction): Promise<number | undefined>;
  /** For the members import: reads the uploaded file, then checks the CSRF token (see createCsrf). */
  acceptUpload: RequestHandler[];
  surveysOf: GroupSurveys;
}) {
  const repository = createWorkingGroupsRepository(deps.knex, () => deps.clock.now());
  const service = createWorkingGroupsService({ knex: deps.knex, repository, audit: deps.audit, directory: deps.directory, accountIdByEmail: deps.accountIdByEmail });
  return { service, routes: createWorkingGroupRoutes(service, deps.acceptUpload, deps.surveysOf) };
}
