import { Router, type Request, type RequestHandler, type Response } from 'express';
import { access } from '../../platform/http/access';
import { sendExport, type ExportRow, type ExportSheet } from '../../platform/exports';
import { idParam, pageNumber, paginationView, parseForm, uploadedText, validationLocals } from '../../platform/http/forms';
import { addressesFromCsv } from './audience-file';
import { DEFAULT_MINIMUM_GROUP_SIZE, MINIMUM_GROUP_SIZE_FLOOR } from '../../platform/privacy/aggregates';
import { SELF_ASSESSMENT_DEFINITION } from './default-template';
import { pagesOf } from './answers';
import { answerPageView } from './answer-view';
import type { SurveyResults } from './results';
import { AUDIENCES, SurveyInputSchema, TemplateInputSchema, type Survey } from './surveys.schema';
import type { SurveysService } from './surveys.service';
import type { DefinitionProblem } from './template.schema';

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

export interface SurveyRoutesDeps {
  surveys: SurveysService;
  /** Working groups to offer as an audience. */
  groupChoices(): Promise<Array<{ id: number; name: string }>>;
  defaultMinimumGroupSize: number;
  acceptUpload: RequestHandler[];
}

/** Results as the page, the charts and the exports show them: one row per question or matrix statement. */
export function resultsView(req: Request, results: SurveyResults) {
  return results.questions.map((q, i) => {
    const figures = q.scale ?? q.choices;
    const distribution = figures && !figures.suppressed ? figures.distribution.map((d, j) => ({ label: q.labels[j] ?? String(d.value), count: d.count })) : [];
    return {
      id: `question-${i}`,
      section: q.staff ? `${q.sectionTitle}: ${q.staff.name}` : q.sectionTitle,
      question: q.statement ? `${q.question}: ${q.statement}` : q.question,
      type: q.type,
      suppressed: (figures ?? q.comments)?.suppressed ?? false,
      count: figures && !figures.suppressed ? figures.count : null,
      mean: q.scale && !q.scale.suppressed ? q.scale.mean : null,
      median: q.scale && !q.scale.suppressed ? q.scale.median : null,
      skipped: q.skipped,
      distribution,
      comments: q.comments && !q.comments.suppressed ? q.comments.comments : null,
      // Read by public/js/survey-results.js (no inline script under the CSP).
      chart: distribution.length ? JSON.stringify({ labels: distribution.map((d) => d.label), counts: distribution.map((d) => d.count), label: req.t('surveys.results.respondents') }) : null,
    };
  });
}

/** Creating a survey may carry the audience list as a file; csrf.acceptUpload checks its token once read. */
export const SURVEY_CREATE_PATH = '/surveys';

export function createSurveysRoutes({ surveys, groupChoices, defaultMinimumGroupSize, acceptUpload }: SurveyRoutesDeps): Router {
  const router = Router({ caseSensitive: true });
  const manage = () => access.roles('hr', 'admin');

  const surveyView = (req: Request, s: Survey) => ({
    ...s,
    statusLabel: req.t(`surveys.status.${s.status}`),
    audienceLabel: req.t(`surveys.audience.${s.audience}`),
    opensOn: day(s.opensAt),
    closesOn: day(s.closesAt - 1),
  });

  // Templates.
  router.get('/surveys/templates', manage(), async (req, res) => {
    res.render('surveys/templates', { title: req.t('surveys.templates.title'), templates: await surveys.listTemplates() });
  });

  const renderTemplateForm = (req: Request, res: Response, locals: Record<string, unknown>, status = 200) => {
    res.status(status).render('surveys/template-form', { title: req.t('surveys.templates.newTitle'), action: '/surveys/templates', ...locals });
  };
  const problemsView = (req: Request, problems: DefinitionProblem[]) =>
    problems.map((p) => ({ path: p.path || req.t('surveys.definition.root'), message: req.t(p.message, p.values) }));

  router.get('/surveys/templates/new', manage(), (req, res) => {
    renderTemplateForm(req, res, { values: { definition: JSON.stringify(SELF_ASSESSMENT_DEFINITION, null, 2) } });
  });

  const saveTemplate = async (req: Request, res: Response, templateId?: number) => {
    const action = templateId === undefined ? '/surveys/templates' : `/surveys/templates/${templateId}`;
    try {
      const input = parseForm(TemplateInputSchema, req.body);
      const saved = await surveys.saveTemplate(req.user!, input, templateId);
      if ('problems' in saved) return renderTemplateForm(req, res, { action, values: req.body, problems: problemsView(req, saved.problems), errors: { definition: req.t('surveys.templates.definitionInvalid') } }, 422);
      req.session.flash = { kind: 'success', key: 'surveys.templates.saved' };
      res.redirect(303, `/surveys/templates/${saved.templateId}`);
    } catch (err) {
      renderTemplateForm(req, res, { action, values: req.body, ...validationLocals(req, err) }, 422);
    }
  };

  router.post('/surveys/templates', manage(), (req, res) => saveTemplate(req, res));

  router.get('/surveys/templates/:id', manage(), async (req, res) => {
    const { template, latest, versions } = await surveys.template(req.user!, idParam(req.params.id));
    res.render('surveys/template-form', {
      title: template.name,
      action: `/surveys/templates/${template.id}`,
      template,
      versions: versions.map((v) => ({ ...v, createdOn: day(v.createdAt) })),
      values: { name: template.name, description: template.description, definition: JSON.stringify(latest.definition, null, 2) },
    });
  });

  router.post('/surveys/templates/:id', manage(), (req, res) => saveTemplate(req, res, idParam(req.params.id)));

  // A read-only look at every page of a version, with one example staff member for per-staff sections.
  router.get('/surveys/templates/versions/:id/preview', manage(), async (req, res) => {
    const version = await surveys.version(req.user!, idParam(req.params.id));
    const pages = pagesOf(version.definition, [{ id: 0, name: req.t('surveys.templates.exampleStaff') }]);
    res.render('surveys/preview', { title: req.t('surveys.templates.previewTitle', { version: version.version }), pages: pages.map((p) => answerPageView(pages, p, {}, {}, req.t)) });
  });

  // The same rows as the page: a summary row per question, one row per answer value, one per comment.
  const resultsSheet = (req: Request, results: SurveyResults): ExportSheet => {
    const columns = ['kind', 'section', 'question', 'value', 'respondents', 'mean', 'median', 'skipped'] as const;
    const rows: ExportRow[] = [];
    const kind = (k: 'summary' | 'distribution' | 'comment' | 'suppressed') => req.t(`surveys.results.kind.${k}`);
    if (!results.shown) rows.push({ kind: kind('suppressed'), question: req.t('surveys.results.tooFew', { minimum: results.minimumGroupSize }) });
    for (const row of resultsView(req, results)) {
      const base = { section: row.section, question: row.question };
      if (row.suppressed) rows.push({ ...base, kind: kind('suppressed') });
      else if (row.comments) for (const comment of row.comments) rows.push({ ...base, kind: kind('comment'), value: comment });
      else {
        rows.push({ ...base, kind: kind('summary'), respondents: row.count, mean: row.mean, median: row.median, skipped: row.skipped });
        for (const d of row.distribution) rows.push({ ...base, kind: kind('distribution'), value: d.label, respondents: d.count });
      }
    }
    return { name: req.t('surveys.results.sheet'), columns: columns.map((key) => ({ key, header: req.t(`surveys.results.column.${key}`) })), rows };
  };

  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`/surveys/:id/results.${format}`, access.roles('hr'), async (req, res) => {
      const { survey, results } = await surveys.results(req.user!, idParam(req.params.id), { exporting: format });
      const sheet = resultsSheet(req, results);
      const filename = `survey-${survey.id}-results`;
      await (format === 'csv' ? sendExport(res, { format, filename, sheet }) : sendExport(res, { format, filename, sheets: [sheet] }));
    });
  }

  // Staff reports: a support staff member's block, for their people manager (before /surveys/:id).
  router.get('/surveys/staff-reports', access.roles('manager', 'executive', 'hr'), async (req, res) => {
    const reports = await surveys.staffReports(req.user!, pageNumber(req.query.page));
    res.render('surveys/staff-reports', {
      title: req.t('surveys.staffReports.title'),
      reports: reports.items.map((r) => ({ ...r, receivedOn: day(r.createdAt) })),
      pagination: reports.pageCount > 1 ? paginationView(reports, '/surveys/staff-reports', {}) : null,
    });
  });

  router.get('/surveys/staff-reports/:id', access.roles('manager', 'executive', 'hr'), async (req, res) => {
    const { report, survey, results } = await surveys.staffReport(req.user!, idParam(req.params.id));
    res.render('surveys/results', { title: req.t('surveys.staffReports.reportTitle', { staffName: report.staffName, title: survey.title }), survey: surveyView(req, survey), results, rows: resultsView(req, results), staffReport: true });
  });

  // Surveys.
  router.get('/surveys', manage(), async (req, res) => {
    const page = await surveys.list(req.user!, pageNumber(req.query.page));
    res.render('surveys/list', { title: req.t('surveys.list.title'), surveys: page.items.map((s) => surveyView(req, s)), pagination: paginationView(page, '/surveys', {}) });
  });

  const renderNew = async (req: Request, res: Response, locals: Record<string, unknown>, status = 200) => {
    const values = (locals.values ?? {}) as Record<string, unknown>;
    res.status(status).render('surveys/new', {
      title: req.t('surveys.new.title'),
      templates: (await surveys.listTemplates()).filter((t) => !t.archived).map((t) => ({ ...t, selected: String(t.id) === String(values.templateId) })),
      groups: (await groupChoices()).map((g) => ({ ...g, selected: String(g.id) === String(values.workingGroupId) })),
      audiences: AUDIENCES.map((a) => ({ value: a, label: req.t(`surveys.audience.${a}`), checked: a === (values.audience ?? 'working_group') })),
      floor: MINIMUM_GROUP_SIZE_FLOOR,
      ...locals,
    });
  };

  router.get('/surveys/new', manage(), async (req, res) => {
    const today = day(Date.now());
    const group = typeof req.query.group === 'string' ? req.query.group : '';
    await renderNew(req, res, { values: { opensOn: today, closesOn: day(Date.now() + 21 * 86_400_000), reminderDays: '7, 2', minimumGroupSize: String(defaultMinimumGroupSize || DEFAULT_MINIMUM_GROUP_SIZE), workingGroupId: group } });
  });

  router.post(SURVEY_CREATE_PATH, manage(), ...acceptUpload, async (req, res) => {
    const typed = req.body as Record<string, unknown>;
    if (req.uploadProblem) {
      return renderNew(req, res, { values: typed, errors: { addressFile: req.t(req.uploadProblem.messageKey) }, formError: req.t('errors.validation') }, req.uploadProblem.status);
    }
    const file = uploadedText(req);
    const fromFile = file === undefined ? { addresses: [] } : await addressesFromCsv(file);
    if ('problem' in fromFile) {
      return renderNew(req, res, { values: typed, errors: { addressFile: req.t(fromFile.problem, fromFile.values) }, formError: req.t('errors.validation') }, 422);
    }
    try {
      // The file's addresses join those typed; the list is then checked as one.
      const addresses = [typeof typed.addresses === 'string' ? typed.addresses : '', ...fromFile.addresses].join('\n');
      const id = await surveys.createSurvey(req.user!, parseForm(SurveyInputSchema, { ...typed, addresses }));
      req.session.flash = { kind: 'success', key: 'surveys.flash.created' };
      res.redirect(303, `/surveys/${id}`);
    } catch (err) {
      const locals = validationLocals(req, err);
      // A browser cannot fill a file field again: say so beside it.
      const errors = file === undefined ? locals.errors : { ...locals.errors, addressFile: req.t('surveys.errors.fileChooseAgain') };
      await renderNew(req, res, { values: typed, ...locals, errors }, 422);
    }
  });

  router.get('/surveys/:id', manage(), async (req, res) => {
    const { survey, template, version, group, progress, inviting, staff, promise } = await surveys.survey(req.user!, idParam(req.params.id));
    res.render('surveys/survey', {
      title: survey.title,
      survey: surveyView(req, survey),
      template,
      version,
      group,
      staff,
      promise,
      progress,
      inviting,
      rate: progress.invited ? Math.round((progress.responded / progress.invited) * 100) : 0,
      canReadResults: req.user!.roles.includes('hr'),
    });
  });

  router.post('/surveys/:id/close', manage(), async (req, res) => {
    const id = idParam(req.params.id);
    await surveys.closeNow(req.user!, id);
    req.session.flash = { kind: 'success', key: 'surveys.flash.closed' };
    res.redirect(303, `/surveys/${id}`);
  });

  router.get('/surveys/:id/results', access.roles('hr'), async (req, res) => {
    const { survey, results } = await surveys.results(req.user!, idParam(req.params.id));
    res.render('surveys/results', { title: req.t('surveys.results.title', { title: survey.title }), survey: surveyView(req, survey), results, rows: resultsView(req, results) });
  });

  return router;
}
