import type { Knex } from 'knex';

// The service catalogue (WS2 7.3) and the due times it puts on routed items (7.2.2). Targets are
// versioned: a change adds a row, and an item keeps the target it was received under.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_calendars', (t) => {
    t.increments('id').primary();
    t.string('name', 120).notNullable().unique();
    t.string('zone', 64).notNullable();
    // ISO weekdays, comma-separated: "1,2,3,4,5" is Monday to Friday.
    t.string('working_days', 20).notNullable();
    t.string('day_start', 5).notNullable();
    t.string('day_end', 5).notNullable();
  });

  await knex.schema.createTable('calendar_holidays', (t) => {
    t.integer('calendar_id').unsigned().notNullable().references('id').inTable('service_calendars').onDelete('CASCADE');
    t.string('date', 10).notNullable();
    t.string('name', 120).notNullable().defaultTo('');
    t.primary(['calendar_id', 'date']);
  });

  await knex.schema.createTable('services', (t) => {
    t.increments('id').primary();
    t.string('code', 48).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('owner', 200).notNullable();
    t.text('expectation').notNullable();
    t.integer('calendar_id').unsigned().notNullable().references('id').inTable('service_calendars').onDelete('RESTRICT');
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('service_level_targets', (t) => {
    t.increments('id').primary();
    t.integer('service_id').unsigned().notNullable().references('id').inTable('services').onDelete('CASCADE');
    t.integer('acknowledge_amount').notNullable();
    t.string('acknowledge_unit', 16).notNullable();
    t.integer('respond_amount').notNullable();
    t.string('respond_unit', 16).notNullable();
    t.bigInteger('effective_from').notNullable();
    t.integer('created_by_account_id').unsigned();
    t.index(['service_id', 'effective_from']);
  });

  await knex.schema.alterTable('routed_items', (t) => {
    t.integer('service_level_target_id').unsigned().references('id').inTable('service_level_targets').onDelete('RESTRICT');
    t.bigInteger('acknowledge_due_at');
    t.bigInteger('respond_due_at');
    // The latest date committed to in an updated timeframe, measured apart from the original target.
    t.bigInteger('committed_respond_at');
    t.bigInteger('timeframe_updated_at');
  });

  await knex.schema.alterTable('routed_item_events', (t) => {
    // The new date an updated timeframe commits to.
    t.bigInteger('committed_at');
  });

  await knex.schema.alterTable('routed_items', (t) => {
    // Claimed by an escalation sweep (see platform/db/claims.ts).
    t.string('claim_token', 64);
    t.bigInteger('claimed_until');
    // When a sweep last looked at the item: sweeps visit the longest-unvisited first, so none starves.
    t.bigInteger('escalation_swept_at');
  });

  // The escalation ladder of a service: what happens how long before or after which due time.
  await knex.schema.createTable('escalation_steps', (t) => {
    t.increments('id').primary();
    t.integer('service_id').unsigned().notNullable().references('id').inTable('services').onDelete('CASCADE');
    t.integer('position').notNullable();
    // 'acknowledge' or 'respond': which due time the step watches.
    t.string('due', 16).notNullable();
    // Minutes relative to the due time: negative warns before it, positive escalates after it.
    t.integer('offset_minutes').notNullable();
    // 'recipient' (a warning), 'recipient_manager', 'executive' or 'complaints_officer' (the item moves there).
    t.string('target', 32).notNullable();
  });

  // One row per step taken for an item: the unique key is what makes a second run send nothing twice.
  await knex.schema.createTable('routed_item_escalations', (t) => {
    t.integer('routed_item_id').unsigned().notNullable().references('id').inTable('routed_items').onDelete('CASCADE');
    t.integer('escalation_step_id').unsigned().notNullable().references('id').inTable('escalation_steps').onDelete('CASCADE');
    t.bigInteger('taken_at').notNullable();
    t.primary(['routed_item_id', 'escalation_step_id']);
  });

  await knex.schema.createTable('routed_item_pauses', (t) => {
    t.increments('id').primary();
    t.integer('routed_item_id').unsigned().notNullable().references('id').inTable('routed_items').onDelete('CASCADE');
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at');
    t.index(['routed_item_id']);
  });

  await seed(knex);
}

async function seed(knex: Knex): Promise<void> {
  const [calendarId] = await knex('service_calendars').insert({ name: 'Headquarters (Los Angeles)', zone: 'America/Los_Angeles', working_days: '1,2,3,4,5', day_start: '09:00', day_end: '17:00' });
  // The published examples: feedback answered in business days, complaints and disclosure requests in calendar days.
  const services: Array<[code: string, name: string, owner: string, expectation: string, ack: [number, string], respond: [number, string]]> = [
    ['continuous-feedback', 'Feedback on staff', "The staff member's people manager", 'Your feedback is acknowledged within one business day and answered, or given an updated timeframe, within two.', [1, 'business_days'], [2, 'business_days']],
    ['policy-support', 'Policy development support requests', 'Policy Development Support', 'Requests to policy staff are acknowledged within five working days and answered within fifteen.', [5, 'business_days'], [15, 'business_days']],
    ['complaints', 'Complaints about the organisation', 'Complaints Office', 'Complaints are acknowledged within two business days, with a statement of understanding within 14 calendar days.', [2, 'business_days'], [14, 'calendar_days']],
    ['disclosure-requests', 'Documentary information disclosure requests', 'Legal', 'Requests are acknowledged within two business days and answered within 30 calendar days.', [2, 'business_days'], [30, 'calendar_days']],
  ];
  const now = Date.now();
  for (const [code, name, owner, expectation, ack, respond] of services) {
    const [serviceId] = await knex('services').insert({ code, name, owner, expectation, calendar_id: Number(calendarId), active: true, created_at: now });
    // Warn four hours ahead; past the acknowledgment target go to the recipient's manager; a day
    // past the response target go to the executive; complaints go to the complaints officer.
    const ladder: Array<[due: string, offset: number, target: string]> =
      code === 'complaints'
        ? [
            ['acknowledge', -240, 'recipient'],
            ['respond', 0, 'complaints_officer'],
          ]
        : [
            ['acknowledge', -240, 'recipient'],
            ['acknowledge', 0, 'recipient_manager'],
            ['respond', -240, 'recipient'],
            ['respond', 1440, 'executive'],
          ];
    await knex('escalation_steps').insert(ladder.map(([due, offset_minutes, target], i) => ({ service_id: Number(serviceId), position: i + 1, due, offset_minutes, target })));
    await knex('service_level_targets').insert({
      service_id: Number(serviceId),
      acknowledge_amount: ack[0],
      acknowledge_unit: ack[1],
      respond_amount: respond[0],
      respond_unit: respond[1],
      effective_from: 0,
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('routed_item_escalations');
  await knex.schema.dropTableIfExists('escalation_steps');
  await knex.schema.alterTable('routed_items', (t) => {
    t.dropColumn('claim_token');
    t.dropColumn('claimed_until');
    t.dropColumn('escalation_swept_at');
  });
  await knex.schema.dropTableIfExists('routed_item_pauses');
  await knex.schema.alterTable('routed_item_events', (t) => {
    t.dropColumn('committed_at');
  });
  await knex.schema.alterTable('routed_items', (t) => {
    t.dropForeign(['service_level_target_id']);
    t.dropColumn('service_level_target_id');
    t.dropColumn('acknowledge_due_at');
    t.dropColumn('respond_due_at');
    t.dropColumn('committed_respond_at');
    t.dropColumn('timeframe_updated_at');
  });
  for (const table of ['service_level_targets', 'services', 'calendar_holidays', 'service_calendars']) await knex.schema.dropTableIfExists(table);
}
