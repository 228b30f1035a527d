import type { Knex } from 'knex';

// Working groups and the survey engine that assesses them (and runs community surveys).
// Anonymity is structural: a response has no invitation id, a random primary key (no insertion
// order to match against invitations) and only the UTC day it arrived; "has responded" lives on the
// invitation alone.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('survey_templates', (t) => {
    t.increments('id').primary();
    // Set on templates the application ships (the Working Group Self-Assessment), so it adds each once.
    t.string('code', 64).unique();
    t.string('name', 200).notNullable();
    t.string('description', 1000).notNullable().defaultTo('');
    t.boolean('archived').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
  });

  // A version is immutable once written: editing a template writes the next version.
  await knex.schema.createTable('survey_template_versions', (t) => {
    t.increments('id').primary();
    t.integer('template_id').unsigned().notNullable().references('id').inTable('survey_templates').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('definition', 'mediumtext').notNullable();
    t.integer('created_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.bigInteger('created_at').notNullable();
    t.unique(['template_id', 'version']);
  });

  await knex.schema.createTable('working_groups', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.string('type', 24).notNullable();
    t.string('chartering_organisation', 120).notNullable().defaultTo('');
    t.string('description', 2000).notNullable().defaultTo('');
    // Calendar dates (YYYY-MM-DD): milestones are days, not instants.
    t.string('started_on', 10);
    t.string('initial_report_on', 10);
    t.string('final_report_on', 10);
    t.string('closed_on', 10);
    // The assessment opened automatically at the initial report and at closure, when set.
    t.integer('assessment_template_id').unsigned().references('id').inTable('survey_templates').onDelete('SET NULL');
    t.integer('assessment_days').notNullable().defaultTo(21);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('working_group_members', (t) => {
    t.increments('id').primary();
    t.integer('working_group_id').unsigned().notNullable().references('id').inTable('working_groups').onDelete('CASCADE');
    t.integer('account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.string('email', 320).notNullable();
    t.string('display_name', 200).notNullable().defaultTo('');
    // member, chair, vice_chair, council_liaison
    t.string('role', 24).notNullable().defaultTo('member');
    t.bigInteger('created_at').notNullable();
    t.unique(['working_group_id', 'email']);
  });

  await knex.schema.createTable('working_group_staff', (t) => {
    t.integer('working_group_id').unsigned().notNullable().references('id').inTable('working_groups').onDelete('CASCADE');
    t.integer('staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('CASCADE');
    t.string('role', 120).notNullable().defaultTo('');
    t.primary(['working_group_id', 'staff_member_id']);
  });

  await knex.schema.createTable('surveys', (t) => {
    t.increments('id').primary();
    t.string('title', 200).notNullable();
    t.integer('template_version_id').unsigned().notNullable().references('id').inTable('survey_template_versions').onDelete('RESTRICT');
    // working_group, community (every verified community account) or list (imported addresses)
    t.string('audience', 24).notNullable();
    t.integer('working_group_id').unsigned().references('id').inTable('working_groups').onDelete('RESTRICT');
    // initial_report or closure when a milestone opened it; unique so a sweep never opens it twice.
    t.string('milestone', 24);
    t.unique(['working_group_id', 'milestone']);
    t.integer('minimum_group_size').notNullable();
    // scheduled, open, closed
    t.string('status', 16).notNullable();
    t.bigInteger('opens_at').notNullable();
    t.bigInteger('closes_at').notNullable();
    t.string('reminder_days', 100).notNullable().defaultTo('');
    // A periodic survey schedules its next run this many months after this one opened.
    t.integer('repeat_months');
    t.integer('created_by_account_id').unsigned().references('id').inTable('accounts').onDelete('SET NULL');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('closed_at');
    t.string('claim_token', 36);
    t.bigInteger('claimed_until');
    t.index(['status', 'opens_at']);
    t.index(['status', 'closes_at']);
  });

  // The support staff a survey's per-staff block repeats for, fixed when it opens.
  await knex.schema.createTable('survey_staff', (t) => {
    t.integer('survey_id').unsigned().notNullable().references('id').inTable('surveys').onDelete('CASCADE');
    t.integer('staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('RESTRICT');
    t.integer('position').notNullable();
    t.primary(['survey_id', 'staff_member_id']);
  });

  // Addresses of a "list" survey, until it opens and they become invitations.
  await knex.schema.createTable('survey_audience_addresses', (t) => {
    t.integer('survey_id').unsigned().notNullable().references('id').inTable('surveys').onDelete('CASCADE');
    t.string('email', 320).notNullable();
    t.primary(['survey_id', 'email']);
  });

  await knex.schema.createTable('survey_invitations', (t) => {
    t.increments('id').primary();
    t.integer('survey_id').unsigned().notNullable().references('id').inTable('surveys').onDelete('CASCADE');
    // SHA-256 of the link's secret, to find the invitation; the secret itself is kept only sealed
    // (AES-GCM under an application key) so reminders can repeat the link.
    t.string('token_hash', 64).notNullable().unique();
    t.string('token_sealed', 200).notNullable();
    // Kept while the survey is open, for reminders; cleared when it closes.
    t.string('email', 320);
    t.string('locale', 10).notNullable().defaultTo('en');
    t.boolean('has_responded').notNullable().defaultTo(false);
    t.integer('reminders_sent').notNullable().defaultTo(0);
    // Answers saved with "finish later", until the response is submitted or the survey closes.
    t.text('draft', 'mediumtext');
    t.index(['survey_id', 'has_responded']);
  });

  await knex.schema.createTable('survey_reminders', (t) => {
    t.increments('id').primary();
    t.integer('survey_id').unsigned().notNullable().references('id').inTable('surveys').onDelete('CASCADE');
    t.integer('sequence').notNullable();
    t.bigInteger('due_at').notNullable();
    t.bigInteger('sent_at');
    t.string('claim_token', 36);
    t.bigInteger('claimed_until');
    t.unique(['survey_id', 'sequence']);
    t.index(['sent_at', 'due_at']);
  });

  if (knex.client.config.client === 'mysql2') {
    // InnoDB keeps rows in the order of the primary key, here a random one.
    await knex.schema.createTable('survey_responses', (t) => {
      t.string('id', 32).primary();
      t.integer('survey_id').unsigned().notNullable().references('id').inTable('surveys').onDelete('CASCADE');
      t.string('submitted_on', 10).notNullable();
      t.text('answers', 'mediumtext').notNullable();
      t.index(['survey_id']);
    });
  } else {
    // An ordinary SQLite table has a hidden rowid that counts up with each insert: it would keep the
    // order responses came in. WITHOUT ROWID keeps them in the order of their random key instead.
    await knex.raw(
      'CREATE TABLE survey_responses (id varchar(32) NOT NULL PRIMARY KEY, survey_id integer NOT NULL REFERENCES surveys (id) ON DELETE CASCADE, submitted_on varchar(10) NOT NULL, answers text NOT NULL) WITHOUT ROWID',
    );
    await knex.raw('CREATE INDEX survey_responses_survey_id_index ON survey_responses (survey_id)');
  }

  // A support staff member's block of a closed survey, delivered to their people manager.
  await knex.schema.createTable('survey_staff_reports', (t) => {
    t.increments('id').primary();
    t.integer('survey_id').unsigned().notNullable().references('id').inTable('surveys').onDelete('CASCADE');
    t.integer('staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('RESTRICT');
    t.integer('recipient_staff_member_id').unsigned().references('id').inTable('staff_members').onDelete('SET NULL');
    t.bigInteger('created_at').notNullable();
    t.unique(['survey_id', 'staff_member_id']);
    t.index(['recipient_staff_member_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'survey_staff_reports',
    'survey_responses',
    'survey_reminders',
    'survey_invitations',
    'survey_audience_addresses',
    'survey_staff',
    'surveys',
    'working_group_staff',
    'working_group_members',
    'working_groups',
    'survey_template_versions',
    'survey_templates',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
