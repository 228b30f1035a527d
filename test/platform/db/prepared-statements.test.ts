import { createDatabase, PREPARED_STATEMENTS_KEPT, type Database } from '../../../server/platform/db';

interface RawConnection {
  prepare(sql: string): unknown;
}

// The SQLite connection only (MySQL prepares nothing on the client): always run on SQLite.
describe('prepared statements reused by the SQLite connection', () => {
  let db: Database;
  let conn: RawConnection;

  beforeAll(async () => {
    db = createDatabase({ client: 'sqlite', filename: ':memory:' });
    await db.knex.schema.createTable('notes', (t) => {
      t.increments('id');
      t.string('body');
    });
    conn = (await db.knex.client.acquireConnection()) as RawConnection;
    db.knex.client.releaseConnection(conn);
  });
  afterAll(async () => {
    await db.close();
  });

  it('when the same SQL runs again, then its statement is prepared once and gives the rows of each run', async () => {
    const sql = 'select `body` from `notes` where `id` = ?';
    expect(conn.prepare(sql)).toBe(conn.prepare(sql));
    const [id] = await db.knex('notes').insert({ body: 'first' });
    await db.knex('notes').insert({ body: 'second' });
    expect(await db.knex('notes').where({ id }).select('body')).toEqual([{ body: 'first' }]);
    expect(await db.knex('notes').where({ id: id! + 1 }).select('body')).toEqual([{ body: 'second' }]);
  });

  it('when more distinct statements run than are kept, then the least recently used is prepared afresh and the rest are kept', () => {
    const first = 'select 0 as n';
    const kept = conn.prepare(first);
    const one = conn.prepare('select 1 as n');
    for (let n = 2; n < PREPARED_STATEMENTS_KEPT; n++) conn.prepare(`select ${n} as n`);
    // Used again: now the most recent, so the next new statement evicts `select 1`, not it.
    expect(conn.prepare(first)).toBe(kept);
    conn.prepare(`select ${PREPARED_STATEMENTS_KEPT} as n`);
    expect(conn.prepare(first)).toBe(kept);
    expect(conn.prepare('select 1 as n')).not.toBe(one);
  });

  it('when a table changes after a statement was prepared, then the kept statement reads the new shape', async () => {
    expect(Object.keys((await db.knex('notes').select('*').first())!)).toEqual(['id', 'body']);
    await db.knex.schema.alterTable('notes', (t) => t.string('tag').defaultTo('none'));
    expect(await db.knex('notes').select('*').first()).toEqual({ id: 1, body: 'first', tag: 'none' });
  });
});
