import type { ExportRow, ExportSheet } from '../../platform/exports';
import type { Translate } from '../../platform/i18n';
import type { ExportFormat } from './export-jobs';
import { tallyText, withheldText } from './figure-text';
import type { Suppressed } from '../../platform/privacy/aggregates';
import type { ReviewCycle } from './cycles.schema';
import type { InputPacket, PacketsService } from './packets.service';

type Column = { key: string; header: string };

/**
 * A cycle's packets as sheets: one row per staff member and dimension (the CSV), and in XLSX also
 * a summary per staff member and the comments. Every figure is the packet's own, so withheld
 * figures stay withheld. Each sheet walks the packets again rather than keeping them all in memory;
 * the dimensions sheet walks their figures only (counted by the database, no item read).
 */
export function cycleSheets(packets: PacketsService, t: Translate, minimum: number) {
  return async (cycleId: number, format: ExportFormat, exceptStaffMemberId: number | null, onProgress: (done: number, total: number) => Promise<void>): Promise<ExportSheet[]> => {
    const passes = format === 'csv' ? 1 : 3;
    const columns = (keys: string[]): Column[] => keys.map((key) => ({ key, header: t(`reviews.export.column.${key}`) }));
    const progress = (pass: number) => (done: number, total: number) => onProgress(pass * total + done, passes * total);
    const walk = (pass: number, rowsOf: (packet: InputPacket) => ExportRow[]): AsyncIterable<ExportRow> => ({
      async *[Symbol.asyncIterator]() {
        for await (const packet of packets.cycleRows(cycleId, exceptStaffMemberId, progress(pass))) yield* rowsOf(packet);
      },
    });
    // The same few words on many rows: each translated once per file.
    const texts = new Map<string, string>();
    const once = (key: string, translate: () => string): string => {
      let text = texts.get(key);
      if (text === undefined) texts.set(key, (text = translate()));
      return text;
    };
    // A withheld figure's cell says why, from its own cycle's end.
    const why = (figure: Suppressed, cycle: ReviewCycle) => once(`withheld:${figure.reason}:${cycle.endsOn}`, () => withheldText(t, figure, { minimum, endsOn: cycle.endsOn }));

    const dimensions: ExportSheet = {
      name: t('reviews.export.sheet.dimensions'),
      columns: columns(['staff', 'department', 'dimension', 'count', 'mean', 'median', 'previousCount', 'previousMean']),
      rows: {
        async *[Symbol.asyncIterator]() {
          for await (const p of packets.cycleDimensionRows(cycleId, exceptStaffMemberId, progress(0))) {
            yield* p.dimensions.map((d) => ({
              staff: p.staff.name,
              department: p.staff.departmentName ?? '',
              dimension: d.label,
              count: d.current.suppressed ? why(d.current, p.cycle) : d.current.count,
              mean: d.current.suppressed ? null : d.current.mean,
              median: d.current.suppressed ? null : d.current.median,
              previousCount: d.previous === null ? null : d.previous.suppressed ? why(d.previous, p.previousCycle!) : d.previous.count,
              previousMean: d.previous === null || d.previous.suppressed ? null : d.previous.mean,
            }));
          }
        },
      },
    };
    if (format === 'csv') return [dimensions];

    const summary: ExportSheet = {
      name: t('reviews.export.sheet.summary'),
      columns: columns(['staff', 'department', 'reviewed', 'items', 'appreciation', 'suggestion', 'concern', 'solicited', 'acknowledgedWithinTarget', 'respondedWithinTarget']),
      rows: walk(1, (p) => [
        {
          staff: p.staff.name,
          department: p.staff.departmentName ?? '',
          reviewed: p.review ? new Date(p.review.reviewedAt).toISOString().slice(0, 10) : '',
          ...(p.kinds.suppressed
            ? { items: why(p.kinds, p.cycle) }
            : { items: p.kinds.total, appreciation: p.kinds.appreciation, suggestion: p.kinds.suggestion, concern: p.kinds.concern, solicited: p.kinds.solicited }),
          ...(p.handling.suppressed
            ? { acknowledgedWithinTarget: why(p.handling, p.cycle) }
            : { acknowledgedWithinTarget: tallyText(p.handling.acknowledged), respondedWithinTarget: tallyText(p.handling.responded) }),
        },
      ]),
    };
    const comments: ExportSheet = {
      name: t('reviews.export.sheet.comments'),
      columns: columns(['staff', 'receivedOn', 'kind', 'attribution', 'submitter', 'comment', 'context']),
      rows: walk(2, (p) =>
        p.comments.map((c) => ({
          staff: p.staff.name,
          receivedOn: c.receivedOn,
          kind: once(`feedback.kind.${c.kind}`, () => t(`feedback.kind.${c.kind}`)),
          attribution: once(`feedback.attribution.${c.attribution}.label`, () => t(`feedback.attribution.${c.attribution}.label`)),
          submitter: c.submitterName ?? '',
          comment: c.comment,
          context: c.context,
        })),
      ),
    };
    return [dimensions, summary, comments];
  };
}
