import { z } from 'zod';
import { isCalendarDate } from '../../platform/http/fields';

export const CYCLE_STATUSES = ['planned', 'open', 'closed'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

/** A half-year whose input feeds staff reviews: the period, and the window for the reviews themselves. */
export interface ReviewCycle {
  readonly id: number;
  /** 2026-H1 */
  readonly code: string;
  /** First and last day of the period (YYYY-MM-DD, UTC, both included). */
  readonly startsOn: string;
  readonly endsOn: string;
  readonly reviewOpensOn: string;
  readonly reviewClosesOn: string;
  readonly status: CycleStatus;
  /** Staff may read their own packet before their manager has reviewed it. */
  readonly staffSeeUnreviewed: boolean;
  readonly guidance: string;
}

/** 2026-H1: a year and its first or second half. */
export const CYCLE_CODE_PATTERN = /^\d{4}-H[12]$/;

/** The first and last day of the half-year a code names: H1 is January to June, H2 July to December. */
export function periodOfCode(code: string): { startsOn: string; endsOn: string } | undefined {
  if (!CYCLE_CODE_PATTERN.test(code)) return undefined;
  const [year, half] = code.split('-H');
  return half === '1' ? { startsOn: `${year}-01-01`, endsOn: `${year}-06-30` } : { startsOn: `${year}-07-01`, endsOn: `${year}-12-31` };
}

/** The code of the half-year containing a day (YYYY-MM-DD). */
export function codeForDay(day: string): string {
  return `${day.slice(0, 4)}-H${Number(day.slice(5, 7)) <= 6 ? 1 : 2}`;
}

const date = (message: string) => z.string().trim().refine(isCalendarDate, message);
const optionalDate = z
  .string()
  .trim()
  .default('')
  .refine((v) => v === '' || isCalendarDate(v), 'reviews.errors.dateInvalid');

/**
 * The cycle form. The period may be left empty: it follows from the code, and when given it must be
 * the code's half-year exactly, so that two cycles' periods never overlap by a few days (two
 * readings of nearly the same period would differ by a handful of inputs). The review window and
 * HR's guidance are required.
 */
export const CycleInputSchema = z
  .object({
    code: z.string().trim().toUpperCase().regex(CYCLE_CODE_PATTERN, 'reviews.errors.codeInvalid'),
    startsOn: optionalDate,
    endsOn: optionalDate,
    reviewOpensOn: date('reviews.errors.dateInvalid'),
    reviewClosesOn: date('reviews.errors.dateInvalid'),
    staffSeeUnreviewed: z
      .union([z.literal('yes'), z.literal('')])
      .optional()
      .transform((v) => v === 'yes'),
    guidance: z.string().trim().min(1, 'reviews.errors.guidanceRequired').max(5000, 'reviews.errors.guidanceTooLong'),
  })
  .transform((input) => {
    const period = periodOfCode(input.code);
    return { ...input, startsOn: input.startsOn || period?.startsOn || '', endsOn: input.endsOn || period?.endsOn || '' };
  })
  .superRefine((input, ctx) => {
    const period = periodOfCode(input.code);
    if (period) {
      if (input.startsOn !== period.startsOn) ctx.addIssue({ code: 'custom', path: ['startsOn'], message: 'reviews.errors.periodNotCode' });
      if (input.endsOn !== period.endsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'reviews.errors.periodNotCode' });
    }
    if (input.reviewClosesOn < input.reviewOpensOn) ctx.addIssue({ code: 'custom', path: ['reviewClosesOn'], message: 'reviews.errors.closesBeforeOpens' });
  });
export type CycleInput = z.infer<typeof CycleInputSchema>;
