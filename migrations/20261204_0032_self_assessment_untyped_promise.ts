import type { Knex } from 'knex';

// The shipped Working Group Self-Assessment told respondents, in a section description, that staff
// blocks reach managers "only as totals": a promise typed beside the setting that decides it. The
// answering pages now state it from the survey's setting, so a new version of the template drops the
// typed sentence. Surveys already sent keep their version (which matches the 'totals' they have).
const CODE = 'wg-self-assessment';
const TYPED = 'The support given by this staff member. Your answers are anonymous and reach their people manager only as totals.';
const UNTYPED = 'The support given by this staff member.';

interface Definition {
  sections: Array<{ description?: string }>;
}

/** The shipped template's versions, latest first. */
async function versions(knex: Knex): Promise<Array<{ id: number; templateId: number; version: number; definition: Definition }>> {
  const rows = await knex('survey_template_versions as v')
    .join('survey_templates as t', 't.id', 'v.template_id')
    .where('t.code', CODE)
    .select('v.id', 'v.template_id', 'v.version', 'v.definition')
    .orderBy('v.version', 'desc')
    .limit(2);
  return rows.map((row) => ({
    id: Number(row.id),
    templateId: Number(row.template_id),
    version: Number(row.version),
    definition: (typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition) as Definition,
  }));
}

const describes = (definition: Definition | undefined, text: string) => !!definition?.sections.some((s) => s.description === text);

export async function up(knex: Knex): Promise<void> {
  const [latest] = await versions(knex);
  if (!latest || !describes(latest.definition, TYPED)) return;
  const definition = { ...latest.definition, sections: latest.definition.sections.map((s) => (s.description === TYPED ? { ...s, description: UNTYPED } : s)) };
  await knex('survey_template_versions').insert({ template_id: latest.templateId, version: latest.version + 1, definition: JSON.stringify(definition), created_by_account_id: null, created_at: Date.now() });
}

export async function down(knex: Knex): Promise<void> {
  const [latest, previous] = await versions(knex);
  // Only the version up wrote (the one after a typed promise), and only while no survey uses it.
  if (!latest || !describes(latest.definition, UNTYPED) || !describes(previous?.definition, TYPED)) return;
  if (await knex('surveys').where({ template_version_id: latest.id }).first()) return;
  await knex('survey_template_versions').where({ id: latest.id }).delete();
}
