import type { Knex } from 'knex';

// Sign-in accounts, their roles, and single-use tokens for e-mail verification and password reset.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.increments('id').primary();
    t.string('email', 320).notNullable().unique();
    t.string('display_name', 200).notNullable();
    t.string('password_hash', 255);
    t.bigInteger('email_verified_at');
    t.integer('staff_member_id').unsigned().unique().references('id').inTable('staff_members').onDelete('SET NULL');
    t.string('locale', 8).notNullable().defaultTo('en');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('account_roles', (t) => {
    t.integer('account_id').unsigned().notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('role', 32).notNullable();
    t.primary(['account_id', 'role']);
  });

  await knex.schema.createTable('account_tokens', (t) => {
    t.increments('id').primary();
    t.integer('account_id').unsigned().notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('purpose', 32).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('used_at');
    t.bigInteger('created_at').notNullable();
    t.index(['account_id', 'purpose']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_tokens');
  await knex.schema.dropTableIfExists('account_roles');
  await knex.schema.dropTableIfExists('accounts');
}
