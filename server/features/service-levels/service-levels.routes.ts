import { Router, type Request, type RequestHandler, type Response } from 'express';
import { access } from '../../platform/http/access';
import { idParam, parseForm, validationLocals } from '../../platform/http/forms';
import { publicReadLimit } from '../../platform/http/public-read-limit';
import {
  ESCALATION_TARGETS,
  EscalationStepSchema,
  HolidaySchema,
  NewServiceSchema,
  ServiceInputSchema,
  TARGET_UNITS,
  TargetInputSchema,
  type ServiceLevelTarget,
} from './service-levels.schema';
import type { ServiceLevelsService } from './service-levels.service';
import { minuteOf } from '../../platform/privacy/times';
import { WINDOW_DAYS } from './performance';

/** Views of the public page and its JSON a client network may make per minute, in each process. */
export const PUBLIC_REPORT_VIEWS_PER_MINUTE = 120;

export function describeTarget(req: Request, target: ServiceLevelTarget): { acknowledge: string; respond: string } {
  return {
    acknowledge: req.t(`serviceLevels.unit.${target.acknowledgeUnit}`, { count: target.acknowledgeAmount }),
    respond: req.t(`serviceLevels.unit.${target.respondUnit}`, { count: target.respondAmount }),
  };
}

export function createServiceLevelsRoutes(serviceLevels: ServiceLevelsService): Router {
  const router = Router({ caseSensitive: true });

  const renderCatalogue = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const services = await serviceLevels.listServices();
    res.status(status).render('service-levels/admin', {
      title: req.t('serviceLevels.admin.title'),
      services: await Promise.all(
        services.map(async (s) => ({
          ...s,
          steps: (await serviceLevels.escalationSteps(s.code)).map((step) => ({
            ...step,
            label: req.t('serviceLevels.ladder.step', {
              when: req.t(step.offsetMinutes < 0 ? 'serviceLevels.ladder.before' : 'serviceLevels.ladder.after', { minutes: Math.abs(step.offsetMinutes) }),
              due: req.t(`serviceLevels.dueKind.${step.due}`),
              target: req.t(`serviceLevels.ladder.target.${step.target}`),
            }),
          })),
          current: describeTarget(req, s.target),
          history: (await serviceLevels.targetHistory(s.id)).map((t) => ({ ...describeTarget(req, t), from: t.effectiveFrom === 0 ? req.t('serviceLevels.admin.fromStart') : new Date(t.effectiveFrom).toISOString().slice(0, 10) })),
        })),
      ),
      units: TARGET_UNITS.map((u) => ({ value: u, label: req.t(`serviceLevels.unitName.${u}`) })),
      stepTargets: ESCALATION_TARGETS.map((t) => ({ value: t, label: req.t(`serviceLevels.ladder.target.${t}`) })),
      calendars: await Promise.all(
        [...new Map(services.map((s) => [s.calendar.id, s.calendar])).values()].map(async (c) => ({ ...c, holidayList: await serviceLevels.holidays(c.id) })),
      ),
      newService: {},
      ...extra,
    });
  };

  // The public page (WS2 7.3.3): every service and its targets in one place, with how they are met,
  // as a job last computed it (the figures are never computed for a request).
  async function publicReport(req: Request) {
    const report = await serviceLevels.publicReport();
    return {
      computedAt: new Date(report.computedAt).toISOString(),
      services: report.services.map(({ service, performance }) => ({
        code: service.code,
        name: service.name,
        owner: service.owner,
        expectation: service.expectation,
        target: describeTarget(req, service.target),
        received: performance.received,
        figures: performance.figures,
      })),
    };
  }
  const countView = publicReadLimit({ points: PUBLIC_REPORT_VIEWS_PER_MINUTE, durationSeconds: 60 });
  const limit: RequestHandler = async (req, _res, next) => {
    await countView(req);
    next();
  };

  router.get('/service-levels', access.public(), limit, async (req, res) => {
    const { computedAt, services } = await publicReport(req);
    const percent = (share: number | null) => (share === null ? null : `${Math.round(share * 100)}%`);
    res.render('service-levels/public', {
      title: req.t('serviceLevels.public.title'),
      windowDays: WINDOW_DAYS,
      minimum: serviceLevels.minimumItemsForFigures,
      computedAt,
      computedAtText: minuteOf(Date.parse(computedAt)),
      services: services.map((s) => ({
        ...s,
        shown: s.figures && { ...s.figures, acknowledgedWithinTarget: percent(s.figures.acknowledgedWithinTarget), respondedWithinTarget: percent(s.figures.respondedWithinTarget), timeframesKept: percent(s.figures.timeframesKept) },
      })),
      // Read by public/js/service-levels.js from a data attribute: no inline script under the CSP.
      chart: JSON.stringify({
        labels: services.map((s) => s.name),
        datasets: [
          { label: req.t('serviceLevels.public.acknowledgedWithinTarget'), data: services.map((s) => (s.figures?.acknowledgedWithinTarget ?? null) && Math.round(s.figures!.acknowledgedWithinTarget! * 100)) },
          { label: req.t('serviceLevels.public.respondedWithinTarget'), data: services.map((s) => (s.figures?.respondedWithinTarget ?? null) && Math.round(s.figures!.respondedWithinTarget! * 100)) },
        ],
      }),
    });
  });

  router.get('/service-levels.json', access.public(), limit, async (req, res) => {
    const { computedAt, services } = await publicReport(req);
    res.json({ windowDays: WINDOW_DAYS, minimumItemsForFigures: serviceLevels.minimumItemsForFigures, computedAt, services });
  });

  router.get('/admin/service-levels', access.roles('admin'), (req, res) => renderCatalogue(req, res));

  /** One admin form: parse, act, come back to the catalogue, or show it again with the messages. */
  const adminAction = (path: string, act: (req: Request) => Promise<unknown>, formLocals: (req: Request) => Record<string, unknown>) =>
    router.post(path, access.roles('admin'), async (req, res) => {
      try {
        await act(req);
        req.session.flash = { kind: 'success', key: 'serviceLevels.admin.saved' };
        res.redirect(303, '/admin/service-levels');
      } catch (err) {
        await renderCatalogue(req, res, { ...formLocals(req), ...validationLocals(req, err) }, 422);
      }
    });

  adminAction('/admin/service-levels', (req) => serviceLevels.addService(req.user!, parseForm(NewServiceSchema, req.body)), (req) => ({ newService: req.body, addingService: true }));
  adminAction('/admin/service-levels/:id/details', (req) => serviceLevels.updateService(req.user!, idParam(req.params.id), parseForm(ServiceInputSchema, req.body)), (req) => ({ editId: Number(req.params.id) }));
  adminAction('/admin/service-levels/calendars/:id/holidays', (req) => {
    const { date, name } = parseForm(HolidaySchema, req.body);
    return serviceLevels.addHoliday(req.user!, idParam(req.params.id), date, name);
  }, (req) => ({ holidayCalendarId: Number(req.params.id), holidayValues: req.body }));
  adminAction('/admin/service-levels/calendars/:id/holidays/:date/delete', (req) => serviceLevels.removeHoliday(req.user!, idParam(req.params.id), parseForm(HolidaySchema, { date: req.params.date }).date), () => ({}));
  adminAction('/admin/service-levels/:id/steps', (req) => serviceLevels.addEscalationStep(req.user!, idParam(req.params.id), parseForm(EscalationStepSchema, req.body)), (req) => ({ editId: Number(req.params.id), stepValues: req.body }));
  adminAction('/admin/service-levels/steps/:id/delete', (req) => serviceLevels.removeEscalationStep(req.user!, idParam(req.params.id)), () => ({}));

  adminAction('/admin/service-levels/:id/target', (req) => serviceLevels.changeTarget(req.user!, idParam(req.params.id), parseForm(TargetInputSchema, req.body)), (req) => ({ editId: Number(req.params.id), editValues: req.body }));

  return router;
}
