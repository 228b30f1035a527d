import type { Knex } from 'knex';

// A packet counts its department's inputs of a period (the parts its figures are one of): the
// department's staff as frozen for the cycle, then each one's items of the period, read by index
// rather than by scanning every item (a cycle can hold a million; issue 13).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cycle_population_members', (t) => {
    t.index(['cycle_id', 'department_id'], 'cycle_population_members_department_index');
  });
  await knex.schema.alterTable('feedback_items', (t) => {
    t.index(['staff_member_id', 'created_at'], 'feedback_items_staff_created_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feedback_items', (t) => {
    t.dropIndex([], 'feedback_items_staff_created_index');
  });
  await knex.schema.alterTable('cycle_population_members', (t) => {
    t.dropIndex([], 'cycle_population_members_department_index');
  });
}
