import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import { createAuditLogRepository } from './audit-log.repository';
import { createAuditLogRoutes } from './audit-log.routes';
import { createAuditLogService } from './audit-log.service';

export type { AuditEntry, AuditFilters } from './audit-log.schema';

/** The audit log viewer for HR and administrators: a filtered page and CSV/XLSX exports, each itself audited. */
export function createAuditLogViewer(deps: { knex: Knex; audit: AuditLog }) {
  const service = createAuditLogService({ repository: createAuditLogRepository(deps.knex), audit: deps.audit });
  return { service, routes: createAuditLogRoutes({ auditLog: service }) };
}
