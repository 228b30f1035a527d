import { z } from 'zod';
import type { BusinessCalendar } from './business-clock';

export const TARGET_UNITS = ['business_hours', 'business_days', 'calendar_days'] as const;
export type TargetUnit = (typeof TARGET_UNITS)[number];

export interface ServiceLevelTarget {
  readonly id: number;
  readonly serviceId: number;
  readonly acknowledgeAmount: number;
  readonly acknowledgeUnit: TargetUnit;
  readonly respondAmount: number;
  readonly respondUnit: TargetUnit;
  readonly effectiveFrom: number;
}

export interface Service {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly owner: string;
  readonly expectation: string;
  readonly active: boolean;
  readonly calendar: BusinessCalendar & { readonly id: number; readonly name: string };
  /** The target in force now; new items take it. */
  readonly target: ServiceLevelTarget;
}

export interface DueTimes {
  readonly serviceLevelTargetId: number;
  readonly acknowledgeDueAt: number;
  readonly respondDueAt: number;
}

const amount = z.coerce.number({ message: 'serviceLevels.errors.amount' }).int('serviceLevels.errors.amount').min(1, 'serviceLevels.errors.amount').max(365, 'serviceLevels.errors.amount');

export const TargetInputSchema = z.object({
  acknowledgeAmount: amount,
  acknowledgeUnit: z.enum(TARGET_UNITS, 'serviceLevels.errors.unit'),
  respondAmount: amount,
  respondUnit: z.enum(TARGET_UNITS, 'serviceLevels.errors.unit'),
});
export type TargetInput = z.infer<typeof TargetInputSchema>;

export const FEEDBACK_SERVICE = 'continuous-feedback';

export const ServiceInputSchema = z.object({
  name: z.string().trim().min(1, 'validation.name.required').max(200, 'validation.name.tooLong'),
  owner: z.string().trim().min(1, 'serviceLevels.errors.owner').max(200, 'validation.name.tooLong'),
  expectation: z.string().trim().min(1, 'serviceLevels.errors.expectation').max(2000, 'serviceLevels.errors.expectationTooLong'),
  active: z
    .union([z.literal('yes'), z.literal('')])
    .optional()
    .transform((v) => v === 'yes'),
});
export type ServiceInput = z.infer<typeof ServiceInputSchema>;

export const NewServiceSchema = ServiceInputSchema.extend({
  code: z.string().trim().toLowerCase().regex(/^[a-z0-9-]{3,48}$/, 'serviceLevels.errors.code'),
}).and(TargetInputSchema);

export const HolidaySchema = z.object({
  date: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'inbox.errors.dateInvalid'),
  name: z.string().trim().max(120, 'validation.name.tooLong').default(''),
});

export const ESCALATION_TARGETS = ['recipient', 'recipient_manager', 'executive', 'complaints_officer'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

export const EscalationStepSchema = z.object({
  due: z.enum(['acknowledge', 'respond'], 'serviceLevels.errors.due'),
  offsetMinutes: z.coerce.number({ message: 'serviceLevels.errors.offset' }).int('serviceLevels.errors.offset').min(-10_080, 'serviceLevels.errors.offset').max(43_200, 'serviceLevels.errors.offset'),
  target: z.enum(ESCALATION_TARGETS, 'serviceLevels.errors.stepTarget'),
});

export interface EscalationStep {
  readonly id: number;
  readonly position: number;
  readonly due: 'acknowledge' | 'respond';
  /** Minutes from the due time: negative before it (a warning), positive after it. */
  readonly offsetMinutes: number;
  readonly target: EscalationTarget;
}
