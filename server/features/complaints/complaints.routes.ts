import { Router, type Request, type Response } from 'express';
import type { AddressThrottle } from '../../platform/auth/throttles';
import { access } from '../../platform/http/access';
import { parseForm, validationLocals } from '../../platform/http/forms';
import { NotFoundError } from '../../platform/errors';
import { COMPLAINT_CATEGORIES, ComplaintInputSchema, halfYearOf, HalfYearSchema, REDIRECTS, ResolveSchema, TriageSchema, type Complaint, type ComplaintEvent } from './complaints.schema';
import type { ComplaintsService } from './complaints.service';
import { describeTarget, type ServiceLevelTarget } from '../service-levels';

const day = (at: number | null) => (at === null ? null : new Date(at).toISOString().slice(0, 10));

export function createComplaintsRoutes({ complaints, target, submissions }: { complaints: ComplaintsService; target: () => Promise<ServiceLevelTarget | undefined>; submissions: AddressThrottle }): Router {
  const router = Router({ caseSensitive: true });
  const reference = (req: Request) => {
    const value = String(req.params.reference);
    if (!/^C-\d{4}-\d{5}$/.test(value)) throw new NotFoundError();
    return value;
  };
  const complaintView = (req: Request, complaint: Complaint, events: ComplaintEvent[]) => ({
    complaint,
    status: req.t(`complaints.status.${complaint.status}`),
    redirectedTo: complaint.redirectedTo ? req.t(`complaints.redirect.${complaint.redirectedTo}`) : null,
    dates: { received: day(complaint.receivedAt), acknowledgeDue: day(complaint.acknowledgeDueAt), respondDue: day(complaint.respondDueAt), resolved: day(complaint.resolvedAt), published: day(complaint.publishedAt) },
    events: events.map((e) => ({ ...e, date: day(e.createdAt), label: req.t(`complaints.event.${e.type}`) })),
  });

  // The process and its timeframes come first (WS2: tell the complainant before they submit).
  const renderForm = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    res.status(status).render('complaints/new', {
      title: req.t('complaints.new.title'),
      targets: await target().then((t) => (t ? describeTarget(req, t) : undefined)),
      categories: COMPLAINT_CATEGORIES.map((c) => ({ value: c, label: req.t(`complaints.category.${c}`) })),
      signedIn: !!req.user,
      values: {},
      ...extra,
    });
  };

  router.get('/complaints/new', access.public(), (req, res) => renderForm(req, res));

  router.post('/complaints', access.signedIn(), async (req, res) => {
    // Counted before anything is read, so a flood of posts, valid or not, is slowed the same.
    const wait = await submissions.take(req.ip ?? 'unknown');
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return renderForm(req, res, { values: req.body, formError: req.t('complaints.errors.tooMany', { minutes: Math.ceil(wait / 60) }) }, 429);
    }
    try {
      const complaint = await complaints.submit(req.user!, parseForm(ComplaintInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'complaints.flash.received' };
      res.redirect(303, `/complaints/mine/${complaint.reference}`);
    } catch (err) {
      await renderForm(req, res, { values: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  router.get('/complaints/mine', access.signedIn(), async (req, res) => {
    res.render('complaints/mine', { title: req.t('complaints.mine.title'), complaints: (await complaints.mine(req.user!)).map((c) => ({ ...c, statusLabel: req.t(`complaints.status.${c.status}`) })) });
  });

  router.get('/complaints/mine/:reference', access.signedIn(), async (req, res) => {
    const { complaint, events } = await complaints.mineView(req.user!, reference(req));
    res.render('complaints/complaint', { title: complaint.reference, ...complaintView(req, complaint, events) });
  });

  router.get('/complaints/office', access.roles('complaints'), async (req, res) => {
    res.render('complaints/office', {
      title: req.t('complaints.office.title'),
      complaints: (await complaints.officeList(req.user!)).map((c) => ({ ...c, statusLabel: req.t(`complaints.status.${c.status}`), received: day(c.receivedAt), registerLabel: req.t(c.publishedAt === null ? 'complaints.office.awaitingApproval' : 'complaints.office.published') })),
    });
  });

  const renderOffice = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const { complaint, events } = await complaints.officeView(req.user!, reference(req));
    res.status(status).render('complaints/complaint', {
      title: complaint.reference,
      office: true,
      decisions: ['in_scope', ...REDIRECTS].map((d) => ({ value: d, label: req.t(`complaints.decision.${d}`) })),
      ...complaintView(req, complaint, events),
      ...extra,
    });
  };

  router.get('/complaints/office/:reference', access.roles('complaints'), (req, res) => renderOffice(req, res));

  router.post('/complaints/office/:reference/acknowledge', access.roles('complaints'), async (req, res) => {
    await complaints.acknowledge(req.user!, reference(req));
    res.redirect(303, `/complaints/office/${reference(req)}`);
  });

  router.post('/complaints/office/:reference/publish', access.roles('complaints'), async (req, res) => {
    await complaints.publish(req.user!, reference(req));
    res.redirect(303, `/complaints/office/${reference(req)}`);
  });

  router.post('/complaints/office/:reference/triage', access.roles('complaints'), async (req, res) => {
    try {
      const { decision, reason } = parseForm(TriageSchema, req.body);
      await complaints.triage(req.user!, reference(req), decision, reason);
      res.redirect(303, `/complaints/office/${reference(req)}`);
    } catch (err) {
      await renderOffice(req, res, { triageValues: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  router.post('/complaints/office/:reference/resolve', access.roles('complaints'), async (req, res) => {
    try {
      await complaints.resolve(req.user!, reference(req), parseForm(ResolveSchema, req.body).resolution);
      res.redirect(303, `/complaints/office/${reference(req)}`);
    } catch (err) {
      await renderOffice(req, res, { resolveValues: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  router.get('/complaints/register', access.public(), async (req, res) => {
    const entries = await complaints.register();
    res.render('complaints/register', { title: req.t('complaints.register.title'), entries: entries.map((e) => ({ ...e, statusLabel: req.t(`complaints.status.${e.status}`) })) });
  });

  router.get('/complaints/register.json', access.public(), async (_req, res) => {
    res.json({ complaints: await complaints.register() });
  });

  router.get('/complaints/report', access.public(), async (req, res) => {
    const period = HalfYearSchema.safeParse(req.query.period).success ? String(req.query.period) : halfYearOf(Date.now());
    const report = await complaints.report(period);
    if (req.accepts(['html', 'json']) === 'json') return void res.json(report);
    res.render('complaints/report', {
      title: req.t('complaints.report.title', { period }),
      report,
      categories: report.categories.map((c) => ({ ...c, label: req.t(`complaints.category.${c.category}`) })),
      redirected: REDIRECTS.map((r) => ({ label: req.t(`complaints.redirect.${r}`), count: report.redirected[r] })),
    });
  });

  return router;
}
