import type { Knex } from 'knex';
import { toBoolean } from '../../platform/db/json';
import type { SolicitationRequest } from './solicitation.schema';

type Db = Knex | Knex.Transaction;

export interface NewSolicitationRequest {
  readonly cycleId: number;
  readonly staffMemberId: number;
  readonly requestedByAccountId: number;
  readonly email: string;
  readonly displayName: string;
  readonly tokenHash: string;
  readonly tokenSealed: string;
  readonly deadlineAt: number;
}

/** What a reminder needs: the address, the sealed link, whom it is about, and until when. */
export interface DueReminder {
  readonly id: number;
  readonly email: string;
  readonly tokenSealed: string;
  readonly staffName: string;
  readonly deadlineAt: number;
}

const lockForUpdate = (query: Knex.QueryBuilder, db: Db) => (db.client.config.client === 'mysql2' ? query.forUpdate().skipLocked() : query);

export function createSolicitationRepository(knex: Knex, now: () => number) {
  return {
    /** The addresses already asked about this staff member in this cycle (while they are still kept). */
    async requestedEmails(cycleId: number, staffMemberId: number, db: Db = knex): Promise<Set<string>> {
      const rows = await db('solicitation_requests').select('email').where({ cycle_id: cycleId, staff_member_id: staffMemberId }).whereNotNull('email');
      return new Set(rows.map((r) => String(r.email).toLowerCase()));
    },

    /** One request; a unique violation means the address was asked already (by a concurrent request). */
    async insertRequest(request: NewSolicitationRequest, db: Knex.Transaction): Promise<void> {
      await db('solicitation_requests').insert({
        cycle_id: request.cycleId,
        staff_member_id: request.staffMemberId,
        requested_by_account_id: request.requestedByAccountId,
        email: request.email,
        display_name: request.displayName,
        token_hash: request.tokenHash,
        token_sealed: request.tokenSealed,
        deadline_at: request.deadlineAt,
        has_answered: false,
        reminders_sent: 0,
        created_at: now(),
      });
    },

    async listRequests(cycleId: number, staffMemberId: number, db: Db = knex): Promise<SolicitationRequest[]> {
      const rows = await db('solicitation_requests')
        .select('id', 'email', 'display_name', 'deadline_at', 'has_answered', 'reminders_sent')
        .where({ cycle_id: cycleId, staff_member_id: staffMemberId })
        .orderBy('id');
      return rows.map((r) => ({
        id: Number(r.id),
        email: r.email == null ? null : String(r.email),
        displayName: String(r.display_name ?? ''),
        deadlineAt: Number(r.deadline_at),
        hasAnswered: toBoolean(r.has_answered),
        remindersSent: Number(r.reminders_sent),
      }));
    },

    /** A link's request, without its address. */
    async findByTokenHash(tokenHash: string, db: Db = knex): Promise<{ cycleId: number; staffMemberId: number; deadlineAt: number; hasAnswered: boolean } | undefined> {
      const row = await db('solicitation_requests').select('cycle_id', 'staff_member_id', 'deadline_at', 'has_answered').where({ token_hash: tokenHash }).first();
      return row ? { cycleId: Number(row.cycle_id), staffMemberId: Number(row.staff_member_id), deadlineAt: Number(row.deadline_at), hasAnswered: toBoolean(row.has_answered) } : undefined;
    },

    /** Uses a link: only one of many concurrent answers wins, and only before the deadline, for the right staff member. */
    async markAnswered(tokenHash: string, staffMemberId: number, at: number, db: Knex.Transaction): Promise<boolean> {
      const changed = await db('solicitation_requests')
        .where({ token_hash: tokenHash, staff_member_id: staffMemberId, has_answered: false })
        .andWhere('deadline_at', '>', at)
        .update({ has_answered: true });
      return changed === 1;
    },

    /**
     * Unanswered requests whose deadline is within `windowMs` and which have had no reminder, at
     * most `limit`, marked as reminded in the same transaction (locked rows are left to another process).
     */
    async takeForReminder(at: number, windowMs: number, limit: number, db: Knex.Transaction): Promise<DueReminder[]> {
      const query = db('solicitation_requests as r')
        .join('staff_members as s', 's.id', 'r.staff_member_id')
        .select('r.id', 'r.email', 'r.token_sealed', 'r.deadline_at', 's.name as staff_name')
        .where({ 'r.has_answered': false, 'r.reminders_sent': 0 })
        .whereNotNull('r.email')
        .andWhere('r.token_sealed', '<>', '')
        .andWhere('r.deadline_at', '>', at)
        .andWhere('r.deadline_at', '<=', at + windowMs)
        .orderBy('r.id')
        .limit(limit);
      const rows = await lockForUpdate(query, db);
      const ids = rows.map((r: Record<string, unknown>) => Number(r.id));
      if (ids.length > 0) await db('solicitation_requests').whereIn('id', ids).andWhere('reminders_sent', 0).update({ reminders_sent: 1 });
      return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), email: String(r.email), tokenSealed: String(r.token_sealed), staffName: String(r.staff_name), deadlineAt: Number(r.deadline_at) }));
    },

    /**
     * At the deadline the name, the address and the sealed link go: beside the solicited feedback,
     * a name marked "answered" would point at the author. Answered or not is all that stays.
     */
    async forgetExpired(at: number, limit: number, db: Knex.Transaction): Promise<number> {
      const query = db('solicitation_requests')
        .select('id')
        .where('deadline_at', '<=', at)
        .andWhere((w) => w.whereNotNull('email').orWhere('token_sealed', '<>', '').orWhere('display_name', '<>', ''))
        .orderBy('id')
        .limit(limit);
      const ids = (await lockForUpdate(query, db)).map((r: Record<string, unknown>) => Number(r.id));
      if (ids.length > 0) await db('solicitation_requests').whereIn('id', ids).update({ email: null, display_name: '', token_sealed: '' });
      return ids.length;
    },
  };
}

export type SolicitationRepository = ReturnType<typeof createSolicitationRepository>;
