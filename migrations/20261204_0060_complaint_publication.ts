import type { Knex } from 'knex';

// A complaint appears in the public register only once the complaints officer approves it.
// Complaints filed before this migration are not approved: the officer publishes them again.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('complaints', (t) => {
    t.bigInteger('published_at');
    t.integer('published_by_account_id').unsigned().references('id').inTable('accounts').onDelete('RESTRICT');
    t.index(['published_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('complaints', (t) => {
    t.dropIndex(['published_at']);
    t.dropForeign(['published_by_account_id']);
    t.dropColumn('published_by_account_id');
    t.dropColumn('published_at');
  });
}
