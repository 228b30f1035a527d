import type { Knex } from 'knex';

// The review cycle a solicited answer was asked for: it belongs to that cycle's packet whatever day
// it arrives before the request's deadline (often in the review window, after the period's end).
// Null for unsolicited feedback, which belongs to the cycle whose period it arrived in.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_items', (t) => {
    t.integer('solicited_cycle_id').unsigned().nullable();
    t.index(['solicited_cycle_id', 'staff_member_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_items', (t) => {
    t.dropIndex(['solicited_cycle_id', 'staff_member_id']);
  });
  await knex.schema.alterTable('feedback_items', (t) => {
    t.dropColumn('solicited_cycle_id');
  });
}
