import { Router, type Request, type Response } from 'express';
import { access } from '../../platform/http/access';
import { parsePage, rawAnswersFromForm, visibleQuestions, type RawAnswers, type SurveyPage } from './answers';
import { answerPageView } from './answer-view';
import type { AnsweringService, AnsweringSession, LinkState } from './answering.service';

const ACTIONS = ['back', 'next', 'save', 'submit'] as const;
type Action = (typeof ACTIONS)[number];

/** Pages whose questions are all hidden by their conditions are passed over. */
function neighbour(pages: readonly SurveyPage[], from: number, step: 1 | -1, raw: RawAnswers): number | null {
  for (let i = from + step; i >= 0 && i < pages.length; i += step) if (visibleQuestions(pages[i]!, raw).length > 0) return i;
  return null;
}

// The link's secret is the path: /s/<token>. Nothing else identifies the member, and the logger
// replaces the secret (see platform/logger).
export function createAnsweringRoutes({ answering }: { answering: AnsweringService }): Router {
  const router = Router({ caseSensitive: true });
  const token = (req: Request) => String(req.params.token);

  const renderState = (req: Request, res: Response, state: Exclude<LinkState, 'open'>, survey: { title: string }) => {
    res.status(state === 'closed' ? 410 : 200).render('surveys/link-state', { title: survey.title, message: req.t(`surveys.link.${state}`) });
  };

  const renderPage = (req: Request, res: Response, session: AnsweringSession, index: number, raw: RawAnswers, errors: Record<string, string> = {}, status = 200) => {
    const page = session.pages[Math.min(Math.max(index, 0), session.pages.length - 1)]!;
    const view = answerPageView(session.pages, page, raw, errors, req.t);
    res.status(status).render('surveys/answer', {
      title: session.survey.title,
      action: `/s/${token(req)}`,
      page: page.index,
      closesOn: new Date(session.survey.closesAt - 1).toISOString().slice(0, 10),
      hasErrors: Object.keys(errors).length > 0,
      promise: session.promise,
      ...view,
      isFirst: neighbour(session.pages, page.index, -1, raw) === null,
      isLast: neighbour(session.pages, page.index, 1, raw) === null,
    });
  };

  router.get('/s/:token', access.public(), async (req, res) => {
    const session = await answering.open(token(req));
    if (session.state !== 'open') return renderState(req, res, session.state, session.survey);
    const requested = Number(req.query.page);
    renderPage(req, res, session, Number.isInteger(requested) ? requested : 0, session.saved);
  });

  router.post('/s/:token', access.public(), async (req, res) => {
    const session = await answering.open(token(req));
    if (session.state !== 'open') return renderState(req, res, session.state, session.survey);
    const raw = rawAnswersFromForm(session.pages, req.body as Record<string, unknown>);
    const current = Math.min(Math.max(Number(req.body.page) || 0, 0), session.pages.length - 1);
    const action: Action = (ACTIONS as readonly string[]).includes(req.body.action) ? req.body.action : 'next';

    if (action === 'save') {
      const state = await answering.save(session, raw);
      if (state !== 'open') return renderState(req, res, state, session.survey);
      return res.render('surveys/link-state', { title: session.survey.title, message: req.t('surveys.link.saved', { closesOn: new Date(session.survey.closesAt - 1).toISOString().slice(0, 10) }), resumeUrl: `/s/${token(req)}?page=${current}` });
    }
    if (action === 'back') return renderPage(req, res, session, neighbour(session.pages, current, -1, raw) ?? current, raw);
    if (action === 'next') {
      const { errors } = parsePage(session.pages[current]!, raw);
      if (Object.keys(errors).length > 0) return renderPage(req, res, session, current, raw, errors, 422);
      return renderPage(req, res, session, neighbour(session.pages, current, 1, raw) ?? current, raw);
    }
    const outcome = await answering.submit(session, raw);
    if (outcome.outcome === 'invalid') return renderPage(req, res, session, outcome.page, raw, outcome.errors, 422);
    if (outcome.outcome === 'closed') return renderState(req, res, 'closed', session.survey);
    // A second submit with the same link lands on the same page: harmless.
    res.redirect(303, '/surveys/thank-you');
  });

  router.get('/surveys/thank-you', access.public(), (req, res) => {
    res.render('surveys/thank-you', { title: req.t('surveys.thankYou.title') });
  });

  return router;
}
