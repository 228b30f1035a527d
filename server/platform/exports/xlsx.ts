import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { sheetRecords, type ExportSheet } from './sheet';

const MAX_SHEET_NAME = 31;
const ROWS_BETWEEN_TURNS = 1000;

/**
 * A worksheet name Excel accepts: none of []:*?/\, no leading or trailing apostrophe, not
 * blank, not the reserved "History", at most 31 characters. The streaming writer checks none
 * of this and would write a workbook Excel refuses to open.
 */
export function sanitiseSheetName(name: string): string {
  const cleaned = name
    .replace(/[\[\]:*?/\\\u0000-\u001f]/g, '-')
    .trim()
    .replace(/^'+|'+$/g, '');
  const short = truncate(cleaned, MAX_SHEET_NAME).trim();
  if (short === '') return 'Sheet';
  return short.toLowerCase() === 'history' ? `${short}-` : short;
}

/**
 * Writes each sheet as a worksheet and ends the output. Rows are committed as they come, so
 * only the row being written is held; numbers stay numeric cells, text is neutralised.
 */
export async function writeXlsx(sheets: readonly ExportSheet[], output: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false, useStyles: false });
  const names = uniqueSheetNames(sheets.map((sheet) => sanitiseSheetName(sheet.name)));
  try {
    for (const [index, sheet] of sheets.entries()) {
      const worksheet = workbook.addWorksheet(names[index]);
      let written = 0;
      for await (const record of sheetRecords(sheet)) {
        worksheet.addRow(record).commit();
        written += 1;
        await makeRoom(output, written);
      }
      worksheet.commit();
    }
    // commit() settles when the output finishes; finished() also fails if the reader goes away.
    await Promise.all([workbook.commit(), finished(output)]);
  } catch (error) {
    // Like pipeline for CSV: a half-written workbook must not reach the reader as if whole.
    output.destroy();
    throw error;
  }
}

// Excel compares sheet names without case; two long names may also truncate to the same one.
function uniqueSheetNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n += 1) {
      const suffix = ` (${n})`;
      candidate = truncate(name, MAX_SHEET_NAME - suffix.length) + suffix;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

// Cut at a code point, never inside a surrogate pair, which would make the XML invalid.
function truncate(text: string, maxLength: number): string {
  let result = '';
  for (const character of text) {
    if (result.length + character.length > maxLength) break;
    result += character;
  }
  return result;
}

// exceljs passes committed rows on without backpressure, so the producer waits here while the
// output is full, and gives the zip stream a turn now and then to compress what it holds.
async function makeRoom(output: Writable, written: number): Promise<void> {
  if (output.destroyed) throw new Error('The export output closed before the workbook was complete.');
  if (output.writableNeedDrain) await drained(output);
  else if (written % ROWS_BETWEEN_TURNS === 0) await nextTurn();
}

function drained(output: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      output.off('drain', onDrain);
      output.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(new Error('The export output closed before the workbook was complete.'));
    output.on('drain', onDrain);
    output.on('close', onClose);
  });
}
