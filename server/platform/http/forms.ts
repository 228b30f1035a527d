import type { z } from 'zod';
import type { Request } from 'express';
import { NotFoundError, ValidationError, type FieldErrors } from '../errors';

/** Schema messages are catalogue keys ("feedback.errors.commentRequired"); zod's own defaults are not. */
export function isMessageKey(message: string): boolean {
  return /^[a-z][\w-]*(\.[\w-]+)+$/.test(message);
}

/**
 * Parses a form body with a schema. On failure throws a ValidationError whose field messages are
 * translation keys (the schema's messages), so the route can re-render the form with what was typed.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || '_form';
    if (!fields[field]) fields[field] = isMessageKey(issue.message) ? issue.message : 'validation.invalid';
  }
  throw new ValidationError(fields);
}

/** Translated field errors for a view. */
export function fieldMessages(errors: FieldErrors, t: (key: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(key)]));
}

export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
  readonly pageCount: number;
}

/** How many pages `total` items fill: at least one, so an empty list still has its page. */
export function pageCountOf(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function pageNumber(raw: unknown): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100000 ? n : 1;
}

export interface PaginationView {
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
  readonly previousUrl: string | null;
  readonly nextUrl: string | null;
}

/** Links to the neighbouring pages, keeping the current filters. */
export function paginationView(page: Page<unknown>, basePath: string, filters: Record<string, string | number | undefined>): PaginationView {
  const url = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') params.set(k, String(v));
    params.set('page', String(n));
    return `${basePath}?${params.toString()}`;
  };
  return {
    page: page.page,
    pageCount: page.pageCount,
    total: page.total,
    previousUrl: page.page > 1 ? url(page.page - 1) : null,
    nextUrl: page.page < page.pageCount ? url(page.page + 1) : null,
  };
}

/**
 * The view locals for a form that failed validation: per-field messages and a summary. Any error
 * other than a ValidationError is rethrown for the error handler.
 */
export function validationLocals(req: { t: (key: string) => string }, err: unknown): { errors: Record<string, string>; formError: string } {
  if (!(err instanceof ValidationError)) throw err;
  return { errors: fieldMessages(err.fieldErrors, req.t), formError: req.t(err.messageKey) };
}

/** Re-renders a form with per-field messages and what the user typed (see validationLocals). */
export function renderFormErrors(
  req: { t: (key: string) => string },
  res: { status(code: number): { render(view: string, locals: object): void } },
  view: string,
  locals: Record<string, unknown>,
  err: unknown,
): void {
  const messages = validationLocals(req, err);
  res.status((err as ValidationError).status).render(view, { ...locals, ...messages });
}

/** A positive integer id from a route parameter; anything else is a 404, not a 500. */
export function idParam(raw: unknown): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || String(n) !== String(raw)) throw new NotFoundError();
  return n;
}

/**
 * The text of a file sent to an upload route (read by csrf.acceptUpload), or, when no file was
 * chosen, of the form field `pastedField` where the same content may be pasted instead. Throws the
 * upload's MalformedUploadError (400) when its body could not be read.
 */
export function uploadedText(req: Request, pastedField?: string): string | undefined {
  if (req.uploadProblem) throw req.uploadProblem;
  const file = req.file;
  if (file && file.size > 0) return file.buffer.toString('utf8');
  const pasted = pastedField === undefined ? undefined : (req.body as Record<string, unknown> | undefined)?.[pastedField];
  return typeof pasted === 'string' && pasted.trim() ? pasted : undefined;
}

/** The uploaded or pasted text a form requires: a ValidationError on `file` (noFileKey) when there is none. */
export function requiredUploadText(req: Request, pastedField: string, noFileKey: string): string {
  const text = uploadedText(req, pastedField);
  if (text === undefined) throw new ValidationError({ file: noFileKey });
  return text;
}
