import type { Knex } from 'knex';
import type { Dialect } from './index';

export interface ClaimRequest {
  readonly table: string;
  /** Narrows the rows that are due; the lease condition is added here. */
  readonly due: (query: Knex.QueryBuilder) => Knex.QueryBuilder;
  readonly limit: number;
  /** Which due rows go first; by id unless given (a sweep that revisits rows orders by when it last saw them). */
  readonly order?: ReadonlyArray<{ column: string; order?: 'asc' | 'desc' }>;
  readonly claimToken: string;
  readonly now: number;
  readonly leaseMs: number;
}

/**
 * Marks up to `limit` due rows of `table` as claimed by `claimToken` until now + leaseMs, for work
 * that several processes may run at once. Rows need `id`, `claim_token` and `claimed_until` columns;
 * an expired lease makes a row claimable again, so a crashed worker's rows are not lost.
 *
 * MySQL/MariaDB: candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent workers take
 * disjoint rows without waiting on each other. SQLite: one UPDATE … WHERE id IN (SELECT … LIMIT)
 * statement, atomic under SQLite's single writer.
 */
export async function claimRows(knex: Knex, dialect: Dialect, request: ClaimRequest): Promise<number> {
  const { table, due, limit, claimToken, now, leaseMs } = request;
  const order = [...(request.order ?? []), { column: 'id' }];
  const claimable = (q: Knex.QueryBuilder) => due(q).andWhere((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', now));
  const claim = { claim_token: claimToken, claimed_until: now + leaseMs };

  if (dialect === 'sqlite') {
    return knex(table)
      .whereIn('id', claimable(knex(table).select('id')).orderBy(order).limit(limit))
      .update(claim);
  }
  const claimed = await knex.transaction(async (trx): Promise<number> => {
    const rows: Array<{ id: number }> = await claimable(trx(table).select('id')).orderBy(order).limit(limit).forUpdate().skipLocked();
    if (rows.length === 0) return 0;
    return trx(table).whereIn('id', rows.map((r) => r.id)).update(claim);
  });
  return claimed ?? 0;
}
