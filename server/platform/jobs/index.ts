import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Dialect } from '../db';
import { claimRows } from '../db/claims';
import { transactionWithRetry } from '../db/retry';
import { parseJsonColumn, toNullableNumber } from '../db/json';
import { AppError, NotFoundError } from '../errors';
import { yieldToOthers } from '../csv-import';

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

/** Rows a batch writes: small enough that no batch holds the database for long (SQLite has one writer). */
export const JOB_BATCH_SIZE = 250;
const LEASE_MS = 10 * 60_000;
/** Item rows written by one INSERT when a job is stored: a few hundred kB, so no statement is the whole file. */
const CHUNKS_PER_INSERT = 8;

/**
 * A kind of batched job. `step` does the next batch inside `trx`, and what it writes commits
 * together with the job's new state and progress: a crash loses at most the batch in flight, which
 * the next claim runs again, so running a job twice writes nothing twice.
 */
export interface JobKind<Payload, State, Item = never> {
  /** How much work there is, and the state before the first batch. */
  start(payload: Payload, itemCount: number): { total: number; state: State };
  step(payload: Payload, state: State, trx: Knex.Transaction, items: JobItems<Item>): Promise<{ state: State; done: number; finished: boolean }>;
  /** Where the job's progress page leads back to. */
  readonly backUrl: string;
}

/**
 * A job's long input, stored JOB_BATCH_SIZE items to a row apart from the job's own row (which every
 * batch updates), so a batch reads only its part and never rewrites the rest.
 */
export interface JobItems<Item> {
  /** The items from `from` up to the end of its batch (from + JOB_BATCH_SIZE at most). */
  batchFrom(from: number): Promise<Item[]>;
}

export interface JobView<State = unknown> {
  readonly publicId: string;
  readonly kind: string;
  readonly status: JobStatus;
  readonly progressDone: number;
  readonly progressTotal: number;
  readonly percent: number;
  /** The counts so far; the final ones once done. */
  readonly state: State;
  /** Why it stopped, as a translation key, when it failed. */
  readonly errorKey: string | null;
  readonly finishedAt: number | null;
}

interface JobRow {
  id: number;
  kind: string;
  payload: unknown;
  state: unknown;
}

const COLUMNS = ['public_id', 'kind', 'status', 'progress_done', 'progress_total', 'state', 'error_key', 'finished_at'];

function toView(r: Record<string, unknown>): JobView {
  const done = Number(r.progress_done);
  const total = Number(r.progress_total);
  return {
    publicId: String(r.public_id),
    kind: String(r.kind),
    status: r.status as JobStatus,
    progressDone: done,
    progressTotal: total,
    percent: total > 0 ? Math.floor((done / total) * 100) : r.status === 'done' ? 100 : 0,
    state: parseJsonColumn(r.state),
    errorKey: r.error_key == null ? null : String(r.error_key),
    finishedAt: toNullableNumber(r.finished_at),
  };
}

/**
 * Background jobs run a batch at a time: any process claims a job (FOR UPDATE SKIP LOCKED on
 * MySQL, see claimRows), and each batch renews the claim, so a crashed worker's job is taken over
 * when its lease runs out. Between batches other requests are served.
 */
export function createBackgroundJobs(deps: { knex: Knex; dialect: Dialect; now: () => number }) {
  const { knex, dialect, now } = deps;
  const kinds = new Map<string, JobKind<unknown, unknown, unknown>>();

  const itemsOf = (jobId: number, trx: Knex.Transaction): JobItems<unknown> => ({
    async batchFrom(from) {
      const row = await trx('background_job_items').select('items').where({ job_id: jobId, chunk: Math.floor(from / JOB_BATCH_SIZE) }).first();
      return row ? parseJsonColumn<unknown[]>(row.items).slice(from % JOB_BATCH_SIZE) : [];
    },
  });
  // The input is erased with the job's end, in the same transaction as its last progress.
  const eraseItems = (jobId: number, db: Knex | Knex.Transaction) => db('background_job_items').where({ job_id: jobId }).delete();

  /** Runs the next batch of a job we hold the claim of; true when the job has ended. */
  async function stepClaimed(job: JobRow, claimToken: string, payloadOf: () => unknown): Promise<boolean> {
    const kind = kinds.get(job.kind);
    try {
      if (!kind) throw new Error(`no job kind ${job.kind}`);
      const payload = payloadOf();
      // A batch that loses a conflict is rolled back whole and run again (it writes nothing twice).
      return await transactionWithRetry(knex, async (trx) => {
        const current = await trx('background_jobs').select('state', 'status').where({ id: job.id, claim_token: claimToken }).first();
        if (!current || (current.status !== 'pending' && current.status !== 'running')) throw new Error('job claim lost');
        const next = await kind.step(payload, parseJsonColumn(current.state), trx, itemsOf(job.id, trx));
        if (next.finished) await eraseItems(job.id, trx);
        const ended = next.finished ? { status: 'done', finished_at: now(), payload: null, claim_token: null, claimed_until: null } : { status: 'running', claimed_until: now() + LEASE_MS };
        const updated = await trx('background_jobs').where({ id: job.id, claim_token: claimToken }).update({ state: JSON.stringify(next.state), progress_done: next.done, ...ended });
        if (updated !== 1) throw new Error('job claim lost');
        return next.finished;
      });
    } catch (err) {
      // What earlier batches wrote stays (each committed with its progress); the rest is not done.
      // The address list or rows are erased with the job, as when it finishes.
      const errorKey = err instanceof AppError ? err.messageKey : 'jobs.failed';
      await knex.transaction(async (trx) => {
        const failed = await trx('background_jobs').where({ id: job.id, claim_token: claimToken }).update({ status: 'failed', error_key: errorKey, finished_at: now(), payload: null, claim_token: null, claimed_until: null });
        if (failed === 1) await eraseItems(job.id, trx);
      });
      if (!(err instanceof AppError)) throw err;
      return true;
    }
  }

  async function claim(filter: (q: Knex.QueryBuilder) => Knex.QueryBuilder, limit: number): Promise<{ jobs: JobRow[]; claimToken: string }> {
    const claimToken = randomUUID();
    await claimRows(knex, dialect, { table: 'background_jobs', due: (q) => filter(q.whereIn('status', ['pending', 'running'])), limit, claimToken, now: now(), leaseMs: LEASE_MS });
    const rows = await knex('background_jobs').select('id', 'kind', 'payload', 'state').where({ claim_token: claimToken }).whereIn('status', ['pending', 'running']).orderBy('id');
    return { jobs: rows.map((r) => ({ id: Number(r.id), kind: String(r.kind), payload: r.payload, state: r.state })), claimToken };
  }

  const release = (claimToken: string) => knex('background_jobs').where({ claim_token: claimToken }).whereIn('status', ['pending', 'running']).update({ claim_token: null, claimed_until: null });

  return {
    register<Payload, State, Item = never>(kind: string, definition: JobKind<Payload, State, Item>): void {
      kinds.set(kind, definition as JobKind<unknown, unknown, unknown>);
    },

    /**
     * Stores a job (in the caller's transaction when given, so it exists only if the change that needs
     * it does) with its items, a batch's worth to a row; returns its public id.
     */
    async enqueue<Payload, Item = never>(
      kind: string,
      payload: Payload,
      options: { requestedByAccountId: number | null; subject?: { type: string; id: number }; trx?: Knex.Transaction; items?: readonly Item[] },
    ): Promise<string> {
      const definition = kinds.get(kind);
      if (!definition) throw new Error(`no job kind ${kind}`);
      const items = options.items ?? [];
      const { total, state } = definition.start(payload, items.length);
      const publicId = randomBytes(16).toString('base64url');
      const store = async (trx: Knex.Transaction) => {
        const [id] = await trx('background_jobs').insert({
          public_id: publicId,
          kind,
          status: 'pending',
          payload: JSON.stringify(payload),
          state: JSON.stringify(state),
          progress_done: 0,
          progress_total: total,
          requested_by_account_id: options.requestedByAccountId,
          subject_type: options.subject?.type ?? null,
          subject_id: options.subject?.id ?? null,
          created_at: now(),
        });
        const jobId = Number(id);
        for (let first = 0; first < items.length; first += CHUNKS_PER_INSERT * JOB_BATCH_SIZE) {
          // Each statement serialised on its own turn, so the whole input is never escaped in one go.
          await yieldToOthers();
          const rows = [];
          for (let chunk = first / JOB_BATCH_SIZE; rows.length < CHUNKS_PER_INSERT && chunk * JOB_BATCH_SIZE < items.length; chunk++) {
            rows.push({ job_id: jobId, chunk, items: JSON.stringify(items.slice(chunk * JOB_BATCH_SIZE, (chunk + 1) * JOB_BATCH_SIZE)) });
          }
          await trx('background_job_items').insert(rows);
        }
      };
      await (options.trx ? store(options.trx) : knex.transaction(store));
      return publicId;
    },

    /**
     * Claims pending jobs and runs up to `maxSteps` batches of each (all of them by default), one
     * transaction per batch; a job left unfinished is released for the next run.
     */
    async runOnce(options: { maxSteps?: number; publicId?: string } = {}): Promise<number> {
      const { jobs, claimToken } = await claim((q) => (options.publicId ? q.where({ public_id: options.publicId }) : q), options.publicId ? 1 : 2);
      let steps = 0;
      try {
        for (const job of jobs) {
          // Parsed once for all its batches: an audience of 20,000 is a large document.
          let payload: unknown;
          const payloadOf = () => (payload ??= parseJsonColumn(job.payload));
          for (let n = 0; n < (options.maxSteps ?? Infinity); n++) {
            steps++;
            if (await stepClaimed(job, claimToken, payloadOf)) break;
            // Lets requests waiting on the event loop (and on SQLite's lock) go first.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      } finally {
        await release(claimToken);
      }
      return steps;
    },

    backUrl: (kind: string): string => kinds.get(kind)?.backUrl ?? '/',

    /** A job, for the account that asked for it only; anyone else gets a 404. */
    async find(publicId: string, accountId: number): Promise<JobView> {
      const row = await knex('background_jobs').select(COLUMNS).where({ public_id: publicId, requested_by_account_id: accountId }).first();
      if (!row) throw new NotFoundError();
      return toView(row);
    },

    /** The latest job of a kind about a subject, for a page that has checked its reader may see the subject. */
    async latestFor(kind: string, subject: { type: string; id: number }): Promise<JobView | undefined> {
      const row = await knex('background_jobs').select(COLUMNS).where({ kind, subject_type: subject.type, subject_id: subject.id }).orderBy('id', 'desc').first();
      return row ? toView(row) : undefined;
    },
  };
}

export type BackgroundJobs = ReturnType<typeof createBackgroundJobs>;
