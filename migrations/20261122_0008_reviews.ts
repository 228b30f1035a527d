import type { Knex } from 'knex';

// Bi-annual review cycles: input packets per staff member, the manager's review of them, input
// solicited from chosen community members, and exports built in the background.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('review_cycles', (t) => {
    t.increments('id').primary();
    // 2026-H1
    t.string('code', 20).notNullable().unique();
    // Calendar days (YYYY-MM-DD, UTC): the period whose input the cycle gathers, and the review window.
    t.string('starts_on', 10).notNullable();
    t.string('ends_on', 10).notNullable();
    t.string('review_opens_on', 10).notNullable();
    t.string('review_closes_on', 10).notNullable();
    // planned, open, closed
    t.string('status', 16).notNullable();
    // Whether staff members may read their own packet before their manager has reviewed it.
    t.boolean('staff_see_unreviewed').notNullable().defaultTo(false);
    // HR's guidance, shown to managers choosing whom to ask and reading the input.
    t.text('guidance').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('packet_reviews', (t) => {
    t.integer('cycle_id').unsigned().notNullable().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.integer('staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('CASCADE');
    t.integer('reviewed_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.bigInteger('reviewed_at').notNullable();
    // The manager's own notes: never shown to the staff member.
    t.text('notes').notNullable();
    t.primary(['cycle_id', 'staff_member_id']);
  });

  await knex.schema.createTable('packet_flags', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').unsigned().notNullable().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.integer('feedback_item_id').unsigned().notNullable().references('id').inTable('feedback_items').onDelete('CASCADE');
    t.integer('flagged_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.string('note', 500).notNullable().defaultTo('');
    t.bigInteger('created_at').notNullable();
    t.unique(['cycle_id', 'feedback_item_id']);
  });

  // A manager's request to one community member for input on one staff member before a review.
  // Whether it was answered is kept here; the feedback it produced carries only "solicited", never
  // which request, so an anonymous answer cannot be traced back to the person asked.
  await knex.schema.createTable('solicitation_requests', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').unsigned().notNullable().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.integer('staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('CASCADE');
    t.integer('requested_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.string('email', 320);
    t.string('display_name', 200).notNullable().defaultTo('');
    t.string('token_hash', 64).notNullable().unique();
    t.string('token_sealed', 200).notNullable();
    t.bigInteger('deadline_at').notNullable();
    t.boolean('has_answered').notNullable().defaultTo(false);
    t.integer('reminders_sent').notNullable().defaultTo(0);
    t.bigInteger('created_at').notNullable();
    t.unique(['cycle_id', 'staff_member_id', 'email']);
    t.index(['has_answered', 'deadline_at']);
  });

  await knex.schema.alterTable('feedback_items', (t) => {
    t.boolean('solicited').notNullable().defaultTo(false);
  });

  // Exports too large to build while the browser waits: any process builds them, any serves them.
  await knex.schema.createTable('export_jobs', (t) => {
    t.increments('id').primary();
    t.string('kind', 32).notNullable();
    t.integer('cycle_id').unsigned().references('id').inTable('review_cycles').onDelete('CASCADE');
    t.string('format', 8).notNullable();
    t.integer('requested_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    // An HR requester who is also staff: their own packet is left out, as they read it only as its subject.
    t.integer('requester_staff_member_id').unsigned().references('id').inTable('staff_members').onDelete('SET NULL');
    // pending, running, done, failed
    t.string('status', 16).notNullable();
    t.integer('progress_done').notNullable().defaultTo(0);
    t.integer('progress_total').notNullable().defaultTo(0);
    t.string('filename', 120).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('finished_at');
    t.string('claim_token', 36);
    t.bigInteger('claimed_until');
    t.index(['status']);
  });

  await knex.schema.createTable('export_chunks', (t) => {
    t.integer('export_job_id').unsigned().notNullable().references('id').inTable('export_jobs').onDelete('CASCADE');
    t.integer('sequence').notNullable();
    t.specificType('data', knex.client.config.client === 'mysql2' ? 'MEDIUMBLOB' : 'BLOB').notNullable();
    t.primary(['export_job_id', 'sequence']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('export_chunks');
  await knex.schema.dropTableIfExists('export_jobs');
  await knex.schema.alterTable('feedback_items', (t) => {
    t.dropColumn('solicited');
  });
  for (const table of ['solicitation_requests', 'packet_flags', 'packet_reviews', 'review_cycles']) await knex.schema.dropTableIfExists(table);
}
