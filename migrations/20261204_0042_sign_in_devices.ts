import type { Knex } from 'knex';

// Browsers that have signed in to an account before (OWASP device cookies): only a digest of the
// cookie is kept.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sign_in_devices', (t) => {
    t.increments('id').primary();
    t.integer('account_id').unsigned().notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_used_at').notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sign_in_devices');
}
