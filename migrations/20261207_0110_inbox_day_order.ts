import type { Knex } from 'knex';

// The inbox lists newest day first, then by random public id (orderByDayThenRandom). Sorting by a
// day computed per row made every page sort the whole inbox (issue 13). The day is a generated
// column, so no writer can get it wrong, and three indexes serve the page, the status filter and the
// subject filter in list order, each holding the other filters so a page walks one index alone.
const DAY_MS = 86_400_000;
const INDEXES: ReadonlyArray<[string, string]> = [
  ['routed_items_inbox_day', 'recipient_staff_member_id, received_day DESC, public_id, visible_at, status, subject_staff_member_id'],
  ['routed_items_inbox_status_day', 'recipient_staff_member_id, status, received_day DESC, public_id, visible_at, subject_staff_member_id'],
  ['routed_items_inbox_subject_day', 'recipient_staff_member_id, subject_staff_member_id, received_day DESC, public_id, visible_at, status'],
];

const isMysql = (knex: Knex) => knex.client.config.client === 'mysql2';

export async function up(knex: Knex): Promise<void> {
  const type = isMysql(knex) ? 'BIGINT' : 'INTEGER';
  await knex.raw(`ALTER TABLE routed_items ADD COLUMN received_day ${type} GENERATED ALWAYS AS (received_at - received_at % ${DAY_MS}) VIRTUAL`);
  for (const [name, columns] of INDEXES) await knex.raw(`CREATE INDEX ${name} ON routed_items (${columns})`);
  // The status index above leads with the same columns, so it serves the per-status counts this one did.
  await knex.schema.alterTable('routed_items', (t) => t.dropIndex([], 'routed_items_inbox_index'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('routed_items', (t) => {
    t.index(['recipient_staff_member_id', 'status', 'visible_at', 'subject_staff_member_id', 'received_at', 'public_id'], 'routed_items_inbox_index');
  });
  for (const [name] of INDEXES) await knex.schema.alterTable('routed_items', (t) => t.dropIndex([], name));
  await knex.raw('ALTER TABLE routed_items DROP COLUMN received_day');
}
