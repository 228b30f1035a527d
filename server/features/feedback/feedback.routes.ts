import { Router, type Request, type Response } from 'express';
import type { AddressThrottle } from '../../platform/auth/throttles';
import { ORGANISATION_ROLES } from '../../platform/auth/roles';
import { ConflictError, TooManyRequestsError, ValidationError } from '../../platform/errors';
import { access } from '../../platform/http/access';
import { idParam, pageNumber, paginationView, parseForm, validationLocals } from '../../platform/http/forms';
import { publicReadLimit } from '../../platform/http/public-read-limit';
import { dayOf } from '../../platform/privacy/times';
import { ATTRIBUTIONS, FEEDBACK_KINDS, type Attribution } from '../routing/routing.schema';
import {
  DimensionInputSchema,
  FeedbackInputSchema,
  ratingsFromForm,
  ReceiptLookupSchema,
  RevealSchema,
  STAFF_VISIBILITY,
  SubmitterReplySchema,
  VisibilitySchema,
} from './feedback.schema';
import type { FeedbackService, SubmitterView } from './feedback.service';
import { attributionHelpKey } from './promises';
import { newSubmissionKey } from './receipt-codes';

export interface FeedbackRouteDeps {
  feedback: FeedbackService;
  anonymousSubmissions: AddressThrottle;
  receiptLookups: AddressThrottle;
}

const OVERSIGHT_PAGE_SIZE = 25;

/** Searches of the public staff picker a client network may make per minute, in each process. */
export const STAFF_SEARCHES_PER_MINUTE = 120;

export function createFeedbackRoutes({ feedback, anonymousSubmissions, receiptLookups }: FeedbackRouteDeps): Router {
  const countStaffSearch = publicReadLimit({ points: STAFF_SEARCHES_PER_MINUTE, durationSeconds: 60 });
  const router = Router({ caseSensitive: true });
  const clientKey = (req: Request) => req.ip ?? 'unknown';

  async function renderForm(req: Request, res: Response, staffMemberId: number, values: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) {
    const staff = await feedback.staffForForm(staffMemberId);
    if (!staff) return res.redirect(303, '/feedback/new');
    const dimensions = await feedback.listDimensions();
    const visibility = await feedback.staffVisibility();
    const ratings = ratingsFromForm(values);
    const solicitation = typeof values.solicitation === 'string' && values.solicitation !== '' ? values.solicitation : undefined;
    res.status(status).render('feedback/form', {
      title: req.t('feedback.form.title', { name: staff.name }),
      staff,
      kinds: FEEDBACK_KINDS.map((k) => ({ value: k, label: req.t(`feedback.kind.${k}`), checked: values.kind === k })),
      attributions: ATTRIBUTIONS.map((a) => ({
        value: a,
        label: req.t(`feedback.attribution.${a}.label`),
        help: req.t(attributionHelpKey(a, visibility)),
        checked: (values.attribution ?? (req.user ? 'named' : 'anonymous')) === a,
        disabled: a !== 'anonymous' && !req.user,
      })),
      dimensions: dimensions.map((d) => ({ ...d, scores: [1, 2, 3, 4, 5].map((n) => ({ value: n, checked: ratings[d.id] === String(n) })) })),
      values,
      submissionKey: typeof values.submissionKey === 'string' ? values.submissionKey : newSubmissionKey(),
      signedIn: !!req.user,
      solicitation,
      signInUrl: `/sign-in?next=${encodeURIComponent(solicitation ? `/feedback/requested/${solicitation}` : `/feedback/new?staff=${staff.id}`)}`,
      ...extra,
    });
  }

  router.get('/feedback/new', access.public(), async (req, res) => {
    const staffMemberId = Number(req.query.staff);
    if (Number.isInteger(staffMemberId) && staffMemberId > 0) return renderForm(req, res, staffMemberId, {});
    const query = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    // Searching the directory is limited per client network; opening the form about someone is not.
    if (query) await countStaffSearch(req);
    res.render('feedback/pick', { title: req.t('feedback.pick.title'), query, staff: query ? await feedback.searchStaff(query) : [] });
  });

  // A community member's link from a request for input: the usual form, about the staff member asked about.
  router.get('/feedback/requested/:token', access.public(), async (req, res) => {
    const token = String(req.params.token);
    const link = await feedback.requestedLink(token);
    if (link.state !== 'open') {
      return res.status(link.state === 'expired' ? 410 : 200).render('feedback/requested-state', { title: req.t('feedback.requested.title'), message: req.t(`feedback.requested.${link.state}`) });
    }
    await renderForm(req, res, link.staffMemberId, { solicitation: token }, { requested: { deadlineOn: link.deadlineOn } });
  });

  router.post('/feedback', access.public(), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    try {
      const input = parseForm(FeedbackInputSchema, { ...body, ratings: ratingsFromForm(body) });
      const outcome = await feedback.submit(req.user, input, { takeAnonymous: () => anonymousSubmissions.take(clientKey(req)) });
      res.render('feedback/submitted', { title: req.t('feedback.submitted.title'), outcome, attributionLabel: req.t(`feedback.attribution.${outcome.attribution}.label`) });
    } catch (err) {
      if (err instanceof ValidationError && Number(body.staffMemberId) > 0) {
        const { errors, formError } = validationLocals(req, err);
        // The schema reports a rating as "ratings.<id>"; the form's field is "rating_<id>".
        const fieldErrors = Object.fromEntries(Object.entries(errors).map(([field, message]) => [field.replace(/^ratings\.(\d+)$/, 'rating_$1'), message]));
        // A used or expired request link: what was typed stays, and can be sent as ordinary feedback.
        const values = errors.solicitation ? { ...body, solicitation: '' } : body;
        return renderForm(req, res, Number(body.staffMemberId), values, { errors: fieldErrors, formError }, 422);
      }
      // Over the limit: the form comes back with everything typed, to send again later.
      if (err instanceof TooManyRequestsError) {
        return renderForm(req, res, Number(body.staffMemberId), body, { formError: req.t('feedback.errors.tooMany', { minutes: Math.ceil(err.retryAfterSeconds / 60) }) }, 429);
      }
      if (err instanceof ConflictError && Number(body.staffMemberId) > 0) {
        return renderForm(req, res, Number(body.staffMemberId), body, { formError: req.t(err.messageKey) }, 409);
      }
      if (err instanceof ValidationError) return res.redirect(303, '/feedback/new');
      throw err;
    }
  });

  const submitterLocals = (req: Request, view: SubmitterView) => ({
    view,
    status: req.t(`inbox.status.${view.item.status}`),
    open: view.item.status !== 'closed',
    events: view.events
      .filter((e) => e.type !== 'received')
      .map((e) => ({
        ...e,
        label: req.t(`feedback.thread.${e.actor === 'submitter' ? 'you' : 'staff'}`),
        date: dayOf(e.createdAt),
        committed: e.committedDate ?? null,
      })),
  });

  router.get('/feedback/mine', access.signedIn(), async (req, res) => {
    res.render('feedback/mine', { title: req.t('feedback.mine.title'), items: await feedback.mine(req.user!) });
  });

  router.get('/feedback/mine/:id', access.signedIn(), async (req, res) => {
    const view = await feedback.mineView(req.user!, String(req.params.id));
    res.render('feedback/thread', { title: view.content.reference, ...submitterLocals(req, view), replyAction: `/feedback/mine/${view.content.reference}/reply` });
  });

  router.post('/feedback/mine/:id/reply', access.signedIn(), async (req, res) => {
    const id = String(req.params.id);
    try {
      await feedback.mineReply(req.user!, id, parseForm(SubmitterReplySchema, req.body).body);
      req.session.flash = { kind: 'success', key: 'feedback.thread.sent' };
      res.redirect(303, `/feedback/mine/${id}`);
    } catch (err) {
      const view = await feedback.mineView(req.user!, id);
      const closed = err instanceof ConflictError;
      const messages = closed ? { formError: req.t(err.messageKey) } : validationLocals(req, err);
      res.status(closed ? 409 : 422).render('feedback/thread', { title: view.content.reference, ...submitterLocals(req, view), replyAction: `/feedback/mine/${id}/reply`, replyValues: req.body, ...messages });
    }
  });

  // The receipt code travels in the form body only (never in a URL, a cookie or the session), so
  // nothing ties an anonymous item to a browser or an account.
  router.get('/receipt', access.public(), (req, res) => {
    res.render('feedback/receipt', { title: req.t('feedback.receipt.title') });
  });

  const receiptNotFound = (req: Request, res: Response) =>
    res.status(404).render('feedback/receipt', { title: req.t('feedback.receipt.title'), errors: { code: req.t('feedback.receipt.notFound') } });

  /**
   * Every use of a receipt code counts against the client before the code is looked at, so a burst
   * of parallel guesses cannot slip past; a right code gives its point back.
   */
  async function withReceipt(req: Request, res: Response, use: (code: string) => Promise<void>) {
    let code: string;
    try {
      code = parseForm(ReceiptLookupSchema, req.body).code;
    } catch (err) {
      return res.status(422).render('feedback/receipt', { title: req.t('feedback.receipt.title'), ...validationLocals(req, err) });
    }
    const wait = await receiptLookups.take(clientKey(req));
    if (wait > 0) throw new TooManyRequestsError(wait);
    if (!(await feedback.receiptView(code))) return receiptNotFound(req, res);
    await receiptLookups.give(clientKey(req));
    await use(code);
  }

  async function renderReceiptThread(req: Request, res: Response, code: string, extra: Record<string, unknown> = {}, status = 200) {
    const view = await feedback.receiptView(code);
    if (!view) return receiptNotFound(req, res);
    res.status(status).render('feedback/thread', { title: view.content.reference, ...submitterLocals(req, view), receiptCode: code, replyAction: '/receipt/reply', anonymous: true, ...extra });
  }

  router.post('/receipt', access.public(), (req, res) => withReceipt(req, res, (code) => renderReceiptThread(req, res, code)));

  router.post('/receipt/reply', access.public(), (req, res) =>
    withReceipt(req, res, async (code) => {
      try {
        await feedback.receiptReply(code, parseForm(SubmitterReplySchema, req.body).body);
        await renderReceiptThread(req, res, code, { flash: { kind: 'success', key: 'feedback.thread.sent' } });
      } catch (err) {
        if (err instanceof ConflictError) return renderReceiptThread(req, res, code, { replyValues: req.body, formError: req.t(err.messageKey) }, 409);
        await renderReceiptThread(req, res, code, { replyValues: req.body, ...validationLocals(req, err) }, 422);
      }
    }),
  );

  router.get('/feedback/about-me', access.roles(...ORGANISATION_ROLES), async (req, res) => {
    const { visibility, items } = await feedback.aboutMe(req.user!);
    res.render('feedback/about-me', { title: req.t('feedback.aboutMe.title'), items, visibilityNote: req.t(`feedback.visibility.${visibility}`) });
  });

  router.get('/feedback/items', access.roles('hr', 'complaints'), async (req, res) => {
    const attribution = (ATTRIBUTIONS as readonly string[]).includes(String(req.query.attribution)) ? (req.query.attribution as Attribution) : undefined;
    const page = await feedback.oversight(req.user!, { attribution, page: pageNumber(req.query.page), pageSize: OVERSIGHT_PAGE_SIZE });
    res.render('feedback/oversight', {
      title: req.t('feedback.oversight.title'),
      entries: page.items,
      pagination: paginationView(page, '/feedback/items', { attribution }),
      attributions: ATTRIBUTIONS.map((a) => ({ value: a, label: req.t(`feedback.attribution.${a}.label`), selected: a === attribution })),
    });
  });

  router.get('/feedback/items/:id/reveal', access.roles('hr', 'complaints'), (req, res) => {
    res.render('feedback/reveal', { title: req.t('feedback.reveal.title'), reference: String(req.params.id), values: {} });
  });

  router.post('/feedback/items/:id/reveal', access.roles('hr', 'complaints'), async (req, res) => {
    const reference = String(req.params.id);
    try {
      const { reason } = parseForm(RevealSchema, req.body);
      const identity = await feedback.reveal(req.user!, reference, reason);
      res.render('feedback/reveal', { title: req.t('feedback.reveal.title'), reference, identity });
    } catch (err) {
      res.status(422).render('feedback/reveal', { title: req.t('feedback.reveal.title'), reference, values: req.body, ...validationLocals(req, err) });
    }
  });

  const renderSettings = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const visibility = await feedback.staffVisibility();
    res.status(status).render('feedback/settings', {
      title: req.t('feedback.settings.title'),
      dimensions: await feedback.listAllDimensions(),
      visibilities: STAFF_VISIBILITY.map((v) => ({ value: v, label: req.t(`feedback.visibility.${v}`), checked: v === visibility })),
      ...extra,
    });
  };

  router.get('/admin/feedback', access.roles('admin'), (req, res) => renderSettings(req, res));

  router.post('/admin/feedback/visibility', access.roles('admin'), async (req, res) => {
    try {
      await feedback.setStaffVisibility(req.user!, parseForm(VisibilitySchema, req.body).staffVisibility);
      req.session.flash = { kind: 'success', key: 'feedback.settings.saved' };
      res.redirect(303, '/admin/feedback');
    } catch (err) {
      await renderSettings(req, res, validationLocals(req, err), 422);
    }
  });

  router.post('/admin/feedback/dimensions/:id', access.roles('admin'), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await feedback.updateDimension(req.user!, id, parseForm(DimensionInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'feedback.settings.saved' };
      res.redirect(303, '/admin/feedback');
    } catch (err) {
      await renderSettings(req, res, { editId: id, ...validationLocals(req, err) }, 422);
    }
  });

  return router;
}
