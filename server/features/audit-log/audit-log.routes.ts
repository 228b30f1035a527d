import { Router, type Request, type Response } from 'express';
import { hasAnyRole } from '../../platform/auth/roles';
import { parseJsonColumn } from '../../platform/db/json';
import { sendExport, type ExportColumn, type ExportRow, type ExportSheet } from '../../platform/exports';
import { access } from '../../platform/http/access';
import { pageNumber, paginationView, parseForm, validationLocals } from '../../platform/http/forms';
import { AUDIT_FILTER_FIELDS, AuditFilterSchema, type AuditEntry, type AuditFilters } from './audit-log.schema';
import type { AuditLogService } from './audit-log.service';

const VIEW = 'audit-log/index';

/** One entry as the page, the CSV and the XLSX all show it. */
// A type, not an interface, so it is an ExportRow as it stands.
export type AuditEntryView = {
  when: string;
  actorName: string;
  actorEmail: string;
  action: string;
  actionLabel: string;
  subjectType: string;
  subjectId: string;
  detail: string;
};

const EXPORT_COLUMNS: ReadonlyArray<keyof AuditEntryView & string> = ['when', 'actorName', 'actorEmail', 'action', 'actionLabel', 'subjectType', 'subjectId', 'detail'];

// i18next answers a missing key with the key itself (or a note when the key names a group of keys):
// a code written by an older release, or by hand, is then shown as it is.
function codeLabel(req: Request, group: 'action' | 'subject', code: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(code)) return code;
  const key = `audit.${group}.${code}`;
  const label = req.t(key);
  return label === key || label.includes(key) ? code : label;
}
const actionLabel = (req: Request, code: string) => codeLabel(req, 'action', code);

// A reason for unsealing an identity may say who the submitter is; only those who may unseal read it.
const REASON_READERS = ['hr', 'complaints'] as const;

// Compact JSON text; the view escapes it, the export neutralises it.
function detailText(req: Request, detail: string | null): string {
  if (detail === null) return '';
  try {
    const parsed = parseJsonColumn<unknown>(detail);
    if (parsed !== null && typeof parsed === 'object' && 'reason' in parsed && !hasAnyRole(req.user, REASON_READERS)) {
      return JSON.stringify({ ...parsed, reason: req.t('audit.reasonWithheld') });
    }
    return JSON.stringify(parsed);
  } catch {
    return detail;
  }
}

export function entryView(req: Request, entry: AuditEntry): AuditEntryView {
  const system = entry.actorAccountId === null;
  return {
    when: new Date(entry.createdAt).toISOString(),
    actorName: system
      ? req.t('audit.system')
      : entry.actorIsCommunity
        ? req.t('audit.communityAccount', { id: entry.actorAccountId })
        : (entry.actorName ?? req.t('audit.removedAccount', { id: entry.actorAccountId })),
    actorEmail: entry.actorEmail ?? '',
    action: entry.action,
    actionLabel: actionLabel(req, entry.action),
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? '',
    detail: detailText(req, entry.detail),
  };
}

/** The filters exactly as typed, to keep them in the form, the page links and the export links. */
function typedFilters(query: Request['query']): Record<(typeof AUDIT_FILTER_FIELDS)[number], string> {
  const pick = (field: string) => (typeof query[field] === 'string' ? (query[field] as string) : '');
  return { action: pick('action'), actor: pick('actor'), from: pick('from'), to: pick('to'), subjectType: pick('subjectType') };
}

function queryString(values: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== '') params.set(k, v);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function createAuditLogRoutes({ auditLog }: { auditLog: AuditLogService }): Router {
  const router = Router({ caseSensitive: true });
  const readers = () => access.roles('hr', 'admin');

  const render = async (req: Request, res: Response, locals: Record<string, unknown>, status = 200) => {
    const values = typedFilters(req.query);
    const { actions, subjectTypes } = await auditLog.filterChoices();
    // A prefix ("survey") takes every code under it, so each group is offered as well as each code.
    const prefixes = [...new Set(actions.filter((a) => a.includes('.')).map((a) => a.slice(0, a.indexOf('.'))))].filter((p) => !actions.includes(p));
    const options = [...prefixes.map((p) => ({ value: p, label: req.t('audit.filters.group', { prefix: p }) })), ...actions.map((a) => ({ value: a, label: actionLabel(req, a) === a ? a : `${a} (${actionLabel(req, a)})` }))]
      .sort((a, b) => a.value.localeCompare(b.value))
      .map((o) => ({ ...o, selected: o.value === values.action }));
    if (values.action !== '' && !options.some((o) => o.selected)) options.unshift({ value: values.action, label: values.action, selected: true });
    res.status(status).render(VIEW, {
      title: req.t('audit.title'),
      values,
      actions: options,
      subjectTypes: subjectTypes.map((s) => ({ value: s, label: codeLabel(req, 'subject', s), selected: s === values.subjectType })),
      exportQuery: queryString(values),
      ...locals,
    });
  };

  const filtersOr422 = async (req: Request, res: Response): Promise<AuditFilters | undefined> => {
    try {
      return parseForm(AuditFilterSchema, typedFilters(req.query));
    } catch (err) {
      await render(req, res, { ...validationLocals(req, err), invalid: true }, 422);
      return undefined;
    }
  };

  router.get('/audit', readers(), async (req, res) => {
    const filters = await filtersOr422(req, res);
    if (!filters) return;
    const page = await auditLog.view(req.user!, filters, pageNumber(req.query.page));
    await render(req, res, {
      entries: page.items.map((entry) => entryView(req, entry)),
      pagination: paginationView(page, '/audit', typedFilters(req.query)),
    });
  });

  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`/audit.${format}`, readers(), async (req, res) => {
      const filters = await filtersOr422(req, res);
      if (!filters) return;
      const entries = await auditLog.export(req.user!, filters, format);
      async function* rows(): AsyncGenerator<ExportRow> {
        for await (const entry of entries) yield entryView(req, entry);
      }
      const columns: ExportColumn[] = EXPORT_COLUMNS.map((key) => ({ key, header: req.t(`audit.column.${key}`) }));
      const sheet: ExportSheet = { name: req.t('audit.sheet'), columns, rows: rows() };
      const filename = 'audit-log';
      await (format === 'csv' ? sendExport(res, { format, filename, sheet }) : sendExport(res, { format, filename, sheets: [sheet] }));
    });
  }

  return router;
}
