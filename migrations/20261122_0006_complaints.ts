import type { Knex } from 'knex';

// The Complaints Office: complaints about the organisation's effectiveness, apart from feedback on
// one person. Complaints are not anonymous; the public register withholds the name on request.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('complaints', (t) => {
    t.increments('id').primary();
    // ICANN's style, C-2026-00042: the year and a number within it.
    t.string('reference', 20).notNullable().unique();
    t.integer('year').notNullable();
    t.integer('number').notNullable();
    t.unique(['year', 'number']);
    t.integer('account_id').unsigned().notNullable().references('id').inTable('accounts').onDelete('RESTRICT');
    t.string('complainant_name', 200).notNullable();
    t.boolean('redact_name').notNullable().defaultTo(false);
    t.string('category', 32).notNullable();
    t.string('summary', 300).notNullable();
    t.text('description').notNullable();
    t.string('status', 24).notNullable();
    t.string('redirected_to', 32);
    t.text('resolution');
    t.integer('service_level_target_id').unsigned().references('id').inTable('service_level_targets').onDelete('RESTRICT');
    t.bigInteger('received_at').notNullable();
    t.bigInteger('acknowledge_due_at');
    t.bigInteger('respond_due_at');
    t.bigInteger('acknowledged_at');
    t.bigInteger('responded_at');
    t.bigInteger('resolved_at');
    t.index(['status']);
    t.index(['received_at']);
  });

  // Escalation steps taken for a complaint: one row each, so a second sweep sends nothing twice.
  await knex.schema.createTable('complaint_escalations', (t) => {
    t.integer('complaint_id').unsigned().notNullable().references('id').inTable('complaints').onDelete('CASCADE');
    t.integer('escalation_step_id').unsigned().notNullable().references('id').inTable('escalation_steps').onDelete('CASCADE');
    t.bigInteger('taken_at').notNullable();
    t.primary(['complaint_id', 'escalation_step_id']);
  });

  await knex.schema.createTable('complaint_events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('complaint_id').unsigned().notNullable().references('id').inTable('complaints').onDelete('CASCADE');
    t.string('type', 48).notNullable();
    t.integer('actor_account_id').unsigned();
    t.text('body');
    t.bigInteger('created_at').notNullable();
    t.index(['complaint_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('complaint_events');
  await knex.schema.dropTableIfExists('complaint_escalations');
  await knex.schema.dropTableIfExists('complaints');
}
