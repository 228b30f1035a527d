import type { Knex } from 'knex';

// An anonymous or confidential submitter's answer changes its item (status, paused clock) only once
// the answer shows, after its notification delay: until then, when the change is due.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_items', (t) => {
    t.bigInteger('answer_pending_until');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_items', (t) => {
    t.dropColumn('answer_pending_until');
  });
}
