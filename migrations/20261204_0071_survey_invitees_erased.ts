import type { Knex } from 'knex';

// Closing a survey erases its invitees in batches after the close commits; this records when the
// erasure finished, so the survey sweep finds an erasure cut short without scanning invitations.
// Surveys closed before this migration were erased inside their close.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('surveys', (t) => {
    t.bigInteger('invitees_erased_at');
  });
  await knex('surveys').where({ status: 'closed' }).update({ invitees_erased_at: knex.raw('coalesce(closed_at, 0)') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('surveys', (t) => {
    t.dropColumn('invitees_erased_at');
  });
}
