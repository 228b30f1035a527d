import type { Knex } from 'knex';
import type { Dialect } from './index';
import { transactionWithRetry } from './retry';

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

/** Due and not held by anyone (no lease, or an expired one). */
function claimable(request: ClaimRequest, query: Knex.QueryBuilder): Knex.QueryBuilder {
  return request.due(query).andWhere((w) => w.whereNull('claimed_until').orWhere('claimed_until', '<', request.now));
}

/**
 * Takes those of `candidateIds` that are still claimable, in one conditional UPDATE: a row another
 * process claimed since it was chosen is left to its holder. On Galera the candidates' row locks
 * hold on the local node only, so two nodes can choose the same rows; both UPDATEs then write
 * them, and certification lets one commit and fails the other (a deadlock error, retried), whose
 * next attempt finds them claimed. Never two holders.
 */
export function claimCandidates(knex: Knex | Knex.Transaction, request: ClaimRequest, candidateIds: number[] | Knex.QueryBuilder): Promise<number> {
  return claimable(request, knex(request.table).whereIn('id', candidateIds)).update({ claim_token: request.claimToken, claimed_until: request.now + request.leaseMs });
}

/**
 * Marks up to `limit` due rows of `table` as claimed by `claimToken` until now + leaseMs, for work
 * that several processes may run at once. Rows need `id`, `claim_token` and `claimed_until` columns;
 * an expired lease makes a row claimable again, so a crashed worker's rows are not lost.
 *
 * MySQL/MariaDB: candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent workers on one
 * server take disjoint rows without waiting on each other, then claimed by claimCandidates (which
 * keeps claims correct across Galera nodes). SQLite: one UPDATE … WHERE id IN (SELECT … LIMIT)
 * statement, atomic under SQLite's single writer.
 */
export async function claimRows(knex: Knex, dialect: Dialect, request: ClaimRequest): Promise<number> {
  const order = [...(request.order ?? []), { column: 'id' }];
  const candidates = (q: Knex.QueryBuilder) => claimable(request, q.select('id')).orderBy(order).limit(request.limit);

  if (dialect === 'sqlite') return claimCandidates(knex, request, candidates(knex(request.table)));
  const claimed = await transactionWithRetry(knex, async (trx): Promise<number> => {
    const rows: Array<{ id: number }> = await candidates(trx(request.table)).forUpdate().skipLocked();
    if (rows.length === 0) return 0;
    return claimCandidates(trx, request, rows.map((r) => r.id));
  });
  return claimed ?? 0;
}
