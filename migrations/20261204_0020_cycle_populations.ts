import type { Knex } from 'knex';

// Who was where at a review period's end: each staff member's department and manager, frozen once
// (at the latest when the cycle closes) so that later directory moves never change a closed
// period's figures. No foreign keys to departments or staff: a later deletion must not rewrite it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cycle_populations', (t) => {
    t.integer('cycle_id').unsigned().primary().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.bigInteger('taken_at').notNullable();
  });
  await knex.schema.createTable('cycle_population_members', (t) => {
    t.integer('cycle_id').unsigned().notNullable().references('cycle_id').inTable('cycle_populations').onDelete('CASCADE');
    t.integer('staff_member_id').unsigned().notNullable();
    t.integer('department_id').unsigned();
    t.integer('manager_id').unsigned();
    t.primary(['cycle_id', 'staff_member_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cycle_population_members');
  await knex.schema.dropTableIfExists('cycle_populations');
}
