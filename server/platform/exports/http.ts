import type { Response } from 'express';
import { writeCsv } from './csv';
import { writePdf, type PdfDocument } from './pdf';
import type { ExportSheet } from './sheet';
import { writeXlsx } from './xlsx';

/**
 * CSV holds one table, so a CSV export takes exactly the sheet the caller chose; only XLSX
 * takes several. The type says so rather than silently dropping sheets.
 */
export type ExportRequest =
  | { filename: string; format: 'csv'; sheet: ExportSheet }
  | { filename: string; format: 'xlsx'; sheets: readonly ExportSheet[] };

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** Streams an export as a download. The filename is given without extension; the format adds it. */
export async function sendExport(res: Response, request: ExportRequest): Promise<void> {
  // res.attachment builds the header with the content-disposition package Express already uses.
  res.attachment(`${downloadName(request.filename)}.${request.format}`);
  res.set('Content-Type', CONTENT_TYPES[request.format]);
  // Exports carry names and answers: no shared or browser cache may keep a copy.
  res.set('Cache-Control', 'no-store');
  if (request.format === 'csv') await writeCsv(request.sheet, res);
  else await writeXlsx(request.sheets, res);
}

/** Streams a PDF as a download, with the same headers and filename rules as sendExport. */
export async function sendPdf(res: Response, filename: string, document: PdfDocument): Promise<void> {
  res.attachment(`${downloadName(filename)}.pdf`);
  res.set('Content-Type', 'application/pdf');
  res.set('Cache-Control', 'no-store');
  await writePdf(document, res);
}

// Plain ASCII so every browser and mail client saves the same name; accents fold to their letter.
function downloadName(filename: string): string {
  const ascii = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 100)
    .replace(/^[.-]+|[.-]+$/g, '');
  return ascii === '' ? 'export' : ascii;
}
