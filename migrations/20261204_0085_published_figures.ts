import type { Knex } from 'knex';

// Figures that public pages show, computed by a job rather than by each request (issue 13): one row
// per report, replaced whole, with the moment it was computed (which the page shows).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('published_figures', (t) => {
    t.string('report', 48).primary();
    t.bigInteger('computed_at').notNullable();
    t.text('body', 'longtext').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('published_figures');
}
