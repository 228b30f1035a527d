import type { Knex } from 'knex';

// What a support staff member's people manager receives from a survey's block about them:
// 'totals' (figures only) or 'totals_and_comments' (the comments too, when enough people wrote
// them). Respondents are told exactly this, generated from the same column. Existing surveys get the
// safer 'totals', which is also what their respondents were told.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('surveys', (t) => {
    t.string('staff_report_content', 24).notNullable().defaultTo('totals');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('surveys', (t) => {
    t.dropColumn('staff_report_content');
  });
}
