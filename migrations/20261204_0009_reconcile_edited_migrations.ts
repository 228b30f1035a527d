import type { Knex } from 'knex';
import { randomCode } from '../server/platform/random-codes';

// Migrations 0001–0008 were edited in place after they had been merged (before checksums.json made
// that fail), so a database created before an edit silently lacks what the edit added. Each step
// below looks for one such edit's mark and, only where it is missing, brings the database to what
// the edited file now creates; on a database created from today's files every step finds nothing to do.
//
// Not run in a transaction: SQLite can switch foreign keys off only outside one, and rebuilding a
// table that others reference needs that (dropping the old copy would otherwise cascade into them).
// Every step is idempotent, so a run that stopped halfway is finished by the next.
export const config = { transaction: false };

type Step = (knex: Knex, mysql: boolean) => Promise<void>;

const isMysql = (knex: Knex) => knex.client.config.client === 'mysql2';

// b9a607c: the database's default character set (tables already got utf8mb4 from the connection).
const utf8mb4Database: Step = async (knex, mysql) => {
  if (mysql) await knex.raw('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
};

/** Adds a NOT NULL column to a table with rows: nullable first, filled row by row, then made NOT NULL. */
async function addRequiredColumn(knex: Knex, table: string, column: string, add: (t: Knex.CreateTableBuilder) => Knex.ColumnBuilder, fill: (row: Record<string, unknown>) => unknown, extra?: (t: Knex.CreateTableBuilder) => void) {
  if (await knex.schema.hasColumn(table, column)) return;
  await knex.schema.alterTable(table, (t) => void add(t).nullable());
  const key = table === 'feedback_ratings' ? ['feedback_item_id', 'dimension_id'] : ['id'];
  for (const row of await knex(table).select('*')) {
    await knex(table).where(Object.fromEntries(key.map((k) => [k, row[k]]))).update({ [column]: fill(row) });
  }
  await knex.schema.alterTable(table, (t) => {
    add(t).notNullable().alter();
    extra?.(t);
  });
}

// a6fec06: random references and inbox ids (never sequence numbers), and the time an item becomes visible.
const randomReferences: Step = async (knex) => {
  await addRequiredColumn(knex, 'feedback_items', 'reference', (t) => t.string('reference', 20), (r) => `F-${new Date(Number(r.created_at)).getUTCFullYear()}-${randomCode(8)}`, (t) => t.unique(['reference']));
  await addRequiredColumn(knex, 'routed_items', 'public_id', (t) => t.string('public_id', 16), () => randomCode(12), (t) => t.unique(['public_id']));
  // Items routed before the held-back notifications were visible at once.
  await addRequiredColumn(knex, 'routed_items', 'visible_at', (t) => t.bigInteger('visible_at'), (r) => r.received_at);
};

// b87298c: a rating keeps the label its dimension had; for older ratings the current label is the best there is.
const ratingLabels: Step = async (knex) => {
  if (await knex.schema.hasColumn('feedback_ratings', 'label')) return;
  const labels = new Map((await knex('behaviour_dimensions').select('id', 'label')).map((d) => [Number(d.id), String(d.label)]));
  await addRequiredColumn(knex, 'feedback_ratings', 'label', (t) => t.string('label', 120), (r) => labels.get(Number(r.dimension_id)) ?? '');
};

// 39b6cd0: the escalation ladder, its claims on routed items and the steps taken. The tables are
// restated as 0005 and 0006 create them today: a merged migration is frozen and exports nothing else.
const escalationLadder: Step = async (knex) => {
  if (!(await knex.schema.hasColumn('routed_items', 'escalation_swept_at'))) {
    await knex.schema.alterTable('routed_items', (t) => {
      t.string('claim_token', 64);
      t.bigInteger('claimed_until');
      t.bigInteger('escalation_swept_at');
    });
  }
  if (!(await knex.schema.hasTable('escalation_steps'))) {
    await knex.schema.createTable('escalation_steps', (t) => {
      t.increments('id').primary();
      t.integer('service_id').unsigned().notNullable().references('id').inTable('services').onDelete('CASCADE');
      t.integer('position').notNullable();
      t.string('due', 16).notNullable();
      t.integer('offset_minutes').notNullable();
      t.string('target', 32).notNullable();
    });
    // The ladder 0005 gives each service.
    for (const { id, code } of await knex('services').select('id', 'code')) {
      const ladder: Array<[string, number, string]> =
        code === 'complaints'
          ? [['acknowledge', -240, 'recipient'], ['respond', 0, 'complaints_officer']]
          : [['acknowledge', -240, 'recipient'], ['acknowledge', 0, 'recipient_manager'], ['respond', -240, 'recipient'], ['respond', 1440, 'executive']];
      await knex('escalation_steps').insert(ladder.map(([due, offset_minutes, target], i) => ({ service_id: Number(id), position: i + 1, due, offset_minutes, target })));
    }
  }
  if (!(await knex.schema.hasTable('routed_item_escalations'))) {
    await knex.schema.createTable('routed_item_escalations', (t) => {
      t.integer('routed_item_id').unsigned().notNullable().references('id').inTable('routed_items').onDelete('CASCADE');
      t.integer('escalation_step_id').unsigned().notNullable().references('id').inTable('escalation_steps').onDelete('CASCADE');
      t.bigInteger('taken_at').notNullable();
      t.primary(['routed_item_id', 'escalation_step_id']);
    });
  }
};

// 38ed88b: escalation steps taken for complaints.
const complaintEscalations: Step = async (knex) => {
  if (await knex.schema.hasTable('complaint_escalations')) return;
  await knex.schema.createTable('complaint_escalations', (t) => {
    t.integer('complaint_id').unsigned().notNullable().references('id').inTable('complaints').onDelete('CASCADE');
    t.integer('escalation_step_id').unsigned().notNullable().references('id').inTable('escalation_steps').onDelete('CASCADE');
    t.bigInteger('taken_at').notNullable();
    t.primary(['complaint_id', 'escalation_step_id']);
  });
};

/** The declared type of a column, as the database reports it (e.g. varchar(254)). */
async function declaredType(knex: Knex, mysql: boolean, table: string, column: string): Promise<string | undefined> {
  if (mysql) {
    const [rows] = await knex.raw('SELECT COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [table, column]);
    return rows[0]?.type;
  }
  const columns: Array<{ name: string; type: string }> = await knex.raw(`PRAGMA table_info(\`${table}\`)`);
  return columns.find((c) => c.name === column)?.type.toLowerCase();
}

// 986f7e3: room for the longest addresses (320), and invitations keep their link's secret sealed.
const surveyAddresses: Step = async (knex, mysql) => {
  for (const [table, required] of [['working_group_members', true], ['survey_audience_addresses', true], ['survey_invitations', false]] as const) {
    if ((await declaredType(knex, mysql, table, 'email')) !== 'varchar(254)') continue;
    await knex.schema.alterTable(table, (t) => {
      const email = t.string('email', 320);
      (required ? email.notNullable() : email.nullable()).alter();
    });
  }
  if (await knex.schema.hasColumn('survey_invitations', 'token_sealed')) return;
  // An invitation made before has no sealed copy of its link: empty, as after a survey closes, and
  // counted as reminded already, since a reminder could not repeat the link.
  await addRequiredColumn(knex, 'survey_invitations', 'token_sealed', (t) => t.string('token_sealed', 200), () => '');
  await knex('survey_invitations')
    .whereNotNull('email')
    .update({ reminders_sent: knex('survey_reminders').max('sequence').where('survey_reminders.survey_id', knex.ref('survey_invitations.survey_id')) });
};

// 2dc9776: on SQLite, responses in a WITHOUT ROWID table, so no hidden counter keeps their arrival order.
const responsesWithoutRowid: Step = async (knex, mysql) => {
  if (mysql) return;
  const table = await knex('sqlite_master').select('sql').where({ type: 'table', name: 'survey_responses' }).first();
  if (/WITHOUT\s+ROWID\s*$/i.test(table.sql)) return;
  await knex.transaction(async (trx) => {
    await trx.raw(
      'CREATE TABLE survey_responses_without_rowid (id varchar(32) NOT NULL PRIMARY KEY, survey_id integer NOT NULL REFERENCES surveys (id) ON DELETE CASCADE, submitted_on varchar(10) NOT NULL, answers text NOT NULL) WITHOUT ROWID',
    );
    // Into the new table in key order, the only order the new table knows.
    await trx.raw('INSERT INTO survey_responses_without_rowid (id, survey_id, submitted_on, answers) SELECT id, survey_id, submitted_on, answers FROM survey_responses ORDER BY id');
    await trx.raw('DROP TABLE survey_responses');
    await trx.raw('ALTER TABLE survey_responses_without_rowid RENAME TO survey_responses');
    await trx.raw('CREATE INDEX survey_responses_survey_id_index ON survey_responses (survey_id)');
  });
};

// f7a5e8a: an export remembers its HR requester's own staff record, to leave their packet out.
const exportRequester: Step = async (knex) => {
  if (await knex.schema.hasColumn('export_jobs', 'requester_staff_member_id')) return;
  await knex.schema.alterTable('export_jobs', (t) => {
    t.integer('requester_staff_member_id').unsigned().references('id').inTable('staff_members').onDelete('SET NULL');
  });
  // Older exports were built with everyone's packet; the field only matters while a job is pending.
  const pending = await knex('export_jobs').select('id', 'requested_by_account_id').whereIn('status', ['pending', 'running']);
  for (const job of pending) {
    const account = await knex('accounts').select('staff_member_id').where({ id: job.requested_by_account_id }).first();
    if (account?.staff_member_id) await knex('export_jobs').where({ id: job.id }).update({ requester_staff_member_id: account.staff_member_id });
  }
};

export const STEPS: Step[] = [utf8mb4Database, randomReferences, ratingLabels, escalationLadder, complaintEscalations, surveyAddresses, responsesWithoutRowid, exportRequester];

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  if (!mysql) await knex.raw('PRAGMA foreign_keys = OFF');
  try {
    for (const step of STEPS) await step(knex, mysql);
  } finally {
    if (!mysql) await knex.raw('PRAGMA foreign_keys = ON');
  }
  if (!mysql) {
    const broken = await knex.raw('PRAGMA foreign_key_check');
    if (broken.length > 0) throw new Error(`reconciling left ${broken.length} rows whose foreign keys point nowhere`);
  }
}

// Nothing to undo: the steps only add what 0001–0008 describe today, and rolling those back removes it.
export async function down(): Promise<void> {}
