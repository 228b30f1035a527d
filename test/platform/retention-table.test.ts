import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/platform/paths';
import { createTestDatabase, testDialect } from '../helpers/database';
import { readSchema } from '../helpers/schema';

/**
 * Tables that hold nothing about a person beyond ids of rows the README already covers: settings,
 * catalogues, and the bookkeeping of steps taken. A new table is either listed here or given a row
 * in the README's retention table.
 */
const NO_PERSONAL_DATA = [
  'behaviour_dimensions',
  'calendar_holidays',
  'complaint_escalations',
  'departments',
  'escalation_steps',
  'organisation_settings',
  'published_figures',
  'reference_versions',
  'review_cycles',
  'routed_item_escalations',
  'routed_item_pauses',
  'routing_rules',
  'service_calendars',
  'service_level_targets',
  'services',
  'survey_reminders',
  'survey_staff',
  'survey_staff_reports',
  'survey_template_versions',
  'survey_templates',
  'surveys',
  'trend_figures',
  'working_group_staff',
  'working_groups',
];

/** The tables the README's "Data retention" table names, in backticks. */
function tablesWithStatedRetention(): Set<string> {
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## Data retention');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('|'));
  return new Set(rows.flatMap((row) => [...(row.split('|')[2] ?? '').matchAll(/`([a-z_]+)/g)].map((m) => m[1]!)));
}

describe(`every table of the migrated schema has a stated retention (${testDialect})`, () => {
  it('when the database is migrated, then each table is in the README retention table or holds no personal data', async () => {
    const database = await createTestDatabase();
    try {
      const tables = Object.keys(await readSchema(database.db)).sort();
      const stated = tablesWithStatedRetention();
      expect(tables.filter((t) => !stated.has(t) && !NO_PERSONAL_DATA.includes(t))).toEqual([]);
      // The exemptions are tables that exist and that the README does not claim to keep.
      expect(NO_PERSONAL_DATA.filter((t) => !tables.includes(t) || stated.has(t))).toEqual([]);
    } finally {
      await database.destroy();
    }
  });
});
