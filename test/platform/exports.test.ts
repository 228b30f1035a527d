import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import express from 'express';
import request from 'supertest';
import { neutraliseCell, sanitiseSheetName, sendExport, writeCsv, writeXlsx, type ExportRow, type ExportSheet } from '../../server/platform/exports';
import { binaryBody } from '../helpers/http';

const DANGEROUS = ['=1+1', '+1', '-3', '@SUM(A1)', '\tcmd', '\rcmd'];

// Collects what is written, and can be slow to accept it so backpressure really happens.
class Collector extends Writable {
  chunks: Buffer[] = [];
  bytes = 0;
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.delayMs > 0) setTimeout(done, this.delayMs);
    else done();
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function resultsSheet(rows: ExportRow[], name = 'Results'): ExportSheet {
  return {
    name,
    columns: [
      { key: 'question', header: 'Question' },
      { key: 'average', header: 'Average' },
      { key: 'answers', header: 'Answers' },
    ],
    rows,
  };
}

const ordinaryRows: ExportRow[] = [
  { question: 'How well does Zoë Ångström listen?', average: 4.25, answers: 12 },
  { question: 'Comma, "quotes"\nand a new line', average: -1.5, answers: 0 },
  { question: 'Not answered', average: null, answers: undefined },
];

async function readWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  return workbook;
}

function* generatedRows(count: number, onRow?: (index: number) => void): Generator<ExportRow> {
  for (let i = 0; i < count; i += 1) {
    onRow?.(i);
    yield { question: `Question ${i}`, average: i / 4, answers: i };
  }
}

describe('neutraliseCell', () => {
  it('when text starts with a formula character, then it gets a leading quote', () => {
    for (const text of DANGEROUS) expect(neutraliseCell(text)).toBe(`'${text}`);
  });

  it('when the value is ordinary text, a number or empty, then it is left as it is', () => {
    expect(neutraliseCell('Plain answer = fine')).toBe('Plain answer = fine');
    expect(neutraliseCell('')).toBe('');
    expect(neutraliseCell(-3)).toBe(-3);
    expect(neutraliseCell(0)).toBe(0);
    expect(neutraliseCell(null)).toBe('');
    expect(neutraliseCell(undefined)).toBe('');
  });
});

describe('CSV exports', () => {
  it('when a sheet is written, then it parses back with the header, the same strings and the same numbers', async () => {
    const output = new Collector();
    await writeCsv(resultsSheet(ordinaryRows), output);

    expect(output.buffer.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const records: string[][] = parse(output.buffer, { bom: true });
    expect(records).toEqual([
      ['Question', 'Average', 'Answers'],
      ['How well does Zoë Ångström listen?', '4.25', '12'],
      ['Comma, "quotes"\nand a new line', '-1.5', '0'],
      ['Not answered', '', ''],
    ]);
  });

  it('when cells or headers start with a formula character, then each is neutralised', async () => {
    const output = new Collector();
    const sheet: ExportSheet = {
      name: 'Injected',
      columns: [{ key: 'answer', header: '=HYPERLINK("http://evil.test")' }],
      rows: DANGEROUS.map((answer) => ({ answer })),
    };
    await writeCsv(sheet, output);

    const records: string[][] = parse(output.buffer, { bom: true, relax_column_count: true });
    expect(records.map((record) => record[0])).toEqual(['\'=HYPERLINK("http://evil.test")', ...DANGEROUS.map((text) => `'${text}`)]);
  });

  it('when a generator produces 50 000 rows, then they stream out while still being produced and all read back', async () => {
    const output = new Collector();
    let bytesWhileProducing = 0;
    const sheet = resultsSheet([]);
    await writeCsv({ ...sheet, rows: generatedRows(50_000, (i) => { if (i === 40_000) bytesWhileProducing = output.bytes; }) }, output);

    expect(bytesWhileProducing).toBeGreaterThan(0);
    const records: string[][] = parse(output.buffer, { bom: true });
    expect(records).toHaveLength(50_001);
    expect(records[50_000]).toEqual(['Question 49999', '12499.75', '49999']);
  });
});

describe('XLSX exports', () => {
  it('when sheets are written, then they read back with numeric cells as numbers and the same strings', async () => {
    const output = new Collector();
    await writeXlsx([resultsSheet(ordinaryRows), resultsSheet([{ question: 'Second', average: 2, answers: 7 }], 'Team North')], output);

    const workbook = await readWorkbook(output.buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Results', 'Team North']);
    const results = workbook.getWorksheet('Results')!;
    expect(results.getRow(1).values).toEqual([undefined, 'Question', 'Average', 'Answers']);
    expect(results.getRow(2).values).toEqual([undefined, 'How well does Zoë Ångström listen?', 4.25, 12]);
    expect(results.getCell('B3').type).toBe(ExcelJS.ValueType.Number);
    expect(results.getCell('B3').value).toBe(-1.5);
    expect(results.getCell('A3').value).toBe('Comma, "quotes"\nand a new line');
    expect(results.getCell('B4').type).not.toBe(ExcelJS.ValueType.Number);
    expect(workbook.getWorksheet('Team North')!.getCell('C2').value).toBe(7);
  });

  it('when cells or headers start with a formula character, then each is neutralised and no cell is a formula', async () => {
    const output = new Collector();
    const sheet: ExportSheet = {
      name: 'Injected',
      columns: [{ key: 'answer', header: '=HYPERLINK("http://evil.test")' }],
      rows: DANGEROUS.map((answer) => ({ answer })),
    };
    await writeXlsx([sheet], output);

    const worksheet = (await readWorkbook(output.buffer)).getWorksheet('Injected')!;
    const cells = DANGEROUS.map((_, i) => worksheet.getCell(i + 2, 1));
    expect(worksheet.getCell('A1').value).toBe('\'=HYPERLINK("http://evil.test")');
    // XML reads a raw carriage return in text as a line feed; the quote in front is what matters.
    expect(cells.map((cell) => cell.value)).toEqual(DANGEROUS.map((text) => `'${text.replace('\r', '\n')}`));
    expect(cells.every((cell) => cell.type === ExcelJS.ValueType.String)).toBe(true);
  });

  it('when the output is slow, then rows wait for it and the workbook still completes', async () => {
    const output = new Collector(1);
    let bytesWhileProducing = 0;
    const sheet = resultsSheet([]);
    await writeXlsx([{ ...sheet, rows: generatedRows(10_000, (i) => { if (i === 9_000) bytesWhileProducing = output.bytes; }) }], output);

    expect(bytesWhileProducing).toBeGreaterThan(0);
    const worksheet = (await readWorkbook(output.buffer)).worksheets[0]!;
    expect(worksheet.rowCount).toBe(10_001);
    expect(worksheet.getCell('B10001').value).toBe(9_999 / 4);
  });

  it('when sheet names break Excel rules or collide, then they are made valid and unique', async () => {
    expect(sanitiseSheetName('Q1: [Team]/North\\South*?')).toBe('Q1- -Team--North-South--');
    expect(sanitiseSheetName('A survey name that is much longer than Excel allows')).toBe('A survey name that is much long');
    expect(sanitiseSheetName(`${'x'.repeat(30)}😀`)).toBe('x'.repeat(30));
    expect(sanitiseSheetName("'Quoted'")).toBe('Quoted');
    expect(sanitiseSheetName('   ')).toBe('Sheet');
    expect(sanitiseSheetName('history')).toBe('history-');

    const output = new Collector();
    const long = 'Answers from the whole organisation';
    await writeXlsx([resultsSheet([], long), resultsSheet([], `${long} again`), resultsSheet([], 'results'), resultsSheet([], 'Results')], output);
    const names = (await readWorkbook(output.buffer)).worksheets.map((sheet) => sheet.name);
    expect(names).toEqual(['Answers from the whole organisa', 'Answers from the whole orga (2)', 'results', 'Results (2)']);
  });
});

describe('exports cut short by the reader', () => {
  // A million rows: if the writer did not notice, the test would time out.
  const hangUpAfter = (bytes: number): Collector => {
    const output = new Collector(1);
    const check = setInterval(() => {
      if (output.bytes >= bytes) {
        clearInterval(check);
        output.destroy();
      }
    }, 5);
    output.on('close', () => clearInterval(check));
    return output;
  };

  it('when the reader goes away during a CSV export, then it stops with an error', async () => {
    await expect(writeCsv({ ...resultsSheet([]), rows: generatedRows(1_000_000) }, hangUpAfter(10_000))).rejects.toThrow();
  });

  it('when the reader goes away during an XLSX export, then it stops with an error', async () => {
    await expect(writeXlsx([{ ...resultsSheet([]), rows: generatedRows(1_000_000) }], hangUpAfter(10_000))).rejects.toThrow();
  });
});

describe('sendExport', () => {
  const app = express();
  app.get('/results.csv', async (_req, res) => {
    await sendExport(res, { filename: 'Résultats équipe "Nord"', format: 'csv', sheet: resultsSheet(ordinaryRows) });
  });
  app.get('/results.xlsx', async (_req, res) => {
    await sendExport(res, { filename: '../../etc/passwd', format: 'xlsx', sheets: [resultsSheet(ordinaryRows)] });
  });

  it('when a CSV export is sent, then it is a no-store UTF-8 download with a plain ASCII name', async () => {
    const res = await request(app).get('/results.csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename=Resultats-equipe-Nord.csv');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(parse(res.text, { bom: true })).toHaveLength(4);
  });

  it('when an XLSX export is sent, then it is a spreadsheet download whose name cannot climb out of a folder', async () => {
    const res = await request(app)
      .get('/results.xlsx')
      .buffer(true)
      .parse(binaryBody)
      .expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe('attachment; filename=etc-passwd.xlsx');
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await readWorkbook(res.body as Buffer)).worksheets[0]!.getCell('C2').value).toBe(12);
  });
});
