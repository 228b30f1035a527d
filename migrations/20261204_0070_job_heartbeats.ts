import type { Knex } from 'knex';

// Processes hold no state of their own: each run of a background job records here which process ran
// it and how it went, so any web process's /healthz can show jobs that another process runs.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('job_heartbeats', (t) => {
    t.string('job', 48).notNullable();
    // host:pid of the process that ran it.
    t.string('process', 160).notNullable();
    // The interval that process runs the job at: staleness is judged by it.
    t.integer('interval_ms').unsigned().notNullable();
    t.bigInteger('last_started_at').notNullable();
    t.bigInteger('last_finished_at');
    t.bigInteger('last_succeeded_at');
    // An error's class or code only, never its message (which may carry an address or a name).
    t.string('last_error', 120);
    t.primary(['job', 'process']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('job_heartbeats');
}
