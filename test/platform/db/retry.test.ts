import { createTestDatabase, testDialect, type TestDatabase } from '../../helpers/database';
import { isConflict, retryOnConflict, transactionWithRetry } from '../../../server/platform/db/retry';

const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { errno: 1213 });
const noPause = async () => undefined;

describe('retrying a transaction that lost a conflict', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });
  beforeEach(async () => {
    await database.db.knex('app_secrets').delete();
  });

  it('a deadlock, a lock wait timeout and a failed certification (reported as a deadlock) are conflicts; other errors are not', () => {
    expect(isConflict(deadlock())).toBe(true);
    expect(isConflict(Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 }))).toBe(true);
    expect(isConflict(Object.assign(new Error('Duplicate entry'), { errno: 1062 }))).toBe(false);
    expect(isConflict(new Error('no errno'))).toBe(false);
    expect(isConflict(undefined)).toBe(false);
  });

  it('when the first attempt fails with a deadlock, then the whole transaction runs again and what the failed attempt wrote is gone', async () => {
    const { knex } = database.db;
    let attempts = 0;
    const result = await transactionWithRetry(
      knex,
      async (trx) => {
        attempts++;
        await trx('app_secrets').insert({ name: `attempt-${attempts}`, value: 'v', created_at: 1 });
        if (attempts === 1) throw deadlock();
        return 'stored';
      },
      { pause: noPause },
    );
    expect(result).toBe('stored');
    expect(attempts).toBe(2);
    expect(await knex('app_secrets').pluck('name')).toEqual(['attempt-2']);
  });

  it('when an attempt fails with an error that is not a conflict, then it is not run again', async () => {
    let attempts = 0;
    const duplicate = Object.assign(new Error('Duplicate entry'), { errno: 1062 });
    await expect(
      retryOnConflict(
        async () => {
          attempts++;
          throw duplicate;
        },
        { pause: noPause },
      ),
    ).rejects.toBe(duplicate);
    expect(attempts).toBe(1);
  });

  it('when every attempt loses a conflict, then it stops after the bound and reports the conflict', async () => {
    let attempts = 0;
    const pauses: number[] = [];
    await expect(
      retryOnConflict(
        async () => {
          attempts++;
          throw deadlock();
        },
        { attempts: 3, pause: async (n) => void pauses.push(n) },
      ),
    ).rejects.toMatchObject({ errno: 1213 });
    expect(attempts).toBe(3);
    expect(pauses).toEqual([2, 3]);
  });

  // SQLite has one connection and one writer: two transactions cannot deadlock there.
  (testDialect === 'mysql' ? it : it.skip)('when two transactions really deadlock on MariaDB, then the loser runs again and both commit', async () => {
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
