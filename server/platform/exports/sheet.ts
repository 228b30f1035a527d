/** One cell as the domain hands it over: numbers stay numbers, null is an empty cell. */
export type ExportCell = string | number | null;

export type ExportRow = Readonly<Record<string, ExportCell | undefined>>;

export interface ExportColumn {
  key: string;
  header: string;
}

/**
 * A table to export. Rows may be an async iterable (a database stream) so that large exports
 * are written as they are read and never held in memory whole.
 */
export interface ExportSheet {
  name: string;
  columns: readonly ExportColumn[];
  rows: AsyncIterable<ExportRow> | Iterable<ExportRow>;
}

// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/** A cell made safe to open in a spreadsheet: dangerous text gets a leading quote, numbers stay numbers. */
export function neutraliseCell(value: ExportCell | undefined): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  return FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
}

/** The header row and then each row, in column order, every cell neutralised. */
export async function* sheetRecords(sheet: ExportSheet): AsyncGenerator<Array<string | number>> {
  yield sheet.columns.map((column) => neutraliseCell(column.header));
  for await (const row of sheet.rows) {
    yield sheet.columns.map((column) => neutraliseCell(row[column.key]));
  }
}
