import type { Knex } from 'knex';

// A department's counts for the packets of an ended cycle (issue 13): how often each of its staff
// (as frozen) was given each score on each dimension, and how many routed items each one's inputs
// created. They no longer change once the cycle has ended, so they are counted once, on first use,
// instead of on every packet read.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('packet_part_counts', (t) => {
    t.integer('cycle_id').unsigned().notNullable().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.integer('department_id').unsigned().notNullable();
    t.text('body', 'longtext').notNullable();
    t.primary(['cycle_id', 'department_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('packet_part_counts');
}
