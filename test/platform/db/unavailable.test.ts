import express from 'express';
import request from 'supertest';
import { freePort } from '../../../bench/processes';
import { createDatabase, type Database } from '../../../server/platform/db';
import { isDatabaseUnavailable } from '../../../server/platform/db/errors';
import { migrateWhenReachable, startRetryDelayMs } from '../../../server/platform/db/startup';
import { createErrorHandler } from '../../../server/platform/http/error-handler';
import { configureViews } from '../../../server/platform/http/views';
import { createTranslator, DEFAULT_LOCALE } from '../../../server/platform/i18n';
import { createLogger } from '../../../server/platform/logger';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/** A MySQL database on a port where nothing listens: every statement fails as with a server that is down. */
async function unreachableDatabase(): Promise<Database> {
  return createDatabase({ client: 'mysql', url: `mysql://root@127.0.0.1:${await freePort()}/accountable` });
}

describe('a database that cannot be reached', () => {
  let database: TestDatabase;
  let down: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    down = await unreachableDatabase();
  });
  afterAll(async () => {
    await down.close();
    await database.destroy();
  });

  it('when the server refuses the connection, then the error reads as unavailable; a bad statement or a duplicate does not', async () => {
    const refused = await down.knex.raw('select 1').catch((err: unknown) => err);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    const bad = await database.db.knex.raw('select * from no_such_table').catch((err: unknown) => err);
    expect(isDatabaseUnavailable(bad)).toBe(false);
    await database.db.knex('app_secrets').insert({ name: 'twice', value: 'a', created_at: 0 });
    const duplicate = await database.db.knex('app_secrets').insert({ name: 'twice', value: 'b', created_at: 0 }).catch((err: unknown) => err);
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(isDatabaseUnavailable(new Error('anything else'))).toBe(false);
  });

  it('when a request fails because the database is down, then it is answered 503 with the translated error page and a Retry-After', async () => {
    const app = express();
    configureViews(app);
    const t = (await createTranslator()).forLocale(DEFAULT_LOCALE);
    app.use((req, res, next) => {
      req.t = t;
      res.locals.translate = t;
      next();
    });
    app.get('/page', async () => {
      await down.knex('staff_members').select('id');
    });
    app.use(createErrorHandler(createLogger('silent')));
    const page = await request(app).get('/page').set('Accept', 'text/html').expect(503);
    expect(page.headers['retry-after']).toBe('5');
    expect(page.text).toContain(t('errors.unavailable'));
    expect(page.text).not.toMatch(/ECONNREFUSED|mysql|knex/i);
    const json = await request(app).get('/page').set('Accept', 'application/json').expect(503);
    expect(json.body).toEqual({ error: { status: 503, message: t('errors.unavailable') } });
  });

  it('when the database is unreachable at start, then migrating waits with growing pauses and goes on once it answers', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) });
    let attempts = 0;
    // Down for the first two attempts (the real driver's error), then the real test database.
    const restarting: Database = { ...database.db, migrateLatest: () => (++attempts <= 2 ? down.migrateLatest() : database.db.migrateLatest()) };
    const pauses: number[] = [];
    await migrateWhenReachable(restarting, logger, async (ms) => pauses.push(ms));
    expect(attempts).toBe(3);
    expect(pauses).toEqual([1000, 2000]);
    expect(startRetryDelayMs(10)).toBe(30_000);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['database unavailable at start; trying again', 'database unavailable at start; trying again']);
  });

  it('when a migration fails for another reason, then start-up stops with that error instead of waiting', async () => {
    const broken: Database = { ...database.db, migrateLatest: () => Promise.reject(new Error('migration 0042 failed')) };
    await expect(migrateWhenReachable(broken, createLogger('silent'), async () => undefined)).rejects.toThrow('migration 0042 failed');
  });
});
