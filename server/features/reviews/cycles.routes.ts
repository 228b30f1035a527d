import { Router, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import { ConflictError } from '../../platform/errors';
import { access } from '../../platform/http/access';
import { idParam, parseForm, validationLocals } from '../../platform/http/forms';
import { codeForDay, CycleInputSchema, periodOfCode, type ReviewCycle } from './cycles.schema';
import type { ReviewCyclesService } from './cycles.service';

/** The form's suggestions for a code: its half-year, and a review window of the month after it. */
export function cycleDefaults(code: string): Record<string, string> {
  const period = periodOfCode(code);
  if (!period) return { code };
  const after = DateTime.fromISO(period.endsOn, { zone: 'utc' }).plus({ days: 1 });
  return { code, ...period, reviewOpensOn: after.toISODate()!, reviewClosesOn: after.endOf('month').toISODate()! };
}

// Review cycles are HR's: every route here is for HR alone, and the service checks again.
export function createCycleRoutes({ cycles, now }: { cycles: ReviewCyclesService; now: () => number }): Router {
  const router = Router({ caseSensitive: true });
  const hr = () => access.roles('hr');

  const cycleView = (req: Request, cycle: ReviewCycle) => ({ ...cycle, statusLabel: req.t(`reviews.status.${cycle.status}`) });

  const renderForm = (req: Request, res: Response, locals: { cycle?: ReviewCycle; values: Record<string, unknown> } & Record<string, unknown>, status = 200) => {
    const { cycle } = locals;
    res.status(status).render('reviews/cycle-form', {
      title: cycle ? req.t('reviews.cycles.editTitle', { code: cycle.code }) : req.t('reviews.cycles.newTitle'),
      action: cycle ? `/reviews/cycles/${cycle.id}` : '/reviews/cycles',
      ...locals,
      cycle: cycle && cycleView(req, cycle),
    });
  };

  router.get('/reviews/cycles', hr(), async (req, res) => {
    const list = await cycles.list(req.user!);
    res.render('reviews/cycles', { title: req.t('reviews.cycles.title'), cycles: list.map((c) => cycleView(req, c)) });
  });

  router.get('/reviews/cycles/new', hr(), (req, res) => {
    const asked = typeof req.query.code === 'string' ? req.query.code.trim().toUpperCase() : '';
    const code = periodOfCode(asked) ? asked : codeForDay(DateTime.fromMillis(now(), { zone: 'utc' }).toISODate()!);
    renderForm(req, res, { values: { ...cycleDefaults(code), guidance: req.t('reviews.cycles.defaultGuidance') } });
  });

  router.post('/reviews/cycles', hr(), async (req, res) => {
    try {
      const id = await cycles.create(req.user!, parseForm(CycleInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'reviews.cycles.created' };
      res.redirect(303, `/reviews/cycles/${id}`);
    } catch (err) {
      renderForm(req, res, { values: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  router.get('/reviews/cycles/:id', hr(), async (req, res) => {
    const cycle = await cycles.cycle(req.user!, idParam(req.params.id));
    renderForm(req, res, { cycle, values: { ...cycle, staffSeeUnreviewed: cycle.staffSeeUnreviewed ? 'yes' : '' } });
  });

  router.post('/reviews/cycles/:id', hr(), async (req, res) => {
    const cycle = await cycles.cycle(req.user!, idParam(req.params.id));
    try {
      await cycles.update(req.user!, cycle.id, parseForm(CycleInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'reviews.cycles.saved' };
      res.redirect(303, `/reviews/cycles/${cycle.id}`);
    } catch (err) {
      if (err instanceof ConflictError) return renderForm(req, res, { cycle, values: req.body, formError: req.t(err.messageKey) }, 409);
      renderForm(req, res, { cycle, values: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  for (const step of ['open', 'close'] as const) {
    router.post(`/reviews/cycles/:id/${step}`, hr(), async (req, res) => {
      const id = idParam(req.params.id);
      await cycles[step](req.user!, id);
      req.session.flash = { kind: 'success', key: step === 'open' ? 'reviews.cycles.opened' : 'reviews.cycles.closed' };
      res.redirect(303, `/reviews/cycles/${id}`);
    });
  }

  return router;
}
