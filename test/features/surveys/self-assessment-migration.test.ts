import { migrationSource } from '../../../migrations';
import * as untypedPromise from '../../../migrations/20261204_0032_self_assessment_untyped_promise';
import { SELF_ASSESSMENT_CODE, SELF_ASSESSMENT_DEFINITION } from '../../../server/features/surveys/default-template';
import { createTestDatabase, testDialect, type TestDatabase } from '../../helpers/database';

const TYPED = 'The support given by this staff member. Your answers are anonymous and reach their people manager only as totals.';

describe(`the shipped template's typed promise goes in a new version (${testDialect})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.destroy());

  const versions = async () =>
    (await database.db.knex('survey_template_versions as v').join('survey_templates as t', 't.id', 'v.template_id').where('t.code', SELF_ASSESSMENT_CODE).select('v.version', 'v.definition').orderBy('v.version')).map((r) => ({
      version: Number(r.version),
      descriptions: (JSON.parse(typeof r.definition === 'string' ? r.definition : JSON.stringify(r.definition)) as { sections: Array<{ description: string }> }).sections.map((s) => s.description),
    }));

  it('when a database holds the version with the typed sentence, then up adds one without it, down takes that back, and a new database is left alone', async () => {
    expect((await migrationSource.getMigrations([])).map(([name]) => name)).toContain('20261204_0032_self_assessment_untyped_promise');
    const { knex } = database.db;
    // As an earlier release stored it: the shipped definition with the typed sentence.
    const typed = { ...SELF_ASSESSMENT_DEFINITION, sections: SELF_ASSESSMENT_DEFINITION.sections.map((s) => (s.perStaff ? { ...s, description: TYPED } : s)) };
    const [templateId] = await knex('survey_templates').insert({ code: SELF_ASSESSMENT_CODE, name: 'Working Group Self-Assessment', description: '', archived: false, created_at: 0 });
    await knex('survey_template_versions').insert({ template_id: Number(templateId), version: 1, definition: JSON.stringify(typed), created_by_account_id: null, created_at: 0 });

    await untypedPromise.up(knex);
    const after = await versions();
    expect(after.map((v) => v.version)).toEqual([1, 2]);
    expect(after[0]!.descriptions).toContain(TYPED);
    expect(after[1]!.descriptions).not.toContain(TYPED);
    expect(after[1]!.descriptions).toEqual(SELF_ASSESSMENT_DEFINITION.sections.map((s) => s.description));
    await untypedPromise.up(knex);
    expect(await versions()).toHaveLength(2);

    await untypedPromise.down(knex);
    expect((await versions()).map((v) => v.version)).toEqual([1]);
    // Down again, or on a database that never had the typed sentence: nothing to take back.
    await knex('survey_template_versions').where({ template_id: Number(templateId) }).update({ definition: JSON.stringify(SELF_ASSESSMENT_DEFINITION) });
    await untypedPromise.down(knex);
    await untypedPromise.up(knex);
    expect((await versions()).map((v) => v.version)).toEqual([1]);
  });
});
