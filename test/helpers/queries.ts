import type { Knex } from 'knex';

/** The SQL statements `work` runs through `knex` (counted, never timed), and their bindings. */
export async function statementsOf<T>(knex: Knex, work: () => Promise<T>): Promise<{ result: T; statements: string[]; bindings: Knex.RawBinding[][] }> {
  const statements: string[] = [];
  const bindings: Knex.RawBinding[][] = [];
  const listener = (query: { sql: string; bindings?: Knex.RawBinding[] }) => {
    statements.push(query.sql);
    bindings.push(query.bindings ?? []);
  };
  knex.on('query', listener);
  try {
    return { result: await work(), statements, bindings };
  } finally {
    knex.off('query', listener);
  }
}
