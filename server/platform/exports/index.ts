export { neutraliseCell, type ExportCell, type ExportColumn, type ExportRow, type ExportSheet } from './sheet';
export { writeCsv } from './csv';
export { sanitiseSheetName, writeXlsx } from './xlsx';
export { sendExport, type ExportRequest } from './http';
