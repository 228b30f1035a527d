import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';

export interface PdfColumn {
  header: string;
  /** In points; columns without a width share what is left of the line. */
  width?: number;
  align?: 'left' | 'right';
}

export type PdfCell = string | number | null;

export type PdfBlock =
  | { heading: string }
  | { paragraph: string }
  | { table: { columns: readonly PdfColumn[]; rows: ReadonlyArray<readonly PdfCell[]> } };

export interface PdfDocument {
  title: string;
  subtitle?: string;
  blocks: readonly PdfBlock[];
}

export interface PdfOptions {
  /** Compressed page streams (the default). Off only to inspect the raw file. */
  compress?: boolean;
}

const MARGIN = 50;
const CELL_PADDING = 4;
const SIZE = { title: 18, subtitle: 11, heading: 13, paragraph: 10, table: 9 } as const;
const COLOURS = { text: '#111111', muted: '#555555', rule: '#bbbbbb', headerFill: '#eeeeee' } as const;

type FontName = 'regular' | 'bold' | 'wide';

// Names come in Arabic, Chinese, Cyrillic and Latin scripts. The PDF standard fonts (Helvetica)
// cover Latin-1 only, so a Unicode TrueType font is embedded (subset) when the system has one:
// Debian's fonts-dejavu-core for most scripts, and fonts-droid-fallback for Chinese, which DejaVu
// lacks. Nothing is downloaded at run time: without these files the document falls back to
// Helvetica and text outside Latin-1 does not render.
const FONT_FILES: Record<FontName, readonly string[]> = {
  regular: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'],
  bold: ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
  wide: ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', '/usr/share/fonts/truetype/droid/DroidSansFallback.ttf'],
};
const BUILT_IN: Record<FontName, string> = { regular: 'Helvetica', bold: 'Helvetica-Bold', wide: 'Helvetica' };

let fontFiles: Partial<Record<FontName, string>> | undefined;
function availableFonts(): Partial<Record<FontName, string>> {
  fontFiles ??= Object.fromEntries(
    (Object.keys(FONT_FILES) as FontName[]).flatMap((name) => {
      const file = FONT_FILES[name].find((candidate) => fs.existsSync(candidate));
      return file ? [[name, file]] : [];
    }),
  );
  return fontFiles;
}

type Doc = InstanceType<typeof PDFDocument>;

/**
 * Writes a document (title, headings, paragraphs and tables) as PDF and ends the output. Tables
 * continue on new pages with their header row repeated. If anything fails the output is
 * destroyed, so a partial file is not mistaken for a whole one.
 */
export async function writePdf(document: PdfDocument, output: Writable, options: PdfOptions = {}): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    compress: options.compress ?? true,
    info: { Title: document.title, ...(document.subtitle ? { Subject: document.subtitle } : {}), Producer: 'Accountable', Creator: 'Accountable' },
    displayTitle: true,
  });
  const written = pipeline(doc, output);
  try {
    new Renderer(doc).render(document);
    doc.end();
  } catch (error) {
    doc.destroy(error as Error);
  }
  await written;
}

class Renderer {
  private readonly fonts: Partial<Record<FontName, string>>;
  private readonly width: number;

  constructor(private readonly doc: Doc) {
    this.fonts = availableFonts();
    for (const [name, file] of Object.entries(this.fonts)) doc.registerFont(name, file);
    this.width = doc.page.width - MARGIN * 2;
  }

  render(document: PdfDocument): void {
    this.write(document.title, { font: 'bold', size: SIZE.title });
    if (document.subtitle) this.write(document.subtitle, { font: 'regular', size: SIZE.subtitle, colour: COLOURS.muted });
    this.doc.moveDown(0.5);
    for (const block of document.blocks) {
      if ('heading' in block) this.heading(block.heading);
      else if ('paragraph' in block) this.write(block.paragraph, { font: 'regular', size: SIZE.paragraph, gapAfter: 0.5 });
      else this.table(block.table.columns, block.table.rows);
    }
  }

  private heading(text: string): void {
    // Keep a heading with at least a few lines of what follows it.
    this.ensureRoom(this.lineHeight('bold', SIZE.heading) + 4 * this.lineHeight('regular', SIZE.paragraph));
    this.doc.moveDown(0.5);
    this.write(text, { font: 'bold', size: SIZE.heading, gapAfter: 0.3 });
  }

  private write(text: string, style: { font: FontName; size: number; colour?: string; gapAfter?: number }): void {
    this.use(style.font, style.size, text);
    this.doc.fillColor(style.colour ?? COLOURS.text).text(text, MARGIN, this.doc.y, { width: this.width });
    if (style.gapAfter) this.doc.moveDown(style.gapAfter);
  }

  private table(columns: readonly PdfColumn[], rows: ReadonlyArray<readonly PdfCell[]>): void {
    if (columns.length === 0) return;
    const widths = this.columnWidths(columns);
    const header = columns.map((c) => c.header);
    const drawHeader = () => this.row(columns, widths, header, { bold: true });
    const headerHeight = this.rowHeight(widths, header, true);
    // The header never stands alone at the foot of a page.
    this.ensureRoom(headerHeight + (rows[0] ? this.rowHeight(widths, rows[0], false) : 0));
    drawHeader();
    for (const cells of rows) {
      if (this.doc.y + this.rowHeight(widths, cells, false) > this.bottom()) {
        this.doc.addPage();
        drawHeader();
      }
      this.row(columns, widths, cells, { bold: false });
    }
    this.doc.x = MARGIN;
    this.doc.moveDown(0.5);
  }

  private columnWidths(columns: readonly PdfColumn[]): number[] {
    const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0);
    const flexible = columns.filter((c) => c.width === undefined).length;
    const share = flexible > 0 ? Math.max(this.width - fixed, flexible * 30) / flexible : 0;
    const widths = columns.map((c) => c.width ?? share);
    const total = widths.reduce((a, b) => a + b, 0);
    // Too wide for the page: every column shrinks in proportion.
    return total > this.width ? widths.map((w) => (w * this.width) / total) : widths;
  }

  private row(columns: readonly PdfColumn[], widths: number[], cells: readonly PdfCell[], style: { bold: boolean }): void {
    const top = this.doc.y;
    const height = Math.min(this.rowHeight(widths, cells, style.bold), this.bottom() - top);
    if (style.bold) this.doc.rect(MARGIN, top, widths.reduce((a, b) => a + b, 0), height).fill(COLOURS.headerFill);
    let x = MARGIN;
    columns.forEach((column, i) => {
      const text = cellText(cells[i]);
      this.use(style.bold ? 'bold' : 'regular', SIZE.table, text);
      // A cell taller than a page is cut (with an ellipsis) rather than spilling onto the next.
      this.doc.fillColor(COLOURS.text).text(text, x + CELL_PADDING, top + CELL_PADDING, {
        width: widths[i]! - CELL_PADDING * 2,
        height: height - CELL_PADDING * 2,
        align: column.align ?? 'left',
        ellipsis: true,
      });
      x += widths[i]!;
    });
    this.doc
      .moveTo(MARGIN, top + height)
      .lineTo(x, top + height)
      .lineWidth(0.5)
      .strokeColor(COLOURS.rule)
      .stroke();
    this.doc.x = MARGIN;
    this.doc.y = top + height;
  }

  private rowHeight(widths: number[], cells: readonly PdfCell[], bold: boolean): number {
    let tallest = this.lineHeight(bold ? 'bold' : 'regular', SIZE.table);
    widths.forEach((width, i) => {
      const text = cellText(cells[i]);
      if (text === '') return;
      this.use(bold ? 'bold' : 'regular', SIZE.table, text);
      tallest = Math.max(tallest, this.doc.heightOfString(text, { width: width - CELL_PADDING * 2 }));
    });
    return tallest + CELL_PADDING * 2;
  }

  private lineHeight(font: FontName, size: number): number {
    this.use(font, size, '');
    return this.doc.currentLineHeight(true);
  }

  private ensureRoom(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }

  private bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /** Selects the font for a piece of text: the main font, or the wide one when only it has every character. */
  private use(font: FontName, size: number, text: string): void {
    const name = this.fonts[font] ? font : BUILT_IN[font];
    this.doc.font(name).fontSize(size);
    if (!this.fonts.wide || this.covers(text)) return;
    this.doc.font('wide');
    if (!this.covers(text)) this.doc.font(name);
  }

  // pdfkit keeps the parsed font (fontkit) of an embedded font on the current font object; it has
  // no public method to ask whether a character has a glyph.
  private covers(text: string): boolean {
    const parsed = (this.doc as unknown as { _font?: { font?: { hasGlyphForCodePoint?(codePoint: number): boolean } } })._font?.font;
    if (!parsed?.hasGlyphForCodePoint) return true;
    for (const character of text) {
      const codePoint = character.codePointAt(0)!;
      if (codePoint > 0x20 && !parsed.hasGlyphForCodePoint(codePoint)) return false;
    }
    return true;
  }
}

function cellText(value: PdfCell | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? String(value) : value;
}
