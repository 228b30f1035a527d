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

    /**
     * Forgets devices by id. Callers pass ids they have read, so InnoDB locks only those rows:
     * a range delete would lock gaps, and parallel sign-ins inserting into them would deadlock.
     */
    async delete(ids: readonly number[], db: Db = knex): Promise<void> {
      if (ids.length > 0) await db('sign_in_devices').whereIn('id', ids).delete();
    },

    /** An account's devices unused since `usedSince`: they are no longer trusted anyway. */
    async staleIds(accountId: number, usedSince: number, db: Db = knex): Promise<number[]> {
      const rows = await db('sign_in_devices').select('id').where({ account_id: accountId }).where('last_used_at', '<', usedSince);
      return rows.map((r) => Number(r.id));
    },
  };
}

export type DevicesRepository = ReturnType<typeof createDevicesRepository>;
