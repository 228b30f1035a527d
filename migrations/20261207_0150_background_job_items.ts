import type { Knex } from 'knex';

// A job's long input (the rows of a directory import) kept a batch per row, apart from the job's
// row: a batch reads only its own part, and its progress update rewrites a small row, not the file.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('background_job_items', (t) => {
    t.integer('job_id').unsigned().notNullable().references('id').inTable('background_jobs').onDelete('CASCADE');
    // Which batch of JOB_BATCH_SIZE items this row holds, from 0.
    t.integer('chunk').unsigned().notNullable();
    t.text('items', 'longtext').notNullable();
    t.primary(['job_id', 'chunk']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('background_job_items');
}
