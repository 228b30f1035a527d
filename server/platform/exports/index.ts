export { neutraliseCell, type ExportCell, type ExportColumn, type ExportRow, type ExportSheet } from './sheet';
export { writeCsv } from './csv';
export { sanitiseSheetName, writeXlsx } from './xlsx';
export { writePdf, type PdfBlock, type PdfCell, type PdfColumn, type PdfDocument, type PdfOptions } from './pdf';
export { sendExport, sendPdf, type ExportRequest } from './http';
