import type { Knex } from 'knex';
import type { Clock } from '../clock';

export interface AuditEvent {
  readonly actorAccountId: number | null;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId?: string | number | null;
  /** Scope and counts only: never names, e-mail addresses or free text from users. */
  readonly detail?: Record<string, unknown>;
}

// Written in the caller's transaction, so the record exists exactly when the act does.
export function createAuditLog(knex: Knex, clock: Clock) {
  return {
    async record(event: AuditEvent, db: Knex | Knex.Transaction = knex): Promise<void> {
      await db('audit_events').insert({
        actor_account_id: event.actorAccountId,
        action: event.action,
        subject_type: event.subjectType,
        subject_id: event.subjectId == null ? null : String(event.subjectId),
        detail: event.detail ? JSON.stringify(event.detail) : null,
        created_at: clock.now(),
      });
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
