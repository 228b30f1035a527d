import { z } from 'zod';

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** An e-mail address as typed in any form or file: trimmed, lower-cased, checked. Messages are translation keys. */
export const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'validation.email.required')
  .max(320, 'validation.email.tooLong')
  .pipe(z.email('validation.email.invalid'));

/**
 * Several e-mail addresses typed in one box (one per line, or separated by commas or semicolons), or
 * ticked as repeated fields: lower-cased, checked, without repeats.
 */
export function emailAddressList(options: { max: number; invalid: string; tooMany: string }) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v, ctx) => {
      const entries = [
        ...new Set(
          (Array.isArray(v) ? v : [v ?? ''])
            .flatMap((s) => s.split(/[\s,;]+/))
            .map((e) => e.trim().toLowerCase())
            .filter(Boolean),
        ),
      ];
      if (entries.some((e) => !emailAddress.safeParse(e).success)) {
        ctx.addIssue({ code: 'custom', message: options.invalid });
        return z.NEVER;
      }
      if (entries.length > options.max) {
        ctx.addIssue({ code: 'custom', message: options.tooMany });
        return z.NEVER;
      }
      return entries;
    });
}
