import { z } from 'zod';

export const COMPLAINT_CATEGORIES = ['responsiveness', 'process', 'information', 'accessibility', 'other'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

export const COMPLAINT_STATUSES = ['received', 'acknowledged', 'in_scope', 'redirected', 'resolved'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/** Where a complaint outside the office's scope is sent instead. */
export const REDIRECTS = ['ombuds', 'contractual_compliance', 'reconsideration', 'disclosure_request'] as const;

export interface Complaint {
  readonly id: number;
  readonly reference: string;
  readonly accountId: number;
  readonly complainantName: string;
  readonly redactName: boolean;
  readonly category: ComplaintCategory;
  readonly summary: string;
  readonly description: string;
  readonly status: ComplaintStatus;
  readonly redirectedTo: string | null;
  readonly resolution: string | null;
  readonly receivedAt: number;
  readonly acknowledgeDueAt: number | null;
  readonly respondDueAt: number | null;
  readonly acknowledgedAt: number | null;
  readonly respondedAt: number | null;
  readonly resolvedAt: number | null;
  /** When the complaints officer approved it for the public register; null until then. */
  readonly publishedAt: number | null;
}

export interface ComplaintEvent {
  readonly type: string;
  readonly body: string | null;
  readonly createdAt: number;
}

export const ComplaintInputSchema = z.object({
  category: z.enum(COMPLAINT_CATEGORIES, 'complaints.errors.category'),
  summary: z.string().trim().min(5, 'complaints.errors.summary').max(300, 'complaints.errors.summaryTooLong'),
  description: z.string().trim().min(10, 'complaints.errors.description').max(10_000, 'complaints.errors.descriptionTooLong'),
  redactName: z
    .union([z.literal('yes'), z.literal('')])
    .optional()
    .transform((v) => v === 'yes'),
});
export type ComplaintInput = z.infer<typeof ComplaintInputSchema>;

export const TriageSchema = z.object({
  decision: z.enum(['in_scope', ...REDIRECTS], 'complaints.errors.decision'),
  reason: z.string().trim().min(5, 'complaints.errors.reason').max(5000, 'validation.reply.tooLong'),
});

export const ResolveSchema = z.object({
  resolution: z.string().trim().min(5, 'complaints.errors.resolution').max(10_000, 'validation.reply.tooLong'),
});

/** "2026-H2" style half-year periods for the semi-annual report. */
export const HalfYearSchema = z.string().regex(/^\d{4}-H[12]$/);

export function halfYearBounds(period: string): { from: number; to: number } {
  const [year, half] = [Number(period.slice(0, 4)), period.endsWith('H1') ? 1 : 2];
  return { from: Date.UTC(year, half === 1 ? 0 : 6, 1), to: Date.UTC(half === 1 ? year : year + 1, half === 1 ? 6 : 0, 1) };
}

export function halfYearOf(at: number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-H${d.getUTCMonth() < 6 ? 1 : 2}`;
}
