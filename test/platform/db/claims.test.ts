import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { claimCandidates, claimRows, type ClaimRequest } from '../../../server/platform/db/claims';

const NOW = 1_000_000;

describe('claiming rows for work several processes (or Galera nodes) may run at once', () => {
  let database: TestDatabase;

  const request = (claimToken: string): ClaimRequest => ({ table: 'outbox_messages', due: (q) => q.where('status', 'pending'), limit: 10, claimToken, now: NOW, leaseMs: 60_000 });
  const message = (claimedUntil: number | null, claimToken: string | null) => ({
    to_address: 'someone@example.test',
    template: 'test',
    subject: 's',
    body_text: 't',
    status: 'pending',
    attempts: 0,
    next_attempt_at: 0,
    created_at: 0,
    claim_token: claimToken,
    claimed_until: claimedUntil,
  });
  const holders = async () => (await database.db.knex('outbox_messages').select('claim_token').orderBy('id')).map((r) => r.claim_token);

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });
  beforeEach(async () => {
    await database.db.knex('outbox_messages').delete();
  });

  it('when another process claimed a chosen row since it was chosen (as a second Galera node may), then the claim leaves it to its holder', async () => {
    const { knex } = database.db;
    await knex('outbox_messages').insert([message(NOW + 30_000, 'other-node'), message(null, null), message(NOW - 1, 'crashed-worker')]);
    const ids = (await knex('outbox_messages').orderBy('id').pluck('id')).map(Number);
    // The chosen rows are stale: the first is held by a live lease, the third's lease has run out.
    const claimed = await claimCandidates(knex, request('this-node'), ids);
    expect(claimed).toBe(2);
    expect(await holders()).toEqual(['other-node', 'this-node', 'this-node']);
  });

  it('when three processes claim at once, then each holds exactly the rows it counted and no row is counted twice', async () => {
    const { knex, dialect } = database.db;
    await knex('outbox_messages').insert(Array.from({ length: 30 }, () => message(null, null)));
    const tokens = ['first', 'second', 'third'];
    const counts = await Promise.all(tokens.map((token) => claimRows(knex, dialect, request(token))));
    const held = await holders();
    // A claimer may skip rows another had locked (and take fewer than its limit), never share them.
    expect(counts).toEqual(tokens.map((token) => held.filter((h) => h === token).length));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10);
    // What was skipped is claimed by the next run.
    expect(await claimRows(knex, dialect, { ...request('later'), limit: 30 })).toBe(held.filter((h) => h === null).length);
    expect(await holders()).not.toContain(null);
  });
});
