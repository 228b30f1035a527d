import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { transactionWithRetry } from '../../../server/platform/db/retry';

const noPause = async () => undefined;

// Runs in the MariaDB pass only (jest.config.js): SQLite has one connection and one writer, so two
// transactions cannot deadlock there.
describe('retrying a transaction that lost a real conflict on MariaDB', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('when two transactions really deadlock on MariaDB, then the loser runs again and both commit', async () => {
    const { knex } = database.db;
    await knex('app_secrets').insert([
      { name: 'a', value: '0', created_at: 1 },
      { name: 'b', value: '0', created_at: 1 },
    ]);
    // Each first locks one row, waits until the other holds its row, then writes the other's row.
    let holding = 0;
    let bothHolding!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHolding = resolve));
    let runs = 0;
    const writer = (first: string, second: string) =>
      transactionWithRetry(
        knex,
        async (trx) => {
          const firstRun = ++runs <= 2;
          await trx('app_secrets').where({ name: first }).update({ value: knex.raw('value + 1') });
          if (firstRun) {
            if (++holding === 2) bothHolding();
            await barrier;
          }
          await trx('app_secrets').where({ name: second }).update({ value: knex.raw('value + 1') });
        },
        { pause: noPause },
      );
    await Promise.all([writer('a', 'b'), writer('b', 'a')]);
    expect(runs).toBe(3);
    const values = await knex('app_secrets').orderBy('name').pluck('value');
    expect(values.map(Number)).toEqual([2, 2]);
  });
});
