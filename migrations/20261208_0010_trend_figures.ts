import type { Knex } from 'knex';

// HR's trends, counted by a job per ended cycle rather than by each request (issue 13): one row per
// cycle, replaced whole, holding counts per department (never an item or a person) and the moment
// they were counted, which the page shows.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trend_figures', (t) => {
    t.integer('cycle_id').unsigned().primary().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.bigInteger('computed_at').notNullable();
    t.text('body', 'longtext').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trend_figures');
}
