import { deriveReceiptCode } from '../../server/features/feedback/receipt-codes';
import { createTokenSeal } from '../../server/features/surveys/invitation-links';
import { createApplicationKeys, KEY_PURPOSES } from '../../server/platform/keys';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { manualClock } from '../helpers/app';

const SECRET_KEY = 'a production key of at least thirty-two bytes';

describe('application keys', () => {
  let database: TestDatabase;
  const clock = manualClock();
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.destroy());

  const storedNames = async () => (await database.db.knex('app_secrets').select('name')).map((r) => r.name as string);

  it('when no secret key is given, then each purpose has its own key, made once and kept in the database', async () => {
    const keyFor = createApplicationKeys({ secretKey: undefined, knex: database.db.knex, clock });
    const keys = await Promise.all(KEY_PURPOSES.map((p) => keyFor(p)));
    expect(new Set(keys).size).toBe(KEY_PURPOSES.length);
    expect(await storedNames()).toEqual(expect.arrayContaining([...KEY_PURPOSES]));
    // Another process on the same database agrees.
    const again = createApplicationKeys({ secretKey: undefined, knex: database.db.knex, clock });
    expect(await Promise.all(KEY_PURPOSES.map((p) => again(p)))).toEqual(keys);
  });

  it('when a secret key is given, then keys are derived from it per purpose, differ from the stored ones, and none is stored', async () => {
    await database.db.knex('app_secrets').whereIn('name', [...KEY_PURPOSES]).delete();
    const stored = createApplicationKeys({ secretKey: undefined, knex: database.db.knex, clock });
    const storedKeys = await Promise.all(KEY_PURPOSES.map((p) => stored(p)));
    const before = await database.db.knex('app_secrets').select('name', 'value').orderBy('name');

    const keyFor = createApplicationKeys({ secretKey: SECRET_KEY, knex: database.db.knex, clock });
    const derived = await Promise.all(KEY_PURPOSES.map((p) => keyFor(p)));
    expect(new Set(derived).size).toBe(KEY_PURPOSES.length);
    for (const key of derived) {
      expect(Buffer.from(key, 'base64url')).toHaveLength(48);
      expect(storedKeys).not.toContain(key);
    }
    // Deriving touched nothing in the database, and every process derives the same keys.
    expect(await database.db.knex('app_secrets').select('name', 'value').orderBy('name')).toEqual(before);
    const otherProcess = createApplicationKeys({ secretKey: SECRET_KEY, knex: database.db.knex, clock });
    expect(await Promise.all(KEY_PURPOSES.map((p) => otherProcess(p)))).toEqual(derived);
    // Another secret key gives other keys.
    const otherKey = createApplicationKeys({ secretKey: `${SECRET_KEY}!`, knex: database.db.knex, clock });
    for (const [i, p] of KEY_PURPOSES.entries()) expect(await otherKey(p)).not.toBe(derived[i]);
  });

  it('when a link is sealed under one key, then it opens under that key only, and receipt codes differ per key', async () => {
    const derived = createApplicationKeys({ secretKey: SECRET_KEY, knex: database.db.knex, clock });
    const stored = createApplicationKeys({ secretKey: undefined, knex: database.db.knex, clock });
    const token = 'x'.repeat(43);
    const sealed = createTokenSeal(await derived('survey-links')).seal(token);

    expect(createTokenSeal(await derived('survey-links')).open(sealed)).toBe(token);
    const solicitationSeal = createTokenSeal(await derived('solicitation-links'));
    expect(() => solicitationSeal.open(sealed)).toThrow();
    // The key a copy of the database holds does not open it.
    const databaseSeal = createTokenSeal(await stored('survey-links'));
    expect(() => databaseSeal.open(sealed)).toThrow();

    const submissionKey = 'submission-key';
    const code = deriveReceiptCode(await derived('receipt-codes'), submissionKey);
    expect(deriveReceiptCode(await derived('receipt-codes'), submissionKey)).toBe(code);
    expect(deriveReceiptCode(await stored('receipt-codes'), submissionKey)).not.toBe(code);
  });
});
