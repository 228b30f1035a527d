import { createTestDatabase, testDialect, type TestDatabase } from '../../helpers/database';

// Galera replicates InnoDB tables only, row by row through their primary keys: a table without one
// (or on another engine) is not replicated correctly. This covers every table the migrations,
// knex's own bookkeeping and the session store create.
describe('every table can be replicated by a Galera cluster', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('has a primary key, and on MariaDB is InnoDB', async () => {
    const { knex } = database.db;
    if (testDialect === 'mysql') {
      const [tables] = await knex.raw(
        `SELECT t.table_name AS name, t.engine AS engine,
                (SELECT count(*) FROM information_schema.table_constraints c
                  WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY') AS primary_keys
           FROM information_schema.tables t WHERE t.table_schema = database() ORDER BY t.table_name`,
      );
      expect(tables.length).toBeGreaterThan(40);
      expect(tables.filter((t: { engine: string; primary_keys: number }) => t.engine !== 'InnoDB' || Number(t.primary_keys) !== 1).map((t: { name: string }) => t.name)).toEqual([]);
    } else {
      const tables: string[] = (await knex('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'sqlite_%').pluck('name')).sort();
      expect(tables.length).toBeGreaterThan(40);
      const withoutKey: string[] = [];
      for (const table of tables) {
        const columns: Array<{ pk: number }> = await knex.raw(`PRAGMA table_info("${table}")`);
        if (!columns.some((c) => c.pk > 0)) withoutKey.push(table);
      }
      expect(withoutKey).toEqual([]);
    }
  });
});
