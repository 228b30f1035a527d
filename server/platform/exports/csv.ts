import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { sheetRecords, type ExportSheet } from './sheet';

/**
 * Writes one sheet as CSV and ends the output. pipeline carries backpressure from the output
 * back to the row source, and destroys the output if anything fails so a partial file is not
 * mistaken for a whole one.
 */
export async function writeCsv(sheet: ExportSheet, output: Writable): Promise<void> {
  // The BOM makes Excel read the file as UTF-8 rather than the local code page.
  await pipeline(Readable.from(sheetRecords(sheet)), stringify({ bom: true }), output);
}
