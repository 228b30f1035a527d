import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** The kinds of reference data cached per process (rows of reference_versions). */
export type ReferenceKind = 'routing-rules' | 'service-catalogue';

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
    const row = await db('reference_versions').select('version').where({ name: kind }).first();
    const version = String(row?.version ?? 0);
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
