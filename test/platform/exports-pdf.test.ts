import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { sendPdf, writePdf, type PdfDocument } from '../../server/platform/exports';
import { pdfToText } from '../helpers/pdf';
import { binaryBody } from '../helpers/http';

class Collector extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.chunks.push(chunk);
    done();
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function render(document: PdfDocument, options?: { compress?: boolean }): Promise<Buffer> {
  const output = new Collector();
  await writePdf(document, output, options);
  return output.buffer;
}

// Page objects are dictionaries, which stay readable even when the page streams are compressed.
const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;

const NAMES = ['Анна Каренина', '王小明', 'José Núñez', 'Émilie Dubois', 'Ann Smith'];

const report: PdfDocument = {
  title: 'Input packet — Анна Каренина',
  subtitle: 'Review cycle 2026 H2',
  blocks: [
    { heading: 'Ratings by dimension' },
    { paragraph: 'Figures combine named and confidential input; none is shown for fewer than five responses.' },
    {
      table: {
        columns: [{ header: 'Respondent' }, { header: 'Mean', width: 70, align: 'right' }, { header: 'Responses', width: 80, align: 'right' }],
        rows: NAMES.map((name, i) => [name, 3.25 + i, 12 + i]),
      },
    },
    { heading: 'Comments' },
    { paragraph: 'محمد علي took part in the working group.' },
  ],
};

describe('writePdf', () => {
  it('when a short document is written, then it is one complete PDF page with the title in its information', async () => {
    const pdf = await render(report);

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pageCount(pdf)).toBe(1);
    expect(execFileSync('pdfinfo', ['-enc', 'UTF-8', '-'], { input: pdf }).toString('utf8')).toMatch(/^Title:\s+Input packet — Анна Каренина$/m);
  });

  it('when names in several scripts and figures are written, then the text read back holds each of them', async () => {
    const text = pdfToText(await render(report));

    expect(text).toContain('Ratings by dimension');
    expect(text).toContain('Review cycle 2026 H2');
    for (const name of NAMES) expect(text).toContain(name);
    for (const figure of ['3.25', '7.25', '12', '16']) expect(text).toContain(figure);
    // pdfkit lays out each Arabic word right to left but has no bidirectional algorithm, so only
    // the words are checked, not the spacing pdftotext rebuilds between them.
    expect(text).toContain('محمد');
    expect(text).toContain('علي');
  });

  it('when a table runs past the end of a page, then it continues on new pages with the header row repeated', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`Row ${i + 1}`, i, i * 2]);
    const pdf = await render({ title: 'Long table', blocks: [{ table: { columns: [{ header: 'Label' }, { header: 'Figure', align: 'right' }, { header: 'Double', align: 'right' }], rows } }] });
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThan(2);

    const text = pdfToText(pdf);
    const pageTexts = text.split('\f').filter((page) => page.trim() !== '');
    expect(pageTexts).toHaveLength(pages);
    for (const page of pageTexts) expect(page).toMatch(/Label\s+Figure\s+Double/);
    expect(text).toContain('Row 150');
    expect(text).toContain('298');
  });

  it('when compression is turned off, then the page content is plain text operators; by default it is compressed', async () => {
    const plain = (await render(report, { compress: false })).toString('latin1');
    const packed = (await render(report)).toString('latin1');

    expect(plain).toMatch(/BT\b[\s\S]*?\bET\b/);
    expect(packed).not.toMatch(/\nBT\n/);
    expect(packed).toContain('/FlateDecode');
    expect(pdfToText(Buffer.from(plain, 'latin1'))).toContain('王小明');
  });

  it('when the output fails, then the promise rejects', async () => {
    const broken = new Writable({ write: (_chunk, _encoding, done) => done(new Error('disk full')) });
    await expect(writePdf(report, broken)).rejects.toThrow('disk full');
  });
});

describe('sendPdf', () => {
  const app = express();
  app.get('/packet.pdf', async (_req, res) => {
    await sendPdf(res, 'Paquet d’entrée "Анна"', report);
  });

  it('when a PDF is sent, then it is a no-store PDF download with a plain ASCII name', async () => {
    const res = await request(app)
      .get('/packet.pdf')
      .buffer(true)
      .parse(binaryBody)
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename=Paquet-d-entree.pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(pdfToText(res.body as Buffer)).toContain('Анна Каренина');
  });
});
