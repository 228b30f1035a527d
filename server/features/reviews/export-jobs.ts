import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import type { Dialect } from '../../platform/db';
import { claimRows } from '../../platform/db/claims';
import { toNullableNumber } from '../../platform/db/json';
import { ForbiddenError, GoneError, NotFoundError } from '../../platform/errors';
import { writeCsv, writeXlsx, type ExportSheet } from '../../platform/exports';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type ExportStatus = 'pending' | 'running' | 'done' | 'failed' | 'expired';

export interface ExportJob {
  readonly id: number;
  readonly cycleId: number | null;
  readonly format: ExportFormat;
  readonly status: ExportStatus;
  readonly progressDone: number;
  readonly progressTotal: number;
  readonly filename: string;
  readonly requestedByAccountId: number | null;
  /** Left out of the file: the requester's own packet. */
  readonly requesterStaffMemberId: number | null;
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

/** Files are kept in the database in pieces small enough for any MySQL packet limit. */
const CHUNK_BYTES = 256 * 1024;
const LEASE_MS = 10 * 60_000;

/** Gathers written bytes into chunks and stores each one as it fills. */
class ChunkWriter extends Writable {
  private pending: Buffer[] = [];
  private size = 0;
  private sequence = 0;
  constructor(private readonly store: (sequence: number, data: Buffer) => Promise<void>) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.pending.push(chunk);
    this.size += chunk.length;
    if (this.size < CHUNK_BYTES) return callback();
    this.flush().then(() => callback(), callback);
  }
  override _final(callback: (error?: Error | null) => void): void {
    this.flush().then(() => callback(), callback);
  }
  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.size = 0;
    await this.store(this.sequence++, data);
  }
}

function toJob(r: Record<string, unknown>): ExportJob {
  return {
    id: Number(r.id),
    cycleId: toNullableNumber(r.cycle_id),
    format: r.format as ExportFormat,
    status: r.status as ExportStatus,
    progressDone: Number(r.progress_done),
    progressTotal: Number(r.progress_total),
    filename: String(r.filename),
    requestedByAccountId: toNullableNumber(r.requested_by_account_id),
    requesterStaffMemberId: toNullableNumber(r.requester_staff_member_id),
    createdAt: Number(r.created_at),
    finishedAt: toNullableNumber(r.finished_at),
  };
}

const JOB_COLUMNS = ['id', 'cycle_id', 'format', 'status', 'progress_done', 'progress_total', 'filename', 'requested_by_account_id', 'requester_staff_member_id', 'created_at', 'finished_at'];

/**
 * Exports built in the background: a request becomes a job row, any process claims and builds it,
 * writing the file into the database as it streams out, with progress after each step; any
 * process then serves the download.
 */
export function createExportJobs(deps: {
  knex: Knex;
  dialect: Dialect;
  audit: AuditLog;
  now: () => number;
  /** How long a built file is kept: names and comments must not outlive their use. */
  retentionMs: number;
  /**
   * The sheets of a cycle's export, without the packet of `exceptStaffMemberId`; `onProgress` is
   * told after each batch of staff members of each sheet.
   */
  cycleSheets(cycleId: number, format: ExportFormat, exceptStaffMemberId: number | null, onProgress: (done: number, total: number) => Promise<void>): Promise<ExportSheet[]>;
}) {
  const { knex, dialect, audit, now, retentionMs } = deps;
  /** A file is expired from the moment its time is up, whether or not the expiry job has run yet. */
  const presented = (job: ExportJob): ExportJob =>
    job.finishedAt !== null && job.finishedAt + retentionMs <= now() && job.status !== 'expired' ? { ...job, status: 'expired' } : job;

  /**
   * Builds a claimed job. Every write checks the claim is still ours and each step renews it, so a
   * long build keeps its lease and a build that lost it (another process took over) stops writing.
   */
  async function build(job: ExportJob, claimToken: string): Promise<void> {
    const ours = () => knex('export_jobs').where({ id: job.id, claim_token: claimToken });
    const keep = async (changes: Record<string, unknown>) => {
      if ((await ours().update({ ...changes, claimed_until: now() + LEASE_MS })) !== 1) throw new Error('export claim lost');
    };
    await knex('export_chunks').where({ export_job_id: job.id }).delete();
    await keep({ status: 'running', progress_done: 0 });
    const output = new ChunkWriter(async (sequence, data) => {
      await keep({});
      await knex('export_chunks').insert({ export_job_id: job.id, sequence, data });
    });
    const sheets = await deps.cycleSheets(job.cycleId!, job.format, job.requesterStaffMemberId, (done, total) => keep({ progress_done: done, progress_total: total }));
    if (job.format === 'csv') await writeCsv(sheets[0]!, output);
    else await writeXlsx(sheets, output);
    await keep({ status: 'done', finished_at: now() });
  }

  return {
    async request(actor: Actor, cycleId: number, format: ExportFormat, filename: string): Promise<number> {
      return knex.transaction(async (trx) => {
        const [id] = await trx('export_jobs').insert({ kind: 'cycle_packets', cycle_id: cycleId, format, requested_by_account_id: actor.accountId, requester_staff_member_id: actor.staffMemberId, status: 'pending', filename, created_at: now() });
        await audit.record({ actorAccountId: actor.accountId, action: 'packets.export', subjectType: 'review_cycle', subjectId: cycleId, detail: { format, exportJobId: Number(id) } }, trx);
        return Number(id);
      });
    },

    /**
     * A job, for its requester only: the file leaves out the requester's own packet but not another
     * HR reader's, so it is theirs alone.
     */
    async find(actor: Actor, id: number): Promise<ExportJob> {
      const row = await knex('export_jobs').select(JOB_COLUMNS).where({ id, requested_by_account_id: actor.accountId }).first();
      if (!row) throw new NotFoundError();
      return presented(toJob(row));
    },

    /** Refuses a file that is not built yet, and says so plainly of one whose retention is over. */
    assertDownloadable(job: ExportJob): void {
      if (job.status === 'expired') throw new GoneError('reviews.export.expired');
      if (job.status !== 'done') throw new ForbiddenError('reviews.export.notReady');
    },

    /** The actor's own exports of a cycle, newest first. */
    async list(actor: Actor, cycleId: number): Promise<ExportJob[]> {
      return (await knex('export_jobs').select(JOB_COLUMNS).where({ cycle_id: cycleId, requested_by_account_id: actor.accountId }).orderBy('id', 'desc').limit(20)).map((r) => presented(toJob(r)));
    },

    /** Streams a finished file, chunk by chunk, so serving it holds one chunk at a time; each download is audited. */
    async download(actor: Actor, id: number, output: Writable): Promise<void> {
      await audit.record({ actorAccountId: actor.accountId, action: 'packets.download', subjectType: 'export_job', subjectId: id });
      for (let sequence = 0; ; sequence++) {
        const chunk = await knex('export_chunks').select('data').where({ export_job_id: id, sequence }).first();
        if (!chunk) break;
        if (!output.write(chunk.data as Buffer)) await new Promise((resolve) => output.once('drain', resolve));
      }
      output.end();
    },

    /**
     * Deletes the files of exports whose retention is over (failed builds' partial files too);
     * the job row stays, marked expired, so a download says the file has expired rather than that
     * it never existed. Safe to run in several processes at once.
     */
    async expireOnce(): Promise<number> {
      const ids = (await knex('export_jobs').select('id').whereIn('status', ['done', 'failed']).where('finished_at', '<=', now() - retentionMs)).map((r) => Number(r.id));
      for (const id of ids) {
        await knex.transaction(async (trx) => {
          await trx('export_chunks').where({ export_job_id: id }).delete();
          await trx('export_jobs').where({ id }).update({ status: 'expired', claim_token: null, claimed_until: null });
        });
      }
      return ids.length;
    },

    /** Claims and builds pending exports; a crashed build's lease runs out and another process takes it. */
    async runOnce(): Promise<number> {
      const claimToken = randomUUID();
      await claimRows(knex, dialect, { table: 'export_jobs', due: (q) => q.whereIn('status', ['pending', 'running']), limit: 2, claimToken, now: now(), leaseMs: LEASE_MS });
      const jobs = (await knex('export_jobs').select(JOB_COLUMNS).where({ claim_token: claimToken }).whereIn('status', ['pending', 'running'])).map(toJob);
      for (const job of jobs) {
        try {
          await build(job, claimToken);
        } catch (err) {
          await knex('export_jobs').where({ id: job.id, claim_token: claimToken }).update({ status: 'failed', finished_at: now() });
          throw err;
        }
      }
      return jobs.length;
    },
  };
}

export type ExportJobs = ReturnType<typeof createExportJobs>;
