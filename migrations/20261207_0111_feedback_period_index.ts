import type { Knex } from 'knex';

// A cycle's figures (trends, handling) read every item received in its period: without an index on
// the time received, each such read walked every unsolicited item ever given (issue 13). The
// columns the period's reads filter and join on come with it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_items', (t) => {
    t.index(['created_at', 'solicited_cycle_id', 'staff_member_id'], 'feedback_items_period_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_items', (t) => {
    t.dropIndex([], 'feedback_items_period_index');
  });
}
