import type { Knex } from 'knex';

// The organisation's directory: who works where and who manages whom (how input gets routed).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('departments', (t) => {
    t.increments('id').primary();
    t.string('name', 120).notNullable().unique();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('staff_members', (t) => {
    t.increments('id').primary();
    t.string('email', 320).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('title', 200).notNullable().defaultTo('');
    t.integer('department_id').unsigned().references('id').inTable('departments').onDelete('RESTRICT');
    t.integer('manager_id').unsigned().references('id').inTable('staff_members').onDelete('SET NULL');
    t.boolean('community_facing').notNullable().defaultTo(false);
    t.boolean('is_executive').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['manager_id']);
    t.index(['department_id']);
    t.index(['name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('staff_members');
  await knex.schema.dropTableIfExists('departments');
}
