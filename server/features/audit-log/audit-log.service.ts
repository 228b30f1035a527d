import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import { pageCountOf, type Page } from '../../platform/http/forms';
import type { AuditLogRepository } from './audit-log.repository';
import { AUDIT_EXPORT_BATCH, AUDIT_PAGE_SIZE, type AuditEntry, type AuditFilters } from './audit-log.schema';

export type AuditExportFormat = 'csv' | 'xlsx';

/**
 * What a view or an export of the log records about itself: which filters were used, never their
 * values where those name a person (the actor's e-mail becomes `actorFilter: true`).
 */
function filterDetail(filters: AuditFilters): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  if (filters.action) detail.action = filters.action;
  if (filters.subjectType) detail.subjectType = filters.subjectType;
  if (filters.from) detail.from = filters.from;
  if (filters.to) detail.to = filters.to;
  if (filters.actor) detail.actorFilter = true;
  return detail;
}

export function createAuditLogService(deps: { repository: AuditLogRepository; audit: AuditLog }) {
  const { repository, audit } = deps;
  return {
    /** One page of the log, newest first. The view is recorded before the log is read. */
    async view(actor: Actor, filters: AuditFilters, page: number): Promise<Page<AuditEntry>> {
      await audit.record({ actorAccountId: actor.accountId, action: 'audit.view', subjectType: 'audit_log', detail: { filters: filterDetail(filters), page } });
      const [items, total] = await Promise.all([repository.page(filters, (page - 1) * AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE), repository.count(filters)]);
      return { items, page, pageSize: AUDIT_PAGE_SIZE, total, pageCount: pageCountOf(total, AUDIT_PAGE_SIZE) };
    },

    /** Choices for the filter form. */
    async filterChoices(): Promise<{ actions: string[]; subjectTypes: string[] }> {
      const [actions, subjectTypes] = await Promise.all([repository.distinctActions(), repository.distinctSubjectTypes()]);
      return { actions, subjectTypes };
    },

    /**
     * Records the export, then hands back every matching entry, newest first, read a batch at a
     * time as the writer asks for more, so memory holds one batch whatever the log's size.
     */
    async export(actor: Actor, filters: AuditFilters, format: AuditExportFormat): Promise<AsyncGenerator<AuditEntry>> {
      await audit.record({ actorAccountId: actor.accountId, action: 'audit.export', subjectType: 'audit_log', detail: { filters: filterDetail(filters), format } });
      return entries(repository, filters);
    },
  };
}

async function* entries(repository: AuditLogRepository, filters: AuditFilters): AsyncGenerator<AuditEntry> {
  let batch = await repository.batchAfter(filters, null, AUDIT_EXPORT_BATCH);
  while (batch.length > 0) {
    yield* batch;
    if (batch.length < AUDIT_EXPORT_BATCH) return;
    const last = batch[batch.length - 1]!;
    batch = await repository.batchAfter(filters, { createdAt: last.createdAt, id: last.id }, AUDIT_EXPORT_BATCH);
  }
}

export type AuditLogService = ReturnType<typeof createAuditLogService>;
