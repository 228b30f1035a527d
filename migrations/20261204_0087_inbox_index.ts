import type { Knex } from 'knex';

// The inbox's page, count and per-status counts filter a recipient's items by status and visibility
// and sort them by day: with every column they read in one index, counting a recipient with 10,000
// items reads the index alone (issue 13).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_items', (t) => {
    t.index(['recipient_staff_member_id', 'status', 'visible_at', 'subject_staff_member_id', 'received_at', 'public_id'], 'routed_items_inbox_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_items', (t) => {
    t.dropIndex([], 'routed_items_inbox_index');
  });
}
