import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { access } from '../../platform/http/access';
import { idParam, pageNumber, paginationView, parseForm, validationLocals } from '../../platform/http/forms';
import { ValidationError } from '../../platform/errors';
import type { Guarded, ScaleFigures, Suppressed } from '../../platform/privacy/aggregates';
import type { ReviewCycle } from './cycles.schema';
import { RATING_POINTS } from './aggregation';
import { EXPORT_FORMATS, type ExportJobs } from './export-jobs';
import { sendPdf } from '../../platform/exports';
import { packetDocument } from './packet-document';
import { tallyText, withheldText } from './figure-text';
import { TEAM_STATES, type InputPacket, type PacketsService } from './packets.service';
import type { TrendsService } from './trends.service';
import { minuteOf } from '../../platform/privacy/times';

const NOTES_MAX = 5000;
const ReviewSchema = z.object({ notes: z.string().trim().max(NOTES_MAX, 'reviews.errors.notesTooLong').default('') });
const FlagSchema = z.object({
  note: z.string().trim().max(500, 'reviews.errors.flagTooLong').default(''),
  clear: z.union([z.literal('yes'), z.literal('')]).optional(),
});
const ExportSchema = z.object({ format: z.enum(EXPORT_FORMATS, 'validation.invalid') });

const ids = (value: unknown): number[] =>
  (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value])
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n > 0);

/** Figures for a page: the numbers, or null when withheld. */
function shown(figure: Guarded<ScaleFigures> | null) {
  return figure && !figure.suppressed ? { count: figure.count, mean: figure.mean, median: figure.median, distribution: figure.distribution } : null;
}

export function packetView(req: Request, packet: InputPacket, minimum: number) {
  const why = (figure: Guarded<object>, cycle = packet.cycle) => (figure.suppressed ? withheldText(req.t, figure, { minimum, endsOn: cycle.endsOn }) : null);
  return {
    ...packet,
    kinds: packet.kinds.suppressed ? null : packet.kinds,
    kindsWithheld: why(packet.kinds),
    handling: packet.handling.suppressed ? null : { ...packet.handling, acknowledged: tallyText(packet.handling.acknowledged), responded: tallyText(packet.handling.responded) },
    handlingWithheld: why(packet.handling),
    themes: packet.themes.suppressed ? null : packet.themes.themes,
    themesWithheld: why(packet.themes),
    dimensions: packet.dimensions.map((d) => {
      const current = shown(d.current);
      return {
        label: d.label,
        current,
        currentWithheld: why(d.current),
        previous: shown(d.previous),
        previousWithheld: d.previous && why(d.previous, packet.previousCycle!),
        // Read by public/js/packet-charts.js: this cycle's distribution beside the previous one.
        chart: current
          ? JSON.stringify({
              labels: RATING_POINTS.map(String),
              datasets: [
                { label: packet.cycle.code, data: current.distribution.map((x) => x.count) },
                ...(shown(d.previous) ? [{ label: packet.previousCycle!.code, data: shown(d.previous)!.distribution.map((x) => x.count) }] : []),
              ],
            })
          : null,
      };
    }),
    comments: packet.comments.map((c) => ({ ...c, kindLabel: req.t(`feedback.kind.${c.kind}`), attributionLabel: req.t(`feedback.attribution.${c.attribution}.label`) })),
    reviewedOn: packet.review ? new Date(packet.review.reviewedAt).toISOString().slice(0, 10) : null,
    isManager: packet.viewer === 'manager',
    // Input is sought before a review, for community-facing staff, while the cycle is open.
    canSolicit: packet.viewer === 'manager' && packet.cycle.status === 'open' && packet.staff.communityFacing,
    isSelf: packet.viewer === 'self',
  };
}

export function createPacketsRoutes({ packets, trends, exports, minimumGroupSize }: { packets: PacketsService; trends: TrendsService; exports: ExportJobs; minimumGroupSize: number }): Router {
  const router = Router({ caseSensitive: true });
  const base = (req: Request) => `/reviews/${idParam(req.params.cycleId)}/packets`;

  // Everyone who works with packets starts here: the cycles, and what each of them may open.
  router.get('/reviews', access.roles('staff', 'manager', 'executive', 'hr'), async (req, res) => {
    const actor = req.user!;
    const roles = { team: actor.roles.some((r) => ['manager', 'executive', 'hr'].includes(r)), hr: actor.roles.includes('hr'), trends: actor.roles.some((r) => ['hr', 'executive'].includes(r)) };
    const cycles = await packets.cycles();
    const ownReadable = await packets.ownPacketReadable(actor, cycles);
    res.render('reviews/index', {
      title: req.t('reviews.index.title'),
      roles,
      ownId: actor.staffMemberId,
      cycles: cycles.map((c) => ({ ...c, statusLabel: req.t(`reviews.cycleStatus.${c.status}`), ownReadable: ownReadable.has(c.id) })),
    });
  });

  router.get('/reviews/:cycleId/packets', access.roles('manager', 'executive', 'hr'), async (req, res) => {
    // Filters come from the list's own select boxes: an unknown value means "all", not an error.
    const department = Number(req.query.department);
    const state = TEAM_STATES.find((s) => s === req.query.state) ?? null;
    const filter = { departmentId: Number.isInteger(department) && department > 0 ? department : null, state, page: pageNumber(req.query.page) };
    const team = await packets.team(req.user!, idParam(req.params.cycleId), filter);
    const path = `/reviews/${team.cycle.id}/packets`;
    res.render('reviews/packets', {
      title: req.t('reviews.packets.title', { cycle: team.cycle.code }),
      cycle: team.cycle,
      isHr: req.user!.roles.includes('hr'),
      visibleCount: team.visibleCount,
      filtered: filter.departmentId !== null || filter.state !== null,
      departments: team.departments.map((d) => ({ ...d, selected: d.id === filter.departmentId })),
      states: TEAM_STATES.map((s) => ({ value: s, label: req.t(`reviews.packets.state.${s}`), selected: s === filter.state })),
      packets: team.packets.items.map((p) => ({ ...p, reviewedOn: p.reviewedAt === null ? null : new Date(p.reviewedAt).toISOString().slice(0, 10) })),
      pagination: team.packets.pageCount > 1 ? paginationView(team.packets, path, { department: filter.departmentId ?? undefined, state: filter.state ?? undefined }) : null,
    });
  });

  const renderPacket = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const packet = await packets.packet(req.user!, idParam(req.params.cycleId), idParam(req.params.staffId), 'view', pageNumber(req.query.page));
    const action = `${base(req)}/${packet.staff.id}`;
    const comments = packet.commentPage;
    res.status(status).render('reviews/packet', {
      title: req.t('reviews.packet.title', { name: packet.staff.name, cycle: packet.cycle.code }),
      packet: packetView(req, packet, minimumGroupSize),
      minimum: minimumGroupSize,
      action,
      // A flag set on a later page brings the reader back to it.
      commentsPageQuery: comments.page > 1 ? `?page=${comments.page}` : '',
      commentsShown: comments.total > 0 ? req.t('reviews.packet.commentsShown', { from: (comments.page - 1) * comments.pageSize + 1, to: (comments.page - 1) * comments.pageSize + packet.comments.length, total: comments.total }) : null,
      pagination: comments.pageCount > 1 ? paginationView({ ...comments, items: [] }, action, {}) : null,
      ...extra,
    });
  };

  // Before the page's route, whose :staffId would otherwise take "12.pdf" (and refuse it).
  router.get('/reviews/:cycleId/packets/:staffId.pdf', access.roles('manager', 'executive', 'hr'), async (req, res) => {
    const packet = await packets.packet(req.user!, idParam(req.params.cycleId), idParam(req.params.staffId), 'pdf');
    await sendPdf(res, `packet-${packet.cycle.code}-${packet.staff.name}`, packetDocument(packet, req.t, minimumGroupSize));
  });

  // Signed in: the service decides (HR, the manager, an executive above, or the staff member themself).
  router.get('/reviews/:cycleId/packets/:staffId', access.signedIn(), (req, res) => renderPacket(req, res));

  router.post('/reviews/:cycleId/packets/:staffId/review', access.roles('manager', 'executive'), async (req, res) => {
    try {
      await packets.markReviewed(req.user!, idParam(req.params.cycleId), idParam(req.params.staffId), parseForm(ReviewSchema, req.body).notes);
      req.session.flash = { kind: 'success', key: 'reviews.flash.reviewed' };
      res.redirect(303, `${base(req)}/${idParam(req.params.staffId)}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderPacket(req, res, { reviewValues: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  // The item is named by its random reference, never by its sequential id.
  router.post('/reviews/:cycleId/packets/:staffId/flags/:itemId', access.roles('manager', 'executive'), async (req, res) => {
    const { note, clear } = parseForm(FlagSchema, req.body);
    const reference = String(req.params.itemId);
    await packets.flag(req.user!, idParam(req.params.cycleId), idParam(req.params.staffId), reference, clear === 'yes' ? null : note);
    const page = pageNumber(req.query.page);
    res.redirect(303, `${base(req)}/${idParam(req.params.staffId)}${page > 1 ? `?page=${page}` : ''}#item-${reference}`);
  });

  router.get('/reviews/:cycleId/progress', access.roles('hr'), async (req, res) => {
    const progress = await packets.progress(idParam(req.params.cycleId));
    res.render('reviews/progress', { title: req.t('reviews.progress.title', { cycle: progress.cycle.code }), progress, exports: (await exports.list(req.user!, progress.cycle.id)).map((j) => ({ ...j, statusLabel: req.t(`reviews.export.status.${j.status}`), percent: j.progressTotal ? Math.round((j.progressDone / j.progressTotal) * 100) : 0 })) });
  });

  router.post('/reviews/:cycleId/exports', access.roles('hr'), async (req, res) => {
    const cycle = await packets.mustFindCycle(idParam(req.params.cycleId));
    const { format } = parseForm(ExportSchema, req.body);
    const id = await exports.request(req.user!, cycle.id, format, `packets-${cycle.code}`);
    res.redirect(303, `/reviews/exports/${id}`);
  });

  router.get('/reviews/exports/:id', access.roles('hr'), async (req, res) => {
    const job = await exports.find(req.user!, idParam(req.params.id));
    const percent = job.progressTotal ? Math.round((job.progressDone / job.progressTotal) * 100) : 0;
    if (req.accepts(['html', 'json']) === 'json') return void res.json({ status: job.status, done: job.progressDone, total: job.progressTotal, percent });
    // Finished when done or failed: the page's script reloads it when the job ends, so it must not poll again then.
    res.render('reviews/export', { title: req.t('reviews.export.title'), job, percent, statusLabel: req.t(`reviews.export.status.${job.status}`), done: job.status === 'done', finished: job.status === 'done' || job.status === 'failed', expired: job.status === 'expired' });
  });

  router.get('/reviews/exports/:id/download', access.roles('hr'), async (req, res) => {
    const job = await exports.find(req.user!, idParam(req.params.id));
    exports.assertDownloadable(job);
    res.attachment(`${job.filename}.${job.format}`);
    res.set('Content-Type', job.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.set('Cache-Control', 'no-store');
    await exports.download(req.user!, job.id, res);
  });

  router.get('/reviews/trends', access.roles('hr', 'executive'), async (req, res) => {
    const filter = { departmentIds: ids(req.query.department), dimensionIds: ids(req.query.dimension), cycleIds: ids(req.query.cycle) };
    const report = await trends.read(filter);
    const figure = (departmentId: number, dimensionId: number, cycleId: number) => report.figures.find((f) => f.departmentId === departmentId && f.dimensionId === dimensionId && f.cycleId === cycleId)!.figure;
    const departments = filter.departmentIds.length ? report.departments.filter((d) => filter.departmentIds.includes(d.id)) : report.departments;
    const dimensions = filter.dimensionIds.length ? report.dimensions.filter((d) => filter.dimensionIds.includes(d.id)) : report.dimensions;
    const refused = report.refused ? req.t('reviews.trends.filterTooNarrow', { minimum: minimumGroupSize }) : null;
    // Each withheld cell carries its reason (a stable code in JSON) and the words for it.
    const withheld = (f: Suppressed, cycle: ReviewCycle) => ({ cycle: cycle.code, withheld: f.reason, why: withheldText(req.t, f, { minimum: minimumGroupSize, endsOn: cycle.endsOn }) });
    const handling = report.refused
      ? []
      : departments.map((department) => ({
          department: department.name,
          cells: report.cycles.map((c) => {
            const f = report.handling.find((h) => h.departmentId === department.id && h.cycleId === c.id)!.figure;
            return f.suppressed ? withheld(f, c) : { cycle: c.code, items: f.items, acknowledged: f.acknowledged, responded: f.responded };
          }),
        }));
    const rows = report.refused
      ? []
      : departments.flatMap((department) =>
          dimensions.map((dimension) => ({
            department: department.name,
            dimension: dimension.label,
            cells: report.cycles.map((c) => {
              const f = figure(department.id, dimension.id, c.id);
              return f.suppressed ? withheld(f, c) : { cycle: c.code, mean: f.mean, count: f.count };
            }),
          })),
        );
    res.status(report.refused ? 422 : 200);
    const computedAt = report.computedAt === null ? null : new Date(report.computedAt).toISOString();
    if (req.accepts(['html', 'json']) === 'json') return void res.json({ refused, computedAt, cycles: report.cycles.map((c) => c.code), rows, handling });
    res.render('reviews/trends', {
      title: req.t('reviews.trends.title'),
      refused,
      cycles: report.cycles,
      filters: {
        departments: report.departments.map((d) => ({ ...d, selected: filter.departmentIds.includes(d.id) })),
        dimensions: report.dimensions.map((d) => ({ ...d, selected: filter.dimensionIds.includes(d.id) })),
      },
      rows,
      handling,
      computedAt,
      computedAtText: report.computedAt === null ? null : minuteOf(report.computedAt),
    });
  });

  return router;
}
