import type { Knex } from 'knex';

/** Reports how far a phase has come: the generator prints it, tests ignore it. */
export type Progress = (phase: string, done: number, total: number) => void;

// Rows per multi-row INSERT: well under SQLite's bound-variable limit for the widest table here.
const ROWS_PER_INSERT = 500;
// Rows per transaction: big enough to be fast, small enough that progress moves and SQLite's journal stays small.
const ROWS_PER_TRANSACTION = 10_000;

/**
 * Writes `total` generated things, `perTransaction` to a transaction, each batch made by `make`
 * (which returns the rows for each table, in insertion order, so referencing rows follow their parents).
 */
export async function insertInBatches(knex: Knex, phase: string, total: number, make: (from: number, to: number) => Array<[table: string, rows: object[]]>, progress: Progress, perTransaction = ROWS_PER_TRANSACTION): Promise<void> {
  for (let from = 0; from < total; from += perTransaction) {
    const to = Math.min(total, from + perTransaction);
    await knex.transaction(async (trx) => {
      for (const [table, rows] of make(from, to)) await insertRows(trx, table, rows);
    });
    progress(phase, to, total);
  }
}

export async function insertRows(db: Knex | Knex.Transaction, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await db(table).insert(rows.slice(i, i + ROWS_PER_INSERT));
}

/** The next free id of a table: the generator gives rows explicit ids so children can name their parents without reading back. */
export async function nextId(knex: Knex, table: string): Promise<number> {
  const row = await knex(table).max({ id: 'id' }).first();
  return Number(row?.id ?? 0) + 1;
}

/** A small seeded generator (mulberry32): the same scale gives the same shape of data, run after run. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
  };
}
export type SeededRandom = ReturnType<typeof seededRandom>;
