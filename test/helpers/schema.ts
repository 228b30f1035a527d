import type { Database } from '../../server/platform/db';

/**
 * A database's schema in a form two databases can be compared by: per table its columns (type,
 * nullability, default), indexes and unique keys (by columns), foreign keys and table options.
 * Columns are keyed by name, not position, since a column added later sits last without changing
 * anything the application reads. knex's own bookkeeping tables are left out.
 */
export type Schema = Record<string, { options: Record<string, unknown>; columns: Record<string, Record<string, unknown>>; indexes: string[]; foreignKeys: string[] }>;

export async function readSchema(db: Database): Promise<Schema> {
  return sorted(db.dialect === 'mysql' ? await readMysql(db) : await readSqlite(db));
}

async function readSqlite({ knex }: Database): Promise<Schema> {
  const schema: Schema = {};
  const tables: Array<{ name: string; sql: string }> = await knex('sqlite_master').select('name', 'sql').where({ type: 'table' }).andWhereNot('name', 'like', 'sqlite_%').andWhereNot('name', 'like', 'knex_%');
  for (const { name, sql } of tables) {
    const columns: Schema[string]['columns'] = {};
    for (const c of await knex.raw(`PRAGMA table_xinfo(\`${name}\`)`)) {
      columns[c.name] = { type: String(c.type).toLowerCase(), nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value, primaryKey: c.pk };
    }
    const indexes: string[] = [];
    for (const index of await knex.raw(`PRAGMA index_list(\`${name}\`)`)) {
      const cols = (await knex.raw(`PRAGMA index_info(\`${index.name}\`)`)).map((c: { name: string }) => c.name).join(', ');
      // Indexes SQLite makes for PRIMARY KEY and UNIQUE are named by their position: leave the name out.
      const label = index.origin === 'c' ? index.name : { pk: 'primary key', u: 'unique constraint' }[index.origin as 'pk' | 'u'];
      indexes.push(`${label} (${cols})${index.unique ? ' unique' : ''}`);
    }
    const keys = new Map<number, Array<{ table: string; from: string; to: string; on_update: string; on_delete: string }>>();
    for (const fk of await knex.raw(`PRAGMA foreign_key_list(\`${name}\`)`)) keys.set(fk.id, [...(keys.get(fk.id) ?? []), fk]);
    const foreignKeys = [...keys.values()].map((parts) => `(${parts.map((p) => p.from).join(', ')}) references ${parts[0]!.table} (${parts.map((p) => p.to).join(', ')}) on update ${parts[0]!.on_update} on delete ${parts[0]!.on_delete}`);
    schema[name] = { options: { withoutRowid: /\)\s*WITHOUT\s+ROWID\s*$/i.test(sql) }, columns, indexes, foreignKeys };
  }
  return schema;
}

async function readMysql({ knex, name: database }: Database): Promise<Schema> {
  const schema: Schema = {};
  const info = (table: string) => knex(`information_schema.${table}`).where({ TABLE_SCHEMA: database }).andWhereNot('TABLE_NAME', 'like', 'knex\\_%');
  for (const t of await info('TABLES').select('TABLE_NAME', 'ENGINE', 'TABLE_COLLATION').where({ TABLE_TYPE: 'BASE TABLE' })) {
    schema[t.TABLE_NAME] = { options: { engine: t.ENGINE, collation: t.TABLE_COLLATION }, columns: {}, indexes: [], foreignKeys: [] };
  }
  for (const c of await info('COLUMNS').select('TABLE_NAME', 'COLUMN_NAME', 'COLUMN_TYPE', 'IS_NULLABLE', 'COLUMN_DEFAULT', 'EXTRA', 'COLLATION_NAME')) {
    schema[c.TABLE_NAME]!.columns[c.COLUMN_NAME] = { type: c.COLUMN_TYPE, nullable: c.IS_NULLABLE === 'YES', default: c.COLUMN_DEFAULT, extra: c.EXTRA, collation: c.COLLATION_NAME };
  }
  const indexes = new Map<string, { table: string; unique: boolean; columns: string[] }>();
  for (const s of await info('STATISTICS').select('TABLE_NAME', 'INDEX_NAME', 'NON_UNIQUE', 'COLUMN_NAME').orderBy(['TABLE_NAME', 'INDEX_NAME', 'SEQ_IN_INDEX'])) {
    const key = `${s.TABLE_NAME}.${s.INDEX_NAME}`;
    const index = indexes.get(key) ?? { table: String(s.TABLE_NAME), unique: Number(s.NON_UNIQUE) === 0, columns: [] as string[] };
    index.columns.push(s.COLUMN_NAME);
    indexes.set(key, index);
  }
  for (const [key, index] of indexes) schema[index.table]!.indexes.push(`${key.slice(index.table.length + 1)} (${index.columns.join(', ')})${index.unique ? ' unique' : ''}`);
  const rules = new Map<string, { UPDATE_RULE: string; DELETE_RULE: string }>();
  for (const r of await knex('information_schema.REFERENTIAL_CONSTRAINTS').select('CONSTRAINT_NAME', 'UPDATE_RULE', 'DELETE_RULE').where({ CONSTRAINT_SCHEMA: database })) rules.set(r.CONSTRAINT_NAME, r);
  const keys = new Map<string, Array<{ TABLE_NAME: string; COLUMN_NAME: string; REFERENCED_TABLE_NAME: string; REFERENCED_COLUMN_NAME: string }>>();
  for (const k of await info('KEY_COLUMN_USAGE').select('TABLE_NAME', 'CONSTRAINT_NAME', 'COLUMN_NAME', 'REFERENCED_TABLE_NAME', 'REFERENCED_COLUMN_NAME').whereNotNull('REFERENCED_TABLE_NAME').orderBy(['TABLE_NAME', 'CONSTRAINT_NAME', 'ORDINAL_POSITION'])) {
    keys.set(k.CONSTRAINT_NAME, [...(keys.get(k.CONSTRAINT_NAME) ?? []), k]);
  }
  for (const [constraint, parts] of keys) {
    const rule = rules.get(constraint)!;
    schema[parts[0]!.TABLE_NAME]!.foreignKeys.push(`${constraint}: (${parts.map((p) => p.COLUMN_NAME).join(', ')}) references ${parts[0]!.REFERENCED_TABLE_NAME} (${parts.map((p) => p.REFERENCED_COLUMN_NAME).join(', ')}) on update ${rule.UPDATE_RULE} on delete ${rule.DELETE_RULE}`);
  }
  return schema;
}

/** Keys and lists in a stable order, so the JSON of two equal schemas is equal text. */
function sorted(schema: Schema): Schema {
  const byKey = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return byKey(Object.fromEntries(Object.entries(schema).map(([t, s]) => [t, { options: s.options, columns: byKey(s.columns), indexes: [...s.indexes].sort(), foreignKeys: [...s.foreignKeys].sort() }])));
}

/** One line per difference between two schemas, naming the table and what differs; empty when equal. */
export function schemaDifferences(expected: Schema, actual: Schema): string[] {
  const lines: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const table of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = expected[table];
    const a = actual[table];
    if (!e || !a) {
      lines.push(`${table}: table ${e ? 'missing' : 'not in the snapshot'}`);
      continue;
    }
    if (!same(e.options, a.options)) lines.push(`${table}: options ${JSON.stringify(e.options)} became ${JSON.stringify(a.options)}`);
    for (const column of new Set([...Object.keys(e.columns), ...Object.keys(a.columns)])) {
      if (!same(e.columns[column], a.columns[column])) lines.push(`${table}.${column}: ${JSON.stringify(e.columns[column] ?? null)} became ${JSON.stringify(a.columns[column] ?? null)}`);
    }
    for (const kind of ['indexes', 'foreignKeys'] as const) {
      for (const x of e[kind].filter((i) => !a[kind].includes(i))) lines.push(`${table}: ${kind} lost ${x}`);
      for (const x of a[kind].filter((i) => !e[kind].includes(i))) lines.push(`${table}: ${kind} gained ${x}`);
    }
  }
  return lines;
}
