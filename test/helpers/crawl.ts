import ExcelJS from 'exceljs';
import type { Agent } from './app';
import { binaryBody } from './http';
import type { ReceivedEmail } from './mail';
import { pdfToText } from './pdf';

/** One thing a reader could read: a page, a JSON answer, an export, a PDF or an e-mail, as text. */
export interface Readout {
  readonly where: string;
  readonly text: string;
}

// Not followed: signing out, static files, links that change nothing but the language, and areas
// whose pages render no feedback input (directory, surveys, complaints, accounts, cycle settings,
// the feedback form), to keep the crawl quick.
const SKIP = /^\/(sign-out|public\/|vendor\/|css\/|js\/|favicon|directory|team|surveys|working-groups|complaints|account|reset-password|admin|feedback\/new|reviews\/cycles)|[?&]lang=/;
const MAX_PAGES = 120;
// Pages of one shape (a packet, an item) differ in data, not in how they render times and ids: one
// of each, besides the listed ones, keeps the crawl quick.
const PER_SHAPE = 1;
const shapeOf = (path: string) => path.replace(/\?.*$/, '').replace(/\/[^/]*\d[^/]*/g, '/:x');

async function readBinary(agent: Agent, path: string): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await agent.get(path).buffer(true).parse(binaryBody);
  return { status: res.status, type: String(res.headers['content-type'] ?? ''), body: res.body as Buffer };
}

export async function xlsxText(body: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const cells: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell.text))));
  return cells.join('\n');
}

/** A response as the text a reader sees: PDFs through pdftotext, spreadsheets cell by cell. */
async function readoutOf(agent: Agent, path: string): Promise<Readout & { status: number; html: boolean }> {
  const { status, type, body } = await readBinary(agent, path);
  const where = `GET ${path}`;
  if (type.includes('application/pdf')) return { where, status, html: false, text: pdfToText(body) };
  if (type.includes('spreadsheetml')) return { where, status, html: false, text: await xlsxText(body) };
  return { where, status, html: type.includes('text/html'), text: body.toString('utf8') };
}

const linksIn = (html: string): string[] =>
  [...html.matchAll(/(?:href|data-export-progress)="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).filter((href) => href.startsWith('/') && !href.startsWith('//'));

/**
 * Every page a signed-in reader reaches from `start` by following links (same site, GET only; one
 * of each shape), and the listed extra paths (JSON answers, exports), which are always read. Pages that answer an error are kept too: an
 * error message is a channel as well.
 */
export async function crawl(agent: Agent, start: readonly string[], extra: readonly string[] = []): Promise<Readout[]> {
  const seen = new Set<string>();
  const shapes = new Map<string, number>();
  const queue = [...start, ...extra];
  const listed = new Set(queue);
  const out: Readout[] = [];
  while (queue.length > 0 && seen.size < MAX_PAGES) {
    const path = queue.shift()!;
    const key = path.split('#')[0]!;
    if (seen.has(key) || SKIP.test(key)) continue;
    const shape = shapeOf(key);
    if (!listed.has(key) && (shapes.get(shape) ?? 0) >= PER_SHAPE) continue;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    seen.add(key);
    const readout = await readoutOf(agent, key);
    out.push(readout);
    if (readout.html) queue.push(...linksIn(readout.text).filter((href) => !seen.has(href.split('#')[0]!)));
  }
  return out;
}

export const emailReadouts = (emails: readonly ReceivedEmail[]): Readout[] => emails.map((m) => ({ where: `e-mail to ${m.to.join(',')}: ${m.subject}`, text: `${m.subject}\n${m.text}\n${m.html}` }));

/** An input whose send time must stay hidden: when it was sent, and what identifies it. */
export interface HiddenInput {
  readonly label: string;
  /** The send time, and moments derived from it that a careless output could show. */
  readonly moments: readonly number[];
  /** Its sequential ids (feedback item, routed item, history entries). */
  readonly ids: readonly number[];
}

/** "HH:MM" of a moment in a time zone. */
function clockTime(at: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  return `${parts.find((p) => p.type === 'hour')!.value}:${parts.find((p) => p.type === 'minute')!.value}`;
}

/**
 * What readouts give away about hidden inputs: the clock time of a hidden moment (UTC or the
 * service's zone), an ISO timestamp within its minute, an epoch number (ms or s) within a week of
 * it that is not a day boundary, or one of the inputs' sequential ids.
 */
export function leaksIn(readouts: readonly Readout[], hidden: readonly HiddenInput[], zone: string): string[] {
  const leaks: string[] = [];
  for (const input of hidden) {
    const times = [...new Set(input.moments.flatMap((m) => [clockTime(m, 'UTC'), clockTime(m, zone)]))];
    const near = (at: number) => input.moments.some((m) => Math.abs(at - m) < 7 * 86_400_000);
    for (const { where, text } of readouts) {
      for (const time of times) if (new RegExp(`(^|[^0-9])${time}([^0-9]|$)`).test(text)) leaks.push(`${where}: ${input.label} at ${time}`);
      for (const m of text.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?/g)) {
        const at = Date.parse(m[0].endsWith('Z') ? m[0] : `${m[0]}Z`);
        if (input.moments.some((hiddenAt) => Math.abs(at - hiddenAt) < 60_000)) leaks.push(`${where}: ${input.label}, timestamp ${m[0]}`);
      }
      for (const m of text.matchAll(/(^|[^0-9])(\d{10}|\d{13})(?![0-9])/g)) {
        const value = Number(m[2]);
        const ms = m[2]!.length === 10 ? value * 1000 : value;
        if (near(ms) && ms % 86_400_000 !== 0) leaks.push(`${where}: ${input.label}, epoch ${m[2]}`);
      }
      for (const id of input.ids) if (new RegExp(`(^|[^0-9])${id}([^0-9]|$)`).test(text)) leaks.push(`${where}: ${input.label}, id ${id}`);
    }
  }
  return leaks;
}
