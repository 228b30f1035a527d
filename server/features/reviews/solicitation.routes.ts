import { Router, type Request, type Response } from 'express';
import { access } from '../../platform/http/access';
import { idParam, parseForm, validationLocals } from '../../platform/http/forms';
import { MAX_ADDRESSES_PER_REQUEST, SolicitationInputSchema } from './solicitation.schema';
import { deadlineDay, type SolicitationService } from './solicitation.service';

/** A form value that may arrive once or repeated (checkboxes). */
const many = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

// Managers above the staff member and HR; the service refuses everyone else with a 404.
export function createSolicitationRoutes({ solicitations, minimumGroupSize }: { solicitations: SolicitationService; minimumGroupSize: number }): Router {
  const router = Router({ caseSensitive: true });
  const path = '/reviews/cycles/:cycleId/staff/:staffId/solicit';
  const who = () => access.roles('manager', 'executive', 'hr');
  const ids = (req: Request) => ({ cycleId: idParam(req.params.cycleId), staffId: idParam(req.params.staffId) });

  const renderPage = async (req: Request, res: Response, values: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) => {
    const { cycleId, staffId } = ids(req);
    const page = await solicitations.solicitPage(req.user!, cycleId, staffId);
    const ticked = new Set(many(values.suggested));
    res.status(status).render('reviews/solicit', {
      title: req.t('reviews.solicit.title', { name: page.staff.name, code: page.cycle.code }),
      action: `/reviews/cycles/${page.cycle.id}/staff/${page.staff.id}/solicit`,
      cycle: page.cycle,
      staff: page.staff,
      suggestions: page.suggestions.map((s) => ({
        ...s,
        checked: ticked.has(s.handle),
        reason: [...s.groups, ...(s.gaveNamedFeedback ? [req.t('reviews.solicit.gaveNamedFeedback')] : [])].join(', '),
      })),
      // Who answered, and how many, stay unshown: asking one more person and watching the number
      // move would name the author of an anonymous answer. Reminders go out on their own.
      // Someone asked from a suggestion shows by name only: the reader never had their address.
      requests: page.requests.map((r) => ({
        who: r.displayName || r.email || req.t(r.fromSuggestion ? 'reviews.solicit.unnamed' : 'reviews.solicit.addressErased'),
        deadlineOn: deadlineDay(r.deadlineAt),
      })),
      // The manager knows whom they asked: with few of them, an anonymous answer is easy to place.
      fewAsked: page.requests.length < minimumGroupSize,
      minimum: minimumGroupSize,
      values: { deadlineOn: page.defaultDeadline, ...values },
      latestDeadline: page.latestDeadline,
      maxAddresses: MAX_ADDRESSES_PER_REQUEST,
      ...extra,
    });
  };

  router.get(path, who(), (req, res) => renderPage(req, res, {}));

  router.post(path, who(), async (req, res) => {
    const { cycleId, staffId } = ids(req);
    try {
      const { requested } = await solicitations.request(req.user!, cycleId, staffId, parseForm(SolicitationInputSchema, req.body));
      req.session.flash = { kind: 'success', key: requested > 0 ? 'reviews.solicit.sent' : 'reviews.solicit.nothingNew' };
      res.redirect(303, `/reviews/cycles/${cycleId}/staff/${staffId}/solicit`);
    } catch (err) {
      await renderPage(req, res, req.body, validationLocals(req, err), 422);
    }
  });

  return router;
}
