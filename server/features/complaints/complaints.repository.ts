import type { Knex } from 'knex';
import { toBoolean, toNullableNumber } from '../../platform/db/json';
import type { Complaint, ComplaintCategory, ComplaintEvent, ComplaintStatus } from './complaints.schema';

type Db = Knex | Knex.Transaction;

function toComplaint(r: Record<string, unknown>): Complaint {
  return {
    id: Number(r.id),
    reference: String(r.reference),
    accountId: Number(r.account_id),
    complainantName: String(r.complainant_name),
    redactName: toBoolean(r.redact_name),
    category: r.category as ComplaintCategory,
    summary: String(r.summary),
    description: String(r.description),
    status: r.status as ComplaintStatus,
    redirectedTo: r.redirected_to == null ? null : String(r.redirected_to),
    resolution: r.resolution == null ? null : String(r.resolution),
    receivedAt: Number(r.received_at),
    acknowledgeDueAt: toNullableNumber(r.acknowledge_due_at),
    respondDueAt: toNullableNumber(r.respond_due_at),
    acknowledgedAt: toNullableNumber(r.acknowledged_at),
    respondedAt: toNullableNumber(r.responded_at),
    resolvedAt: toNullableNumber(r.resolved_at),
    publishedAt: toNullableNumber(r.published_at),
  };
}

export function createComplaintsRepository(knex: Knex, now: () => number) {
  return {
    /** Numbers run per year; a clash between two inserts at once is retried by the service. */
    async insert(fields: Omit<Complaint, 'id' | 'reference' | 'status' | 'redirectedTo' | 'resolution' | 'acknowledgedAt' | 'respondedAt' | 'resolvedAt' | 'publishedAt'> & { serviceLevelTargetId: number }, db: Knex.Transaction): Promise<Complaint> {
      const year = new Date(fields.receivedAt).getUTCFullYear();
      const last = await db('complaints').where({ year }).max({ n: 'number' }).first();
      const number = Number(last?.n ?? 0) + 1;
      const reference = `C-${year}-${String(number).padStart(5, '0')}`;
      const [id] = await db('complaints').insert({
        reference,
        year,
        number,
        account_id: fields.accountId,
        complainant_name: fields.complainantName,
        redact_name: fields.redactName,
        category: fields.category,
        summary: fields.summary,
        description: fields.description,
        status: 'received',
        service_level_target_id: fields.serviceLevelTargetId,
        received_at: fields.receivedAt,
        acknowledge_due_at: fields.acknowledgeDueAt,
        respond_due_at: fields.respondDueAt,
      });
      return (await this.find(Number(id), db))!;
    },

    async find(id: number, db: Db = knex): Promise<Complaint | undefined> {
      const row = await db('complaints').where({ id }).first();
      return row ? toComplaint(row) : undefined;
    },

    async findByReference(reference: string, db: Db = knex): Promise<Complaint | undefined> {
      const row = await db('complaints').where({ reference }).first();
      return row ? toComplaint(row) : undefined;
    },

    async listByAccount(accountId: number, db: Db = knex): Promise<Complaint[]> {
      return (await db('complaints').where({ account_id: accountId }).orderBy('id', 'desc')).map(toComplaint);
    },

    async list(filter: { status?: ComplaintStatus; from?: number; to?: number; published?: true }, db: Db = knex): Promise<Complaint[]> {
      const q = db('complaints').orderBy('id', 'desc');
      if (filter.status) q.where({ status: filter.status });
      if (filter.published) q.whereNotNull('published_at');
      if (filter.from !== undefined) q.where('received_at', '>=', filter.from);
      if (filter.to !== undefined) q.where('received_at', '<', filter.to);
      return (await q).map(toComplaint);
    },

    async update(id: number, fields: Partial<{ status: ComplaintStatus; redirectedTo: string; resolution: string; acknowledgedAt: number; respondedAt: number; resolvedAt: number }>, db: Db): Promise<void> {
      const columns: Record<string, unknown> = {};
      if (fields.status) columns.status = fields.status;
      if (fields.redirectedTo) columns.redirected_to = fields.redirectedTo;
      if (fields.resolution) columns.resolution = fields.resolution;
      if (fields.acknowledgedAt) columns.acknowledged_at = fields.acknowledgedAt;
      if (fields.respondedAt) columns.responded_at = fields.respondedAt;
      if (fields.resolvedAt) columns.resolved_at = fields.resolvedAt;
      await db('complaints').where({ id }).update(columns);
    },

    /** Approves for the register once; false when it was approved already. */
    async publish(id: number, byAccountId: number, db: Db): Promise<boolean> {
      return (await db('complaints').where({ id }).whereNull('published_at').update({ published_at: now(), published_by_account_id: byAccountId })) === 1;
    },

    async insertEvent(complaintId: number, event: { type: string; actorAccountId: number | null; body?: string | null }, db: Db): Promise<void> {
      await db('complaint_events').insert({ complaint_id: complaintId, type: event.type, actor_account_id: event.actorAccountId, body: event.body ?? null, created_at: now() });
    },

    async listEvents(complaintId: number, db: Db = knex): Promise<ComplaintEvent[]> {
      const rows = await db('complaint_events').where({ complaint_id: complaintId }).orderBy('id').select('type', 'body', 'created_at');
      return rows.map((r) => ({ type: String(r.type), body: r.body == null ? null : String(r.body), createdAt: Number(r.created_at) }));
    },
  };
}

export type ComplaintsRepository = ReturnType<typeof createComplaintsRepository>;
