import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** The kinds of reference data cached per process (rows of reference_versions). */
export type ReferenceKind = 'routing-rules' | 'service-catalogue' | 'behaviour-dimensions';

const versionReads = new AsyncLocalStorage<{ versions?: Promise<Map<string, string>> }>();

async function allVersions(db: Db): Promise<Map<string, string>> {
  const rows = await db('reference_versions').select('name', 'version');
  return new Map(rows.map((r) => [String(r.name), String(r.version)]));
}

async function versionOf(db: Db, kind: ReferenceKind): Promise<string> {
  const scope = versionReads.getStore();
  if (scope) return (await (scope.versions ??= allVersions(db))).get(kind) ?? '0';
  const row = await db('reference_versions').select('version').where({ name: kind }).first();
  return String(row?.version ?? 0);
}

/**
 * Runs `work` (one request's work, such as a submission) with one read of every reference version,
 * made at its first check, instead of one read per kind: the work sees the reference data as it
 * stood at that moment, as if it had run a few milliseconds earlier.
 */
export function withOneVersionRead<T>(work: () => Promise<T>): Promise<T> {
  return versionReads.run({}, work);
}

/**
 * Reference data read on every submission, cached in this process and checked on each read against
 * its version row (one primary-key read instead of the data's own queries). Every change bumps the
 * version as the last write of its transaction, so an edit made through any process applies at
 * every process's next read; a load that raced a change is cached under the older version and read
 * again next time.
 */
export function createReferenceCache<T>(knex: Knex, kind: ReferenceKind, load: (db: Db) => Promise<T>) {
  let cached: { version: string; value: T } | undefined;
  return async (db: Db = knex): Promise<T> => {
    const version = await versionOf(db, kind);
    if (cached?.version === version) return cached.value;
    const value = await load(db);
    cached = { version, value };
    return value;
  };
}

/** Marks a kind of reference data changed; call it last in the transaction that changed it. */
export async function bumpReferenceVersion(trx: Knex.Transaction, kind: ReferenceKind): Promise<void> {
  await trx('reference_versions').where({ name: kind }).increment('version', 1);
}
