import { z } from 'zod';
import { ATTRIBUTIONS, FEEDBACK_KINDS } from '../routing/routing.schema';
import { randomCode } from '../../platform/random-codes';
import { isSubmissionKey } from './receipt-codes';

export const COMMENT_MAX_LENGTH = 5000;
export const CONTEXT_MAX_LENGTH = 200;

export const STAFF_VISIBILITY = ['none', 'named_appreciation', 'named_all'] as const;
export type StaffVisibility = (typeof STAFF_VISIBILITY)[number];

export interface BehaviourDimension {
  readonly id: number;
  readonly code: string;
  readonly label: string;
  readonly description: string;
  readonly position: number;
  readonly active: boolean;
}

/**
 * The feedback form. Ratings arrive as fields `rating_<dimensionId>` with 1–5 or empty; the route
 * gathers them into `ratings` before parsing.
 */
export const FeedbackInputSchema = z.object({
  staffMemberId: z.coerce.number({ message: 'feedback.errors.staffRequired' }).int('feedback.errors.staffRequired').positive('feedback.errors.staffRequired'),
  kind: z.enum(FEEDBACK_KINDS, 'feedback.errors.kindRequired'),
  attribution: z.enum(ATTRIBUTIONS, 'feedback.errors.attributionRequired'),
  comment: z.string().trim().min(1, 'feedback.errors.commentRequired').max(COMMENT_MAX_LENGTH, 'feedback.errors.commentTooLong'),
  context: z.string().trim().max(CONTEXT_MAX_LENGTH, 'feedback.errors.contextTooLong').default(''),
  escalate: z
    .union([z.literal('yes'), z.literal('')])
    .optional()
    .transform((v) => v === 'yes'),
  ratings: z.record(z.string(), z.coerce.number().int('feedback.errors.ratingInvalid').min(1, 'feedback.errors.ratingInvalid').max(5, 'feedback.errors.ratingInvalid')).default({}),
  submissionKey: z.string().refine(isSubmissionKey, 'feedback.errors.formExpired'),
  /** The secret of a request for input (solicited feedback); used once, and never stored with the item. */
  /** Empty when the form was not opened from a request. */
  solicitation: z.string().trim().max(100, 'feedback.errors.solicitationUsed').optional(),
});
export type FeedbackInput = z.infer<typeof FeedbackInputSchema>;

export const SubmitterReplySchema = z.object({
  body: z.string().trim().min(1, 'validation.reply.required').max(COMMENT_MAX_LENGTH, 'validation.reply.tooLong'),
});

export const ReceiptLookupSchema = z.object({
  code: z.string().trim().min(1, 'feedback.receipt.codeRequired').max(100, 'feedback.receipt.codeInvalid'),
});

export const RevealSchema = z.object({
  reason: z.string().trim().min(10, 'feedback.reveal.reasonRequired').max(1000, 'feedback.reveal.reasonTooLong'),
});

export const DimensionInputSchema = z.object({
  label: z.string().trim().min(1, 'validation.name.required').max(120, 'validation.name.tooLong'),
  description: z.string().trim().max(600, 'validation.invalid').default(''),
  position: z.coerce.number().int('validation.position.invalid').min(1, 'validation.position.invalid').max(999, 'validation.position.invalid'),
  active: z
    .union([z.literal('yes'), z.literal('')])
    .optional()
    .transform((v) => v === 'yes'),
});

export const VisibilitySchema = z.object({ staffVisibility: z.enum(STAFF_VISIBILITY, 'validation.invalid') });

/** Gathers `rating_<id>` fields into one record; empty means "not rated". */
export function ratingsFromForm(body: Record<string, unknown>): Record<string, string> {
  const ratings: Record<string, string> = {};
  for (const [field, value] of Object.entries(body)) {
    const match = field.match(/^rating_(\d+)$/);
    if (match && typeof value === 'string' && value !== '') ratings[match[1]!] = value;
  }
  return ratings;
}

/** A feedback reference: the year and eight random characters (not a sequence number; see the migration). */
/** The audit action of unsealing a confidential submitter. */
export const REVEAL_ACTION = 'feedback.identity.reveal';

export function newReference(createdAt: number): string {
  return `F-${new Date(createdAt).getUTCFullYear()}-${randomCode(8)}`;
}
