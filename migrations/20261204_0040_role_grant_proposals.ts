import type { Knex } from 'knex';

// A privileged role takes effect only when a second administrator approves the proposal to grant it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('role_grant_proposals', (t) => {
    t.increments('id').primary();
    t.integer('account_id').unsigned().notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('role', 32).notNullable();
    t.integer('proposed_by').unsigned().notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.bigInteger('proposed_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.integer('decided_by').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.bigInteger('decided_at');
    // null while pending; 'approved' or 'rejected' once decided.
    t.string('decision', 16);
    t.index(['account_id', 'role']);
    t.index(['decision', 'expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('role_grant_proposals');
}
