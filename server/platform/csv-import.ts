import { parse } from 'csv-parse/sync';

export interface CsvRecord {
  readonly record: Record<string, string>;
  /** The file line the record ends on (a quoted value may span lines). */
  readonly line: number;
}

/**
 * Reads an uploaded CSV whose first line names the columns (trimmed, lower-cased). An unreadable
 * file comes back as the line where reading stopped, for the caller's own message.
 */
export function readCsv(csv: string): { header: string[]; records: CsvRecord[] } | { unreadableAt: number } {
  try {
    const records = parse(csv, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: false,
    }) as unknown as Array<{ record: Record<string, string>; info: { lines: number } }>;
    const [first] = parse(csv, { bom: true, to_line: 1, trim: true, relax_column_count: true }) as string[][];
    const header = (first ?? []).map((h) => h.toLowerCase());
    // A column named twice would quietly take the last value: refuse the file instead.
    if (new Set(header).size !== header.length) return { unreadableAt: 1 };
    return { header, records: records.map((r) => ({ record: r.record, line: r.info.lines })) };
  } catch (err) {
    return { unreadableAt: Number((err as { lines?: number }).lines ?? 1) };
  }
}
