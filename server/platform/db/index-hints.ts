import type { Knex } from 'knex';

/**
 * A table read through one named index: `FORCE INDEX` on MySQL/MariaDB, `INDEXED BY` on SQLite (which
 * fails loudly if the index cannot serve the query). For reads whose indexes share a prefix, where
 * MariaDB's estimates pick a sibling index and then sort or group in a temporary table.
 */
export function throughIndex(db: Knex | Knex.Transaction, table: string, alias: string, index: string): Knex.Raw {
  return db.client.config.client === 'mysql2' ? db.raw('?? as ?? force index (??)', [table, alias, index]) : db.raw('?? as ?? indexed by ??', [table, alias, index]);
}
