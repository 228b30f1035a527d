import type { Knex } from 'knex';

// Continuous feedback and its routing. Identity lives in its own table, apart from content,
// and only the identity module reads it. Items, ratings and events are append-only.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('behaviour_dimensions', (t) => {
    t.increments('id').primary();
    t.string('code', 48).notNullable().unique();
    t.string('label', 120).notNullable();
    t.string('description', 600).notNullable().defaultTo('');
    t.integer('position').notNullable().defaultTo(0);
    t.boolean('active').notNullable().defaultTo(true);
  });

  await knex.schema.createTable('organisation_settings', (t) => {
    t.string('name', 64).primary();
    t.string('value', 255).notNullable();
  });

  await knex.schema.createTable('routing_rules', (t) => {
    t.increments('id').primary();
    t.integer('position').notNullable();
    // A null condition matches anything.
    t.string('kind', 16);
    t.boolean('subject_is_manager');
    t.boolean('escalation_requested');
    t.string('target', 32).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('feedback_items', (t) => {
    t.increments('id').primary();
    // Random, not sequential: a reference must not tell when an item came in relative to others.
    t.string('reference', 20).notNullable().unique();
    t.integer('staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('RESTRICT');
    t.string('kind', 16).notNullable();
    t.string('attribution', 16).notNullable();
    t.text('comment').notNullable();
    t.string('context', 200).notNullable().defaultTo('');
    t.boolean('escalation_requested').notNullable().defaultTo(false);
    t.string('submission_key_hash', 64).notNullable().unique();
    t.string('receipt_code_hash', 64).unique();
    t.bigInteger('created_at').notNullable();
    t.index(['staff_member_id']);
  });

  await knex.schema.createTable('feedback_ratings', (t) => {
    t.integer('feedback_item_id').unsigned().notNullable().references('id').inTable('feedback_items').onDelete('CASCADE');
    t.integer('dimension_id').unsigned().notNullable().references('id').inTable('behaviour_dimensions').onDelete('RESTRICT');
    t.tinyint('score').notNullable();
    // The dimension's label when the rating was given: relabelling later must not change its meaning.
    t.string('label', 120).notNullable();
    t.primary(['feedback_item_id', 'dimension_id']);
  });

  await knex.schema.createTable('feedback_identities', (t) => {
    t.integer('feedback_item_id').unsigned().primary().references('id').inTable('feedback_items').onDelete('CASCADE');
    t.integer('account_id').unsigned().notNullable().references('id').inTable('accounts').onDelete('RESTRICT');
    t.string('display_name', 200).notNullable();
    t.string('email', 320).notNullable();
    t.index(['account_id']);
  });

  await knex.schema.createTable('routed_items', (t) => {
    t.increments('id').primary();
    // What URLs and e-mails use: random, for the same reason as the reference.
    t.string('public_id', 16).notNullable().unique();
    t.integer('feedback_item_id').unsigned().notNullable().unique().references('id').inTable('feedback_items').onDelete('CASCADE');
    t.integer('recipient_staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('RESTRICT');
    // Who the feedback is about, kept here so the inbox can filter without reading feedback content.
    t.integer('subject_staff_member_id').unsigned().notNullable().references('id').inTable('staff_members').onDelete('RESTRICT');
    t.string('status', 32).notNullable();
    t.bigInteger('received_at').notNullable();
    // When the recipient first sees it: later than received_at, by a random delay, for unattributed items.
    t.bigInteger('visible_at').notNullable();
    t.bigInteger('acknowledged_at');
    t.bigInteger('responded_at');
    t.bigInteger('closed_at');
    t.bigInteger('updated_at').notNullable();
    t.index(['recipient_staff_member_id', 'status']);
    t.index(['subject_staff_member_id']);
  });

  await knex.schema.createTable('routed_item_events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('routed_item_id').unsigned().notNullable().references('id').inTable('routed_items').onDelete('CASCADE');
    t.string('type', 32).notNullable();
    // 'recipient', 'submitter', 'hr' or 'system'. A submitter is never named here.
    t.string('actor', 16).notNullable();
    t.integer('actor_staff_member_id').unsigned();
    t.text('body');
    t.integer('from_staff_member_id').unsigned();
    t.integer('to_staff_member_id').unsigned();
    t.bigInteger('created_at').notNullable();
    t.index(['routed_item_id']);
  });

  await seed(knex);
}

// ICANN's Expected Standards of Behavior, as editable data an admin can relabel or switch off.
const DIMENSIONS: Array<[code: string, label: string, description: string]> = [
  ['bylaws', 'Acts within the Bylaws', "Acts within ICANN's mission and in the spirit of the values in the Bylaws."],
  ['conflicts', 'Respects conflict-of-interest policies', "Adheres to ICANN's conflict of interest policies."],
  ['equal-treatment', 'Treats everyone equally and with civility', 'Treats all members of the community equally, irrespective of nationality, gender, origin, religion or beliefs, disability, age or sexual orientation, and with civility face to face and online.'],
  ['informed', 'Reasonable, objective and informed', 'Acts in a reasonable, objective and informed manner in policy development and decision-making.'],
  ['listening', 'Listens to all stakeholders', 'Listens to the views of all stakeholders and seeks to understand their points of view.'],
  ['consensus', 'Builds consensus', 'Works to build consensus with other stakeholders in the bottom-up, consensus-driven model.'],
  ['transparency', 'Transparent and open', 'Facilitates transparency and openness in policy development and decision-making.'],
  ['public-input', 'Supports public input and accountability', 'Supports robust mechanisms for public input, accountability and transparency.'],
  ['policies', "Follows the organisation's policies", 'Conducts themselves in accordance with ICANN policies.'],
  ['stewardship', "Uses the organisation's assets well", "Protects the organisation's assets and ensures their efficient and effective use."],
  ['good-faith', 'Fair and in good faith', 'Acts fairly and in good faith with other participants.'],
  ['ethics', 'Ethical and responsible', 'Promotes ethical and responsible behaviour.'],
];

async function seed(knex: Knex): Promise<void> {
  await knex('behaviour_dimensions').insert(DIMENSIONS.map(([code, label, description], i) => ({ code, label, description, position: i + 1, active: true })));
  await knex('organisation_settings').insert({ name: 'staff_visibility', value: 'named_appreciation' });
  const now = Date.now();
  // Escalation and feedback about managers or executives go one level above the usual recipient.
  await knex('routing_rules').insert([
    { position: 1, kind: null, subject_is_manager: null, escalation_requested: true, target: 'next_level_up', created_at: now, updated_at: now },
    { position: 2, kind: null, subject_is_manager: true, escalation_requested: null, target: 'next_level_up', created_at: now, updated_at: now },
    { position: 3, kind: null, subject_is_manager: null, escalation_requested: null, target: 'people_manager', created_at: now, updated_at: now },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['routed_item_events', 'routed_items', 'feedback_identities', 'feedback_ratings', 'feedback_items', 'routing_rules', 'organisation_settings', 'behaviour_dimensions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
