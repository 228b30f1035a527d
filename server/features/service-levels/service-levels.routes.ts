import { Router, type Request, type Response } from 'express';
import { access } from '../../platform/http/access';
import { idParam, parseForm, validationLocals } from '../../platform/http/forms';
import { TARGET_UNITS, TargetInputSchema, type ServiceLevelTarget } from './service-levels.schema';
import type { ServiceLevelsService } from './service-levels.service';

export function describeTarget(req: Request, target: ServiceLevelTarget): { acknowledge: string; respond: string } {
  return {
    acknowledge: req.t(`serviceLevels.unit.${target.acknowledgeUnit}`, { count: target.acknowledgeAmount }),
    respond: req.t(`serviceLevels.unit.${target.respondUnit}`, { count: target.respondAmount }),
  };
}

export function createServiceLevelsRoutes(serviceLevels: ServiceLevelsService): Router {
  const router = Router();

  const renderCatalogue = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const services = await serviceLevels.listServices();
    res.status(status).render('service-levels/admin', {
      title: req.t('serviceLevels.admin.title'),
      services: await Promise.all(
        services.map(async (s) => ({
          ...s,
          current: describeTarget(req, s.target),
          history: (await serviceLevels.targetHistory(s.id)).map((t) => ({ ...describeTarget(req, t), from: t.effectiveFrom === 0 ? req.t('serviceLevels.admin.fromStart') : new Date(t.effectiveFrom).toISOString().slice(0, 10) })),
        })),
      ),
      units: TARGET_UNITS.map((u) => ({ value: u, label: req.t(`serviceLevels.unitName.${u}`) })),
      ...extra,
    });
  };

  router.get('/admin/service-levels', access.roles('admin'), (req, res) => renderCatalogue(req, res));

  router.post('/admin/service-levels/:id/target', access.roles('admin'), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await serviceLevels.changeTarget(req.user!, id, parseForm(TargetInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'serviceLevels.admin.saved' };
      res.redirect(303, '/admin/service-levels');
    } catch (err) {
      await renderCatalogue(req, res, { editId: id, editValues: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  return router;
}
