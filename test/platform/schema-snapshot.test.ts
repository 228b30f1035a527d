import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/platform/paths';
import { createTestDatabase } from '../helpers/database';
import { readSchema, schemaDifferences, type Schema } from '../helpers/schema';

// `npm run schema:snapshot` runs this file with SCHEMA_SNAPSHOT=update: it writes both snapshots
// (the MySQL one from the server at MYSQL_TEST_URL) instead of comparing.
const updating = process.env.SCHEMA_SNAPSHOT === 'update';
const snapshotFile = (dialect: string) => path.join(projectRoot, 'test', 'platform', `schema-snapshot.${dialect}.json`);
const REGENERATE = 'if the change is intended, run `MYSQL_TEST_URL=mysql://root@127.0.0.1:3306/ npm run schema:snapshot` and commit both snapshots';

/** The schema of a freshly migrated database of that dialect. */
async function migratedSchema(dialect: 'sqlite' | 'mysql', change?: (db: Awaited<ReturnType<typeof createTestDatabase>>['db']) => Promise<void>): Promise<Schema> {
  const database = await createTestDatabase({ dialect });
  try {
    await change?.(database.db);
    return await readSchema(database.db);
  } finally {
    await database.destroy();
  }
}

// SQLite always; MySQL when a server is given (as `npm run test:mysql` and CI do), and always when updating.
const dialects = ['sqlite', ...(process.env.MYSQL_TEST_URL || updating ? ['mysql' as const] : [])] as const;

describe.each(dialects)('the migrated schema on %s', (dialect) => {
  if (updating) {
    it('is written to its snapshot', async () => {
      // One line per column, so a change reads as one changed line in a diff.
      const text = JSON.stringify(await migratedSchema(dialect), null, 2).replace(/\{\n\s+("type"[^{}]*?)\n\s+\}/g, (_m, inner: string) => `{ ${inner.replace(/\n\s+/g, ' ')} }`);
      fs.writeFileSync(snapshotFile(dialect), `${text}\n`);
    });
    return;
  }

  const snapshot = () => JSON.parse(fs.readFileSync(snapshotFile(dialect), 'utf8')) as Schema;

  it('when a fresh database is migrated, then its schema is the committed snapshot', async () => {
    const differences = schemaDifferences(snapshot(), await migratedSchema(dialect));
    expect({ differences, hint: differences.length ? REGENERATE : undefined }).toEqual({ differences: [], hint: undefined });
  });

  it('when a migration changes the schema, then the comparison names what changed', async () => {
    const changed = await migratedSchema(dialect, async ({ knex }) => {
      await knex.schema.alterTable('export_jobs', (t) => {
        t.bigInteger('expires_at');
        t.index(['finished_at']);
      });
      await knex.schema.alterTable('outbox_messages', (t) => t.string('template', 100).notNullable().alter());
    });
    const differences = schemaDifferences(snapshot(), changed);
    expect(differences).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^export_jobs\.expires_at: null became /),
        expect.stringMatching(/^export_jobs: indexes gained export_jobs_finished_at_index \(finished_at\)/),
        expect.stringMatching(/^outbox_messages\.template: .*64.* became .*100/),
      ]),
    );
  });
});
