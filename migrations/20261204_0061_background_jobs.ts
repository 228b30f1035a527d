import type { Knex } from 'knex';

// Work too large for one request (a large directory import, the invitations of a large survey) runs
// as a job, a batch at a time, each batch in its own transaction together with the job's progress.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('background_jobs', (t) => {
    t.increments('id').primary();
    // What URLs use: random, so a job's address says nothing about how many came before it.
    t.string('public_id', 32).notNullable().unique();
    t.string('kind', 48).notNullable();
    t.string('status', 16).notNullable();
    // The job's input (rows to write, addresses to invite); erased when the job ends.
    t.text('payload', 'longtext');
    // Where the job stands between batches (counts so far).
    t.text('state', 'longtext').notNullable();
    t.integer('progress_done').unsigned().notNullable().defaultTo(0);
    t.integer('progress_total').unsigned().notNullable().defaultTo(0);
    t.string('error_key', 120);
    // What the job works on, for its page (a survey whose invitations it sends); null for an import.
    t.string('subject_type', 32);
    t.integer('subject_id').unsigned();
    t.integer('requested_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.string('claim_token', 64);
    t.bigInteger('claimed_until');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('finished_at');
    t.index(['status']);
    t.index(['subject_type', 'subject_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('background_jobs');
}
