import { migrationSource } from '../../migrations';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(() => database.destroy());

  const tables = ['app_secrets', 'sessions', 'rate_limits', 'outbox_messages', 'audit_events', 'departments', 'staff_members', 'accounts', 'account_roles', 'account_tokens', 'feedback_items', 'feedback_identities', 'routed_items', 'routed_item_events', 'routing_rules', 'services', 'service_level_targets', 'routed_item_pauses', 'complaints', 'working_groups', 'working_group_members', 'working_group_staff', 'survey_templates', 'survey_template_versions', 'surveys', 'survey_staff', 'survey_invitations', 'survey_reminders', 'survey_responses', 'survey_staff_reports', 'survey_audience_addresses', 'review_cycles', 'packet_reviews', 'packet_flags', 'solicitation_requests', 'export_jobs', 'export_chunks'];

  it('when run up, down and up again, then every table exists exactly when it should', async () => {
    const { knex } = database.db;
    await database.db.migrateLatest();
    for (const table of tables) expect(await knex.schema.hasTable(table)).toBe(true);
    const all = await migrationSource.getMigrations([]);

    await database.db.rollbackAll();
    for (const table of tables) expect(await knex.schema.hasTable(table)).toBe(false);

    await database.db.migrateLatest();
    for (const table of tables) expect(await knex.schema.hasTable(table)).toBe(true);
    const [completed, pending] = await knex.migrate.list({ migrationSource });
    expect(completed).toHaveLength(all.length);
    expect(pending).toHaveLength(0);
  });
});
