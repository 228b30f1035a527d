import { createTestDatabase, type TestDatabase } from '../../helpers/database';
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
});
