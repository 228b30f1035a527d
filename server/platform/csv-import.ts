import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

export interface CsvRecord {
  readonly record: Record<string, string>;
  /** The file line the record ends on (a quoted value may span lines). */
  readonly line: number;
}

/** Bytes parsed between two turns of the event loop: a large file never holds other requests up for long. */
const CHUNK_BYTES = 32 * 1024;

/** Lets waiting requests run; long CPU work (reading, checking a large file) calls it between slices. */
export const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads an uploaded CSV whose first line names the columns (trimmed, lower-cased). An unreadable
 * file comes back as the line where reading stopped, for the caller's own message. The file is
 * parsed a slice at a time, with other requests served between slices.
 */
export async function readCsv(csv: string): Promise<{ header: string[]; records: CsvRecord[] } | { unreadableAt: number }> {
  const records: CsvRecord[] = [];
  let failure: unknown;
  const parser = parse({
    bom: true,
    columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
    skip_empty_lines: true,
    trim: true,
    info: true,
    relax_column_count: false,
  });
  parser.on('readable', () => {
    let read: { record: Record<string, string>; info: { lines: number } } | null;
    while ((read = parser.read() as typeof read) !== null) records.push({ record: read.record, line: read.info.lines });
  });
  const ended = new Promise<void>((resolve) => {
    parser.once('end', resolve);
    parser.once('error', (err) => {
      failure = err;
      resolve();
    });
  });
  // Bytes, not characters: the parser joins a character split between two slices.
  const bytes = Buffer.from(csv, 'utf8');
  for (let at = 0; at < bytes.length && failure === undefined; at += CHUNK_BYTES) {
    parser.write(bytes.subarray(at, at + CHUNK_BYTES));
    await yieldToOthers();
  }
  if (failure === undefined) parser.end();
  await ended;
  if (failure !== undefined) return { unreadableAt: Number((failure as { lines?: number }).lines ?? 1) };
  try {
    const [first] = parseSync(csv, { bom: true, to_line: 1, trim: true, relax_column_count: true }) as string[][];
    const header = (first ?? []).map((h) => h.toLowerCase());
    // A column named twice would quietly take the last value: refuse the file instead.
    if (new Set(header).size !== header.length) return { unreadableAt: 1 };
    return { header, records };
  } catch (err) {
    return { unreadableAt: Number((err as { lines?: number }).lines ?? 1) };
  }
}
