import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { DatabaseConfig } from '../../config';
import { migrationSource } from '../../../migrations';

export type Dialect = 'sqlite' | 'mysql';

export interface Database {
  readonly knex: Knex;
  readonly dialect: Dialect;
  /** The schema (MySQL database name) or file the connection points at; for messages and limiters. */
  readonly name: string;
  migrateLatest(): Promise<void>;
  rollbackAll(): Promise<void>;
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

export function createDatabase(config: DatabaseConfig): Database {
  const { knex, name } = config.client === 'mysql' ? openMysql(config.url) : openSqlite(config.filename);
  const migrations = { migrationSource, tableName: 'knex_migrations' };
  return {
    knex,
    dialect: config.client,
    name,
    async migrateLatest() {
      await knex.migrate.latest(migrations);
    },
    async rollbackAll() {
      await knex.migrate.rollback(migrations, true);
    },
    async isReachable() {
      try {
        await knex.raw('select 1 as ok');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await knex.destroy();
    },
  };
}

function openSqlite(filename: string): { knex: Knex; name: string } {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // Error messages carry the SQL with placeholders, not the values (which can be personal data).
    compileSqlOnError: false,
    pool: {
      // One connection: SQLite has one writer, and a single connection keeps transactions serial.
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('foreign_keys = ON');
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        reusePreparedStatements(conn);
        done(null, conn);
      },
    },
  });
  return { knex, name: filename };
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** Statements kept prepared per connection; a few hundred distinct texts cover every query the app builds. */
export const PREPARED_STATEMENTS_KEPT = 500;

/**
 * Knex prepares every statement afresh, and preparing was the largest share of a submission's CPU
 * time. The connection keeps its prepared statements by SQL text instead (the least recently used
 * dropped beyond a bound, since texts with IN lists vary): a statement is reusable once run, and
 * SQLite itself recompiles one whose tables a migration changed.
 */
function reusePreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (kept.size >= PREPARED_STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
    } else {
      kept.delete(sql);
    }
    kept.set(sql, statement);
    return statement;
  };
}

function openMysql(url: string): { knex: Knex; name: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const knex = knexFactory({
    client: 'mysql2',
    connection: {
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database,
      charset: 'utf8mb4',
      timezone: 'Z',
      connectTimeout: 5000,
    },
    pool: { min: 0, max: 10 },
    acquireConnectionTimeout: 5000,
    compileSqlOnError: false,
  });
  return { knex, name: database };
}
