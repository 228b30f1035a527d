import type { Knex } from 'knex';

// Failed sign-in counts per account, device and network, with the end of their window, read by the
// injected clock (rate_limits belongs to rate-limiter-flexible, which reads the system clock).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sign_in_counters', (t) => {
    t.string('counter_key', 120).primary();
    t.integer('attempts').notNullable();
    t.bigInteger('window_ends_at').notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sign_in_counters');
}
