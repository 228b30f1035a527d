import { z } from 'zod';
import { emailAddressList, isCalendarDate } from '../../platform/http/fields';

/** Days before the deadline when those who have not answered get their one reminder. */
export const REMINDER_DAYS_BEFORE = 3;
export const DEFAULT_DEADLINE_DAYS = 14;
export const MAX_ADDRESSES_PER_REQUEST = 200;

/** Where a request link stands: answerable, already used, or past its deadline. */
export type RequestLinkState = 'open' | 'answered' | 'expired';

/** A request as the manager's page shows it: the address only until the deadline erases it. */
export interface SolicitationRequest {
  readonly id: number;
  readonly email: string | null;
  readonly displayName: string;
  readonly deadlineAt: number;
  readonly hasAnswered: boolean;
  readonly remindersSent: number;
}

/**
 * Someone the manager might ask: a member of a group the staff member supports, or a named
 * submitter. Shown by name and an opaque handle the server maps back to the address, so the page
 * never carries an address the reader was not given.
 */
export interface Suggestion {
  readonly handle: string;
  readonly displayName: string;
  /** Why they are suggested: working group names, and/or that they gave named feedback. */
  readonly groups: string[];
  readonly gaveNamedFeedback: boolean;
}

export const SUGGESTION_HANDLE = /^[A-Za-z0-9_-]{22}$/;
/** Ticked suggestions: handles, once or repeated (checkboxes). */
const handles = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => [...new Set((Array.isArray(v) ? v : v === undefined ? [] : [v]).map((h) => h.trim()).filter(Boolean))])
  .refine((list) => list.every((h) => SUGGESTION_HANDLE.test(h)), 'reviews.errors.suggestionUnknown')
  .refine((list) => list.length <= MAX_ADDRESSES_PER_REQUEST, 'reviews.errors.tooManyAddresses');

const addresses = (max: number) => emailAddressList({ max, invalid: 'reviews.errors.addressInvalid', tooMany: 'reviews.errors.tooManyAddresses' });

/** The solicit form: ticked suggestions, addresses typed one per line, and the deadline day. */
export const SolicitationInputSchema = z
  .object({
    suggested: handles,
    addresses: addresses(MAX_ADDRESSES_PER_REQUEST),
    deadlineOn: z.string().trim().refine(isCalendarDate, 'reviews.errors.dateInvalid'),
  })
  .superRefine((input, ctx) => {
    const all = new Set([...input.suggested, ...input.addresses]);
    if (all.size === 0) ctx.addIssue({ code: 'custom', path: ['addresses'], message: 'reviews.errors.nobodyChosen' });
    if (all.size > MAX_ADDRESSES_PER_REQUEST) ctx.addIssue({ code: 'custom', path: ['addresses'], message: 'reviews.errors.tooManyAddresses' });
  });
export type SolicitationInput = z.infer<typeof SolicitationInputSchema>;
