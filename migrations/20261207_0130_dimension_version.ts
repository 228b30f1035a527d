import type { Knex } from 'knex';

// The active behaviour dimensions join the reference data each process caches: a submission
// checks their version instead of reading them (see server/platform/db/reference-cache.ts).
export async function up(knex: Knex): Promise<void> {
  await knex('reference_versions').insert({ name: 'behaviour-dimensions', version: 0 });
}

export async function down(knex: Knex): Promise<void> {
  await knex('reference_versions').where({ name: 'behaviour-dimensions' }).delete();
}
