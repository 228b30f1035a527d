import type { Knex } from 'knex';

// How many routed items each recipient holds per status, kept by the repository in the same
// transaction as every insert or change of status or recipient (issue 13): an inbox of 100,000 items
// counted them on every page. Items still held back (visible_at in the future) are few; they are
// counted through the new index and taken off.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbox_counts', (t) => {
    t.integer('recipient_staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('CASCADE');
    t.string('status', 32).notNullable();
    t.integer('items').notNullable();
    t.primary(['recipient_staff_member_id', 'status']);
  });
  await knex.schema.alterTable('routed_items', (t) => t.index(['recipient_staff_member_id', 'visible_at', 'status'], 'routed_items_recipient_visible'));
  await knex.raw('INSERT INTO inbox_counts (recipient_staff_member_id, status, items) SELECT recipient_staff_member_id, status, count(*) FROM routed_items GROUP BY recipient_staff_member_id, status');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_items', (t) => t.dropIndex([], 'routed_items_recipient_visible'));
  await knex.schema.dropTableIfExists('inbox_counts');
}
