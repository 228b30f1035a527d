import type { PdfBlock, PdfDocument } from '../../platform/exports';
import type { Translate } from '../../platform/i18n';
import type { Suppressed } from '../../platform/privacy/aggregates';
import { tallyText, withheldText } from './figure-text';
import type { InputPacket } from './packets.service';

/** One staff member's packet as a PDF document: the same figures and withholdings as the page. */
export function packetDocument(packet: InputPacket, t: Translate, minimum: number): PdfDocument {
  // Why a figure is withheld, from its own cycle's end.
  const why = (figure: Suppressed, cycle = packet.cycle) => withheldText(t, figure, { minimum, endsOn: cycle.endsOn });
  const blocks: PdfBlock[] = [{ paragraph: t('reviews.packet.minimumNote', { minimum }) }, { heading: t('reviews.packet.kinds') }];
  const k = packet.kinds;
  blocks.push(
    k.suppressed
      ? { paragraph: why(k) }
      : {
          table: {
            columns: [{ header: '' }, { header: t('reviews.packet.number'), width: 80, align: 'right' }],
            rows: [
              [t('reviews.packet.total'), k.total],
              [t('feedback.kind.appreciation'), k.appreciation],
              [t('feedback.kind.suggestion'), k.suggestion],
              [t('feedback.kind.concern'), k.concern],
              [t('reviews.packet.solicited'), k.solicited],
            ],
          },
        },
  );
  blocks.push(
    { heading: t('reviews.packet.dimensions') },
    {
      table: {
        columns: [
          { header: t('reviews.packet.dimension') },
          { header: t('reviews.packet.count'), width: 50, align: 'right' },
          { header: t('reviews.packet.mean'), width: 50, align: 'right' },
          { header: t('reviews.packet.median'), width: 50, align: 'right' },
          { header: packet.previousCycle ? t('reviews.packet.previous', { cycle: packet.previousCycle.code }) : t('reviews.packet.noPrevious'), width: 110, align: 'right' },
        ],
        rows: packet.dimensions.map((d) => [
          d.label,
          d.current.suppressed ? why(d.current) : d.current.count,
          d.current.suppressed ? null : d.current.mean,
          d.current.suppressed ? null : d.current.median,
          d.previous === null ? '—' : d.previous.suppressed ? why(d.previous, packet.previousCycle!) : `${d.previous.mean} (${d.previous.count})`,
        ]),
      },
    },
  );
  blocks.push({ heading: t('reviews.packet.surveys') });
  if (packet.surveys.length === 0) blocks.push({ paragraph: t('reviews.packet.noSurveys') });
  for (const survey of packet.surveys) {
    blocks.push({ paragraph: survey.title }, { table: { columns: [{ header: t('surveys.results.question') }, { header: t('reviews.packet.count'), width: 60, align: 'right' }, { header: t('reviews.packet.mean'), width: 60, align: 'right' }], rows: survey.questions.map((q) => [q.question, q.suppressed ? t('reviews.withheld.too_few', { minimum }) : q.count, q.suppressed ? null : q.mean]) } });
  }
  const h = packet.handling;
  blocks.push({ heading: t('reviews.packet.handling') });
  blocks.push(
    h.suppressed
      ? { paragraph: why(h) }
      : {
          table: {
            columns: [{ header: '' }, { header: t('reviews.packet.number'), width: 80, align: 'right' }],
            rows: [
              [t('reviews.packet.routedItems'), h.items],
              [t('reviews.packet.acknowledgedWithinTarget'), tallyText(h.acknowledged)],
              [t('reviews.packet.respondedWithinTarget'), tallyText(h.responded)],
              [t('reviews.packet.timeframesGiven'), h.timeframesGiven],
            ],
          },
        },
  );
  if (packet.viewer !== 'self') {
    blocks.push({ heading: t('reviews.packet.comments') });
    if (packet.comments.length === 0) blocks.push({ paragraph: t('reviews.packet.noComments') });
    for (const c of packet.comments) {
      const who = c.submitterName ?? t(`feedback.attribution.${c.attribution}.label`);
      blocks.push({ paragraph: `${c.receivedOn} · ${t(`feedback.kind.${c.kind}`)} · ${who}${c.flag !== null ? ` · ${t('reviews.packet.flagged')}` : ''}\n${c.comment}` });
    }
  }
  return {
    title: t('reviews.packet.title', { name: packet.staff.name, cycle: packet.cycle.code }),
    subtitle: t('reviews.packets.period', { from: packet.cycle.startsOn, to: packet.cycle.endsOn }),
    blocks,
  };
}
