import type { Knex } from 'knex';
import { ORGANISATION_ROLES } from '../../platform/auth/roles';
import type { AuditCursor, AuditEntry, AuditFilters } from './audit-log.schema';

type Db = Knex | Knex.Transaction;
const DAY_MS = 86_400_000;

const COLUMNS = [
  'audit_events.id',
  'audit_events.created_at',
  'audit_events.actor_account_id',
  'audit_events.action',
  'audit_events.subject_type',
  'audit_events.subject_id',
  'audit_events.detail',
  'actor.display_name as actor_name',
  'actor.email as actor_email',
] as const;

/** Names "works for the organisation" in SQL: a directory link, or an organisation role. */
const ACTOR_WORKS_HERE = `(actor.staff_member_id IS NOT NULL OR EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = actor.id AND r.role IN (${ORGANISATION_ROLES.map(() => '?').join(', ')})))`;

const worksForOrganisation = (r: Record<string, unknown>) => Number(r.actor_works_here ?? 0) > 0;

function toEntry(r: Record<string, unknown>): AuditEntry {
  return {
    id: Number(r.id),
    createdAt: Number(r.created_at),
    actorAccountId: r.actor_account_id == null ? null : Number(r.actor_account_id),
    // A community member's name and address are theirs, not the organisation's: the log shows
    // them only for people who work for it (staff, or accounts holding an organisation role).
    actorName: r.actor_name == null || !worksForOrganisation(r) ? null : String(r.actor_name),
    actorEmail: r.actor_email == null || !worksForOrganisation(r) ? null : String(r.actor_email),
    actorIsCommunity: r.actor_account_id != null && !worksForOrganisation(r),
    action: String(r.action),
    subjectType: String(r.subject_type),
    subjectId: r.subject_id == null ? null : String(r.subject_id),
    // mysql2 may hand back a parsed value for JSON-looking text columns; keep text either way.
    detail: r.detail == null ? null : typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail),
  };
}

/** Read-only access to audit_events; writing stays with platform/audit. */
export function createAuditLogRepository(knex: Knex) {
  const columns = (db: Db) => [...COLUMNS, db.raw(`CASE WHEN ${ACTOR_WORKS_HERE} THEN 1 ELSE 0 END as actor_works_here`, [...ORGANISATION_ROLES])];

  const filtered = (filters: AuditFilters, db: Db) => {
    const query = db('audit_events').leftJoin('accounts as actor', 'actor.id', 'audit_events.actor_account_id');
    if (filters.action) {
      const prefix = `${filters.action}.`;
      // The code itself or any code under it ("survey" takes "survey.create"); SUBSTR, not LIKE,
      // so "_" in a code is not a wildcard.
      query.where((q) => q.where('audit_events.action', filters.action!).orWhereRaw('SUBSTR(audit_events.action, 1, ?) = ?', [prefix.length, prefix]));
    }
    // Only people who work here can be looked up by address, or the filter would reveal what a
    // community member did.
    if (filters.actor) query.where('actor.email', filters.actor).whereRaw(ACTOR_WORKS_HERE, [...ORGANISATION_ROLES]);
    if (filters.subjectType) query.where('audit_events.subject_type', filters.subjectType);
    if (filters.from) query.where('audit_events.created_at', '>=', Date.parse(`${filters.from}T00:00:00Z`));
    if (filters.to) query.where('audit_events.created_at', '<', Date.parse(`${filters.to}T00:00:00Z`) + DAY_MS);
    return query;
  };

  return {
    /** One page, newest first. */
    async page(filters: AuditFilters, offset: number, limit: number, db: Db = knex): Promise<AuditEntry[]> {
      const rows = await filtered(filters, db)
        .select(...columns(db))
        .orderBy([{ column: 'audit_events.created_at', order: 'desc' }, { column: 'audit_events.id', order: 'desc' }])
        .offset(offset)
        .limit(limit);
      return rows.map(toEntry);
    },

    async count(filters: AuditFilters, db: Db = knex): Promise<number> {
      const row = await filtered(filters, db).count({ n: 'audit_events.id' }).first();
      return Number(row?.n ?? 0);
    },

    /** The next batch after `cursor`, newest first: keyset paging stays fast and stable however deep it goes. */
    async batchAfter(filters: AuditFilters, cursor: AuditCursor | null, limit: number, db: Db = knex): Promise<AuditEntry[]> {
      const query = filtered(filters, db).select(...columns(db));
      if (cursor) {
        query.where((q) =>
          q
            .where('audit_events.created_at', '<', cursor.createdAt)
            .orWhere((same) => same.where('audit_events.created_at', cursor.createdAt).andWhere('audit_events.id', '<', cursor.id)),
        );
      }
      const rows = await query.orderBy([{ column: 'audit_events.created_at', order: 'desc' }, { column: 'audit_events.id', order: 'desc' }]).limit(limit);
      return rows.map(toEntry);
    },

    async distinctActions(db: Db = knex): Promise<string[]> {
      return (await db('audit_events').distinct('action').orderBy('action')).map((r: { action: string }) => String(r.action));
    },

    async distinctSubjectTypes(db: Db = knex): Promise<string[]> {
      return (await db('audit_events').distinct('subject_type').orderBy('subject_type')).map((r: { subject_type: string }) => String(r.subject_type));
    },
  };
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;
