import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** Browsers that have signed in to an account before, known by a digest of their device cookie. */
export function createDevicesRepository(knex: Knex) {
  return {
    /** The device with this cookie digest, when it belongs to the account and was used since `usedSince`. */
    async findUsable(tokenHash: string, accountId: number, usedSince: number, db: Db = knex): Promise<{ id: number } | undefined> {
      const row = await db('sign_in_devices').select('id').where({ token_hash: tokenHash, account_id: accountId }).where('last_used_at', '>=', usedSince).first();
      return row ? { id: Number(row.id) } : undefined;
    },

    async insert(accountId: number, tokenHash: string, now: number, db: Db = knex): Promise<number> {
      const [id] = await db('sign_in_devices').insert({ account_id: accountId, token_hash: tokenHash, created_at: now, last_used_at: now });
      return Number(id);
    },

    async delete(id: number, db: Db = knex): Promise<void> {
      await db('sign_in_devices').where({ id }).delete();
    },

    /** Forgets an account's devices unused since `usedSince`: they are no longer trusted anyway. */
    async deleteStale(accountId: number, usedSince: number, db: Db = knex): Promise<void> {
      await db('sign_in_devices').where({ account_id: accountId }).where('last_used_at', '<', usedSince).delete();
    },
  };
}

export type DevicesRepository = ReturnType<typeof createDevicesRepository>;
