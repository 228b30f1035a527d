import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { DatabaseConfig } from '../../server/config';
import { createDatabase, type Database } from '../../server/platform/db';

/**
 * The suite runs on SQLite by default and on MySQL/MariaDB when MYSQL_TEST_URL is set
 * (mysql://user:pass@host:port/, no database). Each test file gets a fresh database of its own;
 * when the server cannot be reached the file fails rather than skipping.
 */
export const testDialect: 'sqlite' | 'mysql' = process.env.MYSQL_TEST_URL ? 'mysql' : 'sqlite';

export interface TestDatabase {
  readonly db: Database;
  readonly config: DatabaseConfig;
  /** Drops the database (MySQL) or deletes the file (SQLite). */
  destroy(): Promise<void>;
}

/** `dialect` overrides the suite's one (the schema snapshot test reads both). */
export async function createTestDatabase(options: { migrate?: boolean; dialect?: 'sqlite' | 'mysql' } = {}): Promise<TestDatabase> {
  const config = await freshDatabaseConfig(options.dialect ?? testDialect);
  const db = createDatabase(config);
  if (options.migrate !== false) await db.migrateLatest();
  return {
    db,
    config,
    async destroy() {
      await db.close().catch(() => undefined);
      await dropDatabase(config);
    },
  };
}

async function freshDatabaseConfig(dialect: 'sqlite' | 'mysql'): Promise<DatabaseConfig> {
  const name = `accountable_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accountable-test-'));
    return { client: 'sqlite', filename: path.join(dir, `${name}.sqlite`) };
  }
  if (!process.env.MYSQL_TEST_URL) throw new Error('MYSQL_TEST_URL is not set: point it at a MySQL/MariaDB server, e.g. mysql://root@127.0.0.1:3306/');
  const server = new URL(process.env.MYSQL_TEST_URL);
  const admin = knexFactory({ client: 'mysql2', connection: serverConnection(server) });
  try {
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  server.pathname = `/${name}`;
  return { client: 'mysql', url: server.toString() };
}

async function dropDatabase(config: DatabaseConfig): Promise<void> {
  if (config.client === 'sqlite') {
    fs.rmSync(path.dirname(config.filename), { recursive: true, force: true });
    return;
  }
  const url = new URL(config.url);
  const name = url.pathname.replace(/^\//, '');
  const admin = knexFactory({ client: 'mysql2', connection: serverConnection(url) });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.destroy();
  }
}

function serverConnection(url: URL) {
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}
