import type { ErrorRequestHandler, Request } from 'express';
import { isDatabaseUnavailable } from '../db/errors';
import { AppError, TooManyRequestsError, UnauthenticatedError, ValidationError } from '../errors';
import type { Logger } from '../logger';

export function wantsJson(req: Request): boolean {
  return req.path.endsWith('.json') || req.path === '/healthz' || (!!req.accepts(['html', 'json']) && req.accepts(['html', 'json']) === 'json');
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  code?: string;
  expose?: boolean;
}

// A database restart takes seconds; clients and proxies may try again after this.
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

// The one place errors become responses. Users see a translated message, never a stack trace.
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, messageKey } = classify(err);
    // An outage fails every request for its length: one line each, without the stack, is enough.
    if (status === 503) logger.warn({ reqId: req.id, code: (err as { code?: string })?.code }, 'request failed: the database is unavailable');
    else if (status >= 500) logger.error({ err, reqId: req.id }, 'request failed');
    else logger.info({ reqId: req.id, status, error: err instanceof Error ? err.name : 'unknown' }, 'request refused');

    if (res.headersSent) return;
    if (err instanceof TooManyRequestsError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (status === 503) res.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    const t = req.t ?? ((key: string) => key);

    if (wantsJson(req)) {
      res.status(status).json({
        error: {
          status,
          message: t(messageKey),
          ...(err instanceof ValidationError ? { fields: translateFields(err.fieldErrors, t) } : {}),
        },
      });
      return;
    }
    if (err instanceof UnauthenticatedError && req.method === 'GET') {
      res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.status(status).render('errors/error', { title: t(`errors.title.${status}`, { defaultValue: t('errors.title.default') }), message: t(messageKey), status });
  };
}

function translateFields(fields: Record<string, string>, t: (k: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, key]) => [field, t(key)]));
}

function classify(err: unknown): { status: number; messageKey: string } {
  if (err instanceof AppError) return { status: err.status, messageKey: err.messageKey };
  if (isDatabaseUnavailable(err)) return { status: 503, messageKey: 'errors.unavailable' };
  const e = (err ?? {}) as HttpishError;
  if (e.code === 'EBADCSRFTOKEN') return { status: 403, messageKey: 'errors.csrf' };
  if (e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE') return { status: 413, messageKey: 'errors.tooLarge' };
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return { status: 400, messageKey: 'errors.badRequest' };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, messageKey: status === 413 ? 'errors.tooLarge' : status === 404 ? 'errors.notFound' : 'errors.badRequest' };
  }
  return { status: 500, messageKey: 'errors.internal' };
}
