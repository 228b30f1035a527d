import type { Knex } from 'knex';

// Shared infrastructure: secrets, sessions, rate-limit counters, the e-mail outbox and the audit log.
// Everything a process would otherwise hold in memory lives here, so many processes can share one database.
export async function up(knex: Knex): Promise<void> {
  const mysql = knex.client.config.client === 'mysql2';
  if (mysql) {
    // Names come in every script: tables created from here on inherit utf8mb4 whatever the server default.
    await knex.raw('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  }

  await knex.schema.createTable('app_secrets', (t) => {
    t.string('name', 64).primary();
    t.string('value', 255).notNullable();
    t.bigInteger('created_at').notNullable();
  });

  // Shape expected by connect-session-knex.
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    if (mysql) t.text('sess', 'mediumtext').notNullable();
    else t.text('sess').notNullable();
    if (mysql) t.dateTime('expired').notNullable().index();
    else t.timestamp('expired').notNullable().index();
  });

  // Shape expected by rate-limiter-flexible's SQLite and MySQL stores.
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').unsigned();
  });

  await knex.schema.createTable('outbox_messages', (t) => {
    t.bigIncrements('id').primary();
    t.string('to_address', 320).notNullable();
    t.text('subject').notNullable();
    t.text('body_text').notNullable();
    t.text('body_html');
    t.string('template', 64).notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.string('claim_token', 64);
    t.bigInteger('claimed_until');
    t.bigInteger('sent_at');
    t.string('last_error', 500);
    t.bigInteger('created_at').notNullable();
    t.index(['status', 'next_attempt_at']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('actor_account_id').unsigned();
    t.string('action', 64).notNullable();
    t.string('subject_type', 64).notNullable();
    t.string('subject_id', 64);
    t.text('detail');
    t.bigInteger('created_at').notNullable();
    t.index(['subject_type', 'subject_id']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['audit_events', 'outbox_messages', 'rate_limits', 'sessions', 'app_secrets']) {
    await knex.schema.dropTableIfExists(table);
  }
}
