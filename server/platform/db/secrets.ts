import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock';

// A secret generated once and shared by every process through the database (used when the
// environment does not provide one), so processes agree on session and CSRF signatures.
export async function getOrCreateSecret(knex: Knex, name: string, clock: Clock): Promise<string> {
  await knex('app_secrets')
    .insert({ name, value: randomBytes(48).toString('base64url'), created_at: clock.now() })
    .onConflict('name')
    .ignore();
  const row = await knex('app_secrets').select('value').where({ name }).first();
  return row.value as string;
}
