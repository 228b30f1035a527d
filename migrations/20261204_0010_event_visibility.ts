import type { Knex } from 'knex';

// When readers may see a history entry: a submitter's answer to an unattributed item waits for its
// notification delay, as the item itself does. Earlier entries were visible when written.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_item_events', (t) => {
    t.bigInteger('visible_at');
  });
  await knex('routed_item_events').update({ visible_at: knex.ref('created_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_item_events', (t) => {
    t.dropColumn('visible_at');
  });
}
