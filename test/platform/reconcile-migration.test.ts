import type { Knex } from 'knex';
import * as reconcile from '../../migrations/20261204_0009_reconcile_edited_migrations';
import { migrationSource } from '../../migrations';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/database';
import { readSchema, schemaDifferences, type Schema } from '../helpers/schema';
import { factories } from '../factories';

const mysql = testDialect === 'mysql';
const RECONCILE = '20261204_0009_reconcile_edited_migrations';

/**
 * Takes a database migrated from today's files back to the shape a database created before the
 * in-place edits of 0004–0008 has (each undo names the edit's commit), with rows in the old shape.
 */
async function undoEdits(knex: Knex): Promise<void> {
  // f7a5e8a
  await knex.schema.alterTable('export_jobs', (t) => {
    t.dropForeign(['requester_staff_member_id']);
    t.dropColumn('requester_staff_member_id');
  });
  // 2dc9776: an ordinary (rowid) table on SQLite, as 986f7e3 created it.
  if (!mysql) {
    await knex.schema.dropTable('survey_responses');
    await knex.raw('CREATE TABLE survey_responses (id varchar(32) NOT NULL PRIMARY KEY, survey_id integer NOT NULL REFERENCES surveys (id) ON DELETE CASCADE, submitted_on varchar(10) NOT NULL, answers text NOT NULL)');
    await knex.raw('CREATE INDEX survey_responses_survey_id_index ON survey_responses (survey_id)');
  }
  // 986f7e3
  for (const [table, required] of [['working_group_members', true], ['survey_audience_addresses', true], ['survey_invitations', false]] as const) {
    await knex.schema.alterTable(table, (t) => {
      const email = t.string('email', 254);
      (required ? email.notNullable() : email.nullable()).alter();
    });
  }
  await knex.schema.alterTable('survey_invitations', (t) => t.dropColumn('token_sealed'));
  // 38ed88b, 39b6cd0
  for (const table of ['complaint_escalations', 'routed_item_escalations', 'escalation_steps']) await knex.schema.dropTable(table);
  await knex.schema.alterTable('routed_items', (t) => {
    t.dropColumn('claim_token');
    t.dropColumn('claimed_until');
    t.dropColumn('escalation_swept_at');
  });
  // b87298c, a6fec06
  await knex.schema.alterTable('feedback_ratings', (t) => t.dropColumn('label'));
  await knex.schema.alterTable('feedback_items', (t) => {
    t.dropUnique(['reference']);
    t.dropColumn('reference');
  });
  await knex.schema.alterTable('routed_items', (t) => {
    t.dropUnique(['public_id']);
    t.dropColumn('public_id');
    t.dropColumn('visible_at');
  });
}

describe('migration 0009 reconciles databases created before merged migrations were edited', () => {
  let database: TestDatabase;
  let today: Schema;
  beforeAll(async () => {
    // Migrated up to 0009 only: that is the shape it repairs to. Later migrations build on it (0087
    // re-indexes the inbox), and run after it on an old database as on a new one.
    database = await createTestDatabase({ migrate: false });
    const config = { migrationSource, tableName: 'knex_migrations' };
    while (!(await database.db.knex.migrate.list(config))[0].some((done: { name: string }) => done.name === RECONCILE)) await database.db.knex.migrate.up(config);
    today = await readSchema(database.db);
  });
  afterAll(() => database.destroy());
  const knex = () => database.db.knex;

  it('when the database is new, then running it again changes nothing', async () => {
    await reconcile.up(knex());
    expect(schemaDifferences(today, await readSchema(database.db))).toEqual([]);
  });

  it('when the database has the old shape with rows in it, then it gets today\'s shape and keeps every row', async () => {
    const make = factories(knex());
    const manager = await make.staffAccount({});
    const subject = await make.staff({ managerId: manager.staffMemberId });
    const hr = await make.staffAccount({ roles: ['hr'] });
    await undoEdits(knex());
    expect(schemaDifferences(today, await readSchema(database.db))).not.toEqual([]);

    const now = Date.parse('2026-11-22T10:00:00Z');
    const [itemId] = await knex()('feedback_items').insert({ staff_member_id: subject.id, kind: 'concern', attribution: 'anonymous', comment: 'Old item', submission_key_hash: 'k'.repeat(64), created_at: now });
    const dimension = await knex()('behaviour_dimensions').select('id', 'label').orderBy('id').first();
    await knex()('feedback_ratings').insert({ feedback_item_id: itemId, dimension_id: dimension.id, score: 4 });
    const [routedId] = await knex()('routed_items').insert({ feedback_item_id: itemId, recipient_staff_member_id: manager.staffMemberId, subject_staff_member_id: subject.id, status: 'received', received_at: now, updated_at: now });
    await knex()('routed_item_events').insert({ routed_item_id: routedId, type: 'received', actor: 'system', created_at: now });
    const [templateId] = await knex()('survey_templates').insert({ name: 'Old template', created_at: now });
    const [versionId] = await knex()('survey_template_versions').insert({ template_id: templateId, version: 1, definition: '{}', created_at: now });
    const [surveyId] = await knex()('surveys').insert({ title: 'Old survey', template_version_id: versionId, audience: 'list', minimum_group_size: 5, status: 'open', opens_at: now, closes_at: now + 86_400_000, created_at: now });
    await knex()('survey_invitations').insert({ survey_id: surveyId, token_hash: 'h'.repeat(64), email: 'invitee@example.test' });
    await knex()('survey_reminders').insert([1, 2].map((sequence) => ({ survey_id: surveyId, sequence, due_at: now + sequence * 3_600_000 })));
    const responseIds = ['zz', 'aa', 'mm'].map((p) => p.padEnd(32, '0'));
    for (const id of responseIds) await knex()('survey_responses').insert({ id, survey_id: surveyId, submitted_on: '2026-11-22', answers: '{}' });
    const [cycleId] = await knex()('review_cycles').insert({ code: '2026-H2', starts_on: '2026-07-01', ends_on: '2026-12-31', review_opens_on: '2027-01-01', review_closes_on: '2027-01-31', status: 'open', guidance: '', created_at: now, updated_at: now });
    const [jobId] = await knex()('export_jobs').insert({ kind: 'cycle_packets', cycle_id: cycleId, format: 'csv', requested_by_account_id: hr.id, status: 'pending', filename: 'packets', created_at: now });

    await reconcile.up(knex());
    expect(schemaDifferences(today, await readSchema(database.db))).toEqual([]);

    const item = await knex()('feedback_items').select('reference', 'comment').where({ id: itemId }).first();
    expect(item).toEqual({ reference: expect.stringMatching(/^F-2026-[0-9A-Z]{8}$/), comment: 'Old item' });
    expect(await knex()('feedback_ratings').select('label', 'score').where({ feedback_item_id: itemId })).toEqual([{ label: dimension.label, score: 4 }]);
    const routed = await knex()('routed_items').select('public_id', 'visible_at', 'received_at').where({ id: routedId }).first();
    expect(routed).toEqual({ public_id: expect.stringMatching(/^[0-9A-Z]{12}$/), visible_at: routed.received_at, received_at: routed.received_at });
    expect(await knex()('routed_item_events').where({ routed_item_id: routedId })).toHaveLength(1);
    expect(Number((await knex()('escalation_steps').count({ n: '*' }))[0]!.n)).toBeGreaterThan(0);
    // No reminder will try to open the missing sealed link.
    expect(await knex()('survey_invitations').select('email', 'token_sealed', 'reminders_sent').where({ survey_id: surveyId })).toEqual([{ email: 'invitee@example.test', token_sealed: '', reminders_sent: 2 }]);
    expect((await knex()('survey_responses').select('id').where({ survey_id: surveyId })).map((r) => r.id).sort()).toEqual([...responseIds].sort());
    expect(await knex()('export_jobs').select('requester_staff_member_id').where({ id: jobId }).first()).toEqual({ requester_staff_member_id: hr.staffMemberId });

    // Once reconciled, another run is a no-op.
    const references = await knex()('feedback_items').select('id', 'reference');
    await reconcile.up(knex());
    expect(schemaDifferences(today, await readSchema(database.db))).toEqual([]);
    expect(await knex()('feedback_items').select('id', 'reference')).toEqual(references);
  });

  if (!mysql) {
    it('when survey_responses was an ordinary SQLite table, then its rows no longer carry a rowid', async () => {
      const outcome = await knex()
        .raw('SELECT rowid FROM survey_responses')
        .then(
          () => 'answered',
          (err: Error) => err.message,
        );
      expect(outcome).toMatch(/no such column: rowid/);
    });
  }
});
