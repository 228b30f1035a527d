import type { Knex } from 'knex';
import { z } from 'zod';

export const FEEDBACK_KINDS = ['appreciation', 'suggestion', 'concern'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const ATTRIBUTIONS = ['named', 'confidential', 'anonymous'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

export const ROUTING_TARGETS = ['people_manager', 'next_level_up', 'complaints_officer'] as const;
export type RoutingTarget = (typeof ROUTING_TARGETS)[number];

export interface RoutingRule {
  readonly id: number;
  readonly position: number;
  /** Null matches any. */
  readonly kind: FeedbackKind | null;
  /** True: the staff member manages people or is an executive. Null matches any. */
  readonly subjectIsManager: boolean | null;
  readonly escalationRequested: boolean | null;
  readonly target: RoutingTarget;
}

export const ROUTED_ITEM_STATUSES = ['received', 'acknowledged', 'in_progress', 'waiting_on_submitter', 'timeframe_updated', 'responded', 'closed'] as const;
export type RoutedItemStatus = (typeof ROUTED_ITEM_STATUSES)[number];

export const EVENT_TYPES = ['received', 'acknowledged', 'replied', 'asked_submitter', 'submitter_replied', 'updated_timeframe', 'forwarded', 'reassigned', 'escalated', 'closed'] as const;
export type RoutedItemEventType = (typeof EVENT_TYPES)[number];
export type EventActor = 'recipient' | 'submitter' | 'hr' | 'system';

export interface RoutedItem {
  readonly id: number;
  /** The id in URLs and e-mails (random; `id` is a sequence). */
  readonly publicId: string;
  readonly visibleAt: number;
  readonly feedbackItemId: number;
  readonly recipientStaffMemberId: number;
  readonly recipientName: string;
  readonly status: RoutedItemStatus;
  readonly receivedAt: number;
  readonly acknowledgedAt: number | null;
  readonly respondedAt: number | null;
  readonly closedAt: number | null;
  readonly serviceLevelTargetId: number | null;
  readonly acknowledgeDueAt: number | null;
  readonly respondDueAt: number | null;
  /** The latest date promised in an updated timeframe. */
  readonly committedRespondAt: number | null;
  /** When an unattributed submitter's answer, held back, is to change the item (see applyAnswers). */
  readonly answerPendingUntil: number | null;
}

export interface RoutedItemEvent {
  readonly id: number;
  readonly type: RoutedItemEventType;
  readonly actor: EventActor;
  /** The staff member who acted, for recipient and HR events; never a submitter. */
  readonly actorName: string | null;
  readonly body: string | null;
  readonly fromName: string | null;
  readonly toName: string | null;
  /** For an updated timeframe: the new date committed to, and that date in the service's zone. */
  readonly committedAt: number | null;
  readonly committedDate?: string | null;
  readonly createdAt: number;
}

/** What the inbox shows of an item: content without any identity. */
export interface FeedbackContent {
  readonly feedbackItemId: number;
  readonly reference: string;
  readonly staffMemberId: number;
  readonly staffName: string;
  readonly kind: FeedbackKind;
  readonly attribution: Attribution;
  readonly comment: string;
  readonly context: string;
  readonly escalationRequested: boolean;
  readonly ratings: Array<{ label: string; score: number }>;
  readonly createdAt: number;
}

/** Supplied by the feedback feature: routing reads content and contacts only through this. */
export interface FeedbackSource {
  contentFor(feedbackItemIds: readonly number[], db?: Knex | Knex.Transaction): Promise<Map<number, FeedbackContent>>;
  /** The submitter's name, only for a named item. */
  namedSubmitter(feedbackItemId: number): Promise<{ displayName: string } | undefined>;
  /** The same for many items in one read, by item id (only named items appear). */
  namedSubmitters(feedbackItemIds: readonly number[]): Promise<Map<number, { displayName: string }>>;
  /** Where to e-mail the submitter (named and confidential items); never rendered. */
  submitterContact(feedbackItemId: number, db?: Knex | Knex.Transaction): Promise<{ email: string; locale: string } | undefined>;
  /** Whether this account has unsealed the item's submitter (a recorded reveal). */
  unsealedBy(accountId: number, feedbackItemId: number): Promise<boolean>;
}

const optionalFlag = z
  .enum(['any', 'yes', 'no'], 'validation.invalid')
  .transform((v) => (v === 'any' ? null : v === 'yes'));

export const RoutingRuleInputSchema = z.object({
  position: z.coerce.number({ message: 'validation.position.invalid' }).int('validation.position.invalid').min(1, 'validation.position.invalid').max(999, 'validation.position.invalid'),
  kind: z.enum(['any', ...FEEDBACK_KINDS], 'validation.invalid').transform((v) => (v === 'any' ? null : v)),
  subjectIsManager: optionalFlag,
  escalationRequested: optionalFlag,
  target: z.enum(ROUTING_TARGETS, 'validation.invalid'),
});
export type RoutingRuleInput = z.infer<typeof RoutingRuleInputSchema>;

export const INBOX_PAGE_SIZE = 20;
export const REPLY_MAX_LENGTH = 5000;

export const ReplySchema = z.object({
  body: z.string().trim().min(1, 'validation.reply.required').max(REPLY_MAX_LENGTH, 'validation.reply.tooLong'),
  askSubmitter: z.union([z.literal('yes'), z.literal('')]).optional(),
});

/** An updated timeframe: a new date (local, in the service's zone) and the reason for it. */
export const TimeframeSchema = z.object({
  committedDate: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'inbox.errors.dateInvalid'),
  reason: z.string().trim().min(5, 'inbox.errors.reasonRequired').max(REPLY_MAX_LENGTH, 'validation.reply.tooLong'),
});

export const ForwardSchema = z.object({
  recipientEmail: z.string().trim().toLowerCase().min(1, 'validation.email.required').pipe(z.email('validation.email.invalid')),
  note: z.string().trim().max(REPLY_MAX_LENGTH, 'validation.reply.tooLong').default(''),
});
