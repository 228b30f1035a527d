import type { Knex } from 'knex';

// A version per kind of reference data that each process caches (routing rules, the service
// catalogue with its calendars and holidays): every change bumps it in its own transaction, and a
// process's cache holds only while the version it read is still the stored one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reference_versions', (t) => {
    t.string('name', 48).primary();
    t.bigInteger('version').notNullable().defaultTo(0);
  });
  await knex('reference_versions').insert([
    { name: 'routing-rules', version: 0 },
    { name: 'service-catalogue', version: 0 },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('reference_versions');
}
