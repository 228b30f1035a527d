import { z } from 'zod';
import { MINIMUM_GROUP_SIZE_FLOOR } from '../../platform/privacy/aggregates';
import { emailAddressList, isCalendarDate } from '../../platform/http/fields';
import type { TemplateDefinition } from './template.schema';

export const AUDIENCES = ['working_group', 'community', 'list'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const MILESTONES = ['initial_report', 'closure'] as const;
export type Milestone = (typeof MILESTONES)[number];
export const SURVEY_STATUSES = ['scheduled', 'open', 'closed'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];
/**
 * What a support staff member's people manager receives of the block about them: the figures only,
 * or the comments too. Either way, nothing below the minimum group size. The safer one is the default.
 */
export const STAFF_REPORT_CONTENTS = ['totals', 'totals_and_comments'] as const;
export type StaffReportContent = (typeof STAFF_REPORT_CONTENTS)[number];
export const DEFAULT_STAFF_REPORT_CONTENT: StaffReportContent = 'totals';

export const SURVEYS_PAGE_SIZE = 20;
export const STAFF_REPORTS_PAGE_SIZE = 50;
export const MAX_LIST_ADDRESSES = 5000;

export interface SurveyTemplate {
  readonly id: number;
  readonly code: string | null;
  readonly name: string;
  readonly description: string;
  readonly archived: boolean;
  readonly latestVersion: number;
}

export interface TemplateVersion {
  readonly id: number;
  readonly templateId: number;
  readonly version: number;
  readonly definition: TemplateDefinition;
  readonly createdAt: number;
}

export interface Survey {
  readonly id: number;
  readonly title: string;
  readonly templateVersionId: number;
  readonly audience: Audience;
  readonly workingGroupId: number | null;
  readonly milestone: Milestone | null;
  readonly minimumGroupSize: number;
  readonly staffReportContent: StaffReportContent;
  readonly status: SurveyStatus;
  readonly opensAt: number;
  readonly closesAt: number;
  /** Days before closing when non-respondents are reminded, latest first (e.g. [7, 2]). */
  readonly reminderDays: readonly number[];
  readonly repeatMonths: number | null;
  readonly createdAt: number;
  readonly closedAt: number | null;
}

export interface SurveyProgress {
  readonly invited: number;
  readonly responded: number;
}

/** An invitation as the answering pages see it: never its address. */
export interface Invitation {
  readonly id: number;
  readonly surveyId: number;
  readonly locale: string;
  readonly hasResponded: boolean;
  readonly draft: string | null;
}

export interface StaffReport {
  readonly id: number;
  readonly surveyId: number;
  readonly surveyTitle: string;
  readonly staffMemberId: number;
  readonly staffName: string;
  readonly recipientStaffMemberId: number | null;
  readonly createdAt: number;
}

const date = (message: string) => z.string().trim().refine(isCalendarDate, message);
const optionalWholeNumber = (min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      if (v === '') return null;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return n;
    });

/** "7, 2": days before closing; empty for no reminders. */
const reminderDays = z
  .string()
  .trim()
  .max(100, 'surveys.errors.remindersInvalid')
  .transform((v, ctx) => {
    if (v === '') return [];
    const days = v.split(/[\s,;]+/).filter(Boolean).map(Number);
    if (days.length > 5 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 90)) {
      ctx.addIssue({ code: 'custom', message: 'surveys.errors.remindersInvalid' });
      return z.NEVER;
    }
    return [...new Set(days)].sort((a, b) => b - a);
  });

/** Addresses one per line (or separated by commas), for a "list" audience. */
const addressList = emailAddressList({ max: MAX_LIST_ADDRESSES, invalid: 'surveys.errors.addressInvalid', tooMany: 'surveys.errors.tooManyAddresses' }).transform((v) => v ?? []);

export const SurveyInputSchema = z
  .object({
    title: z.string().trim().min(1, 'validation.name.required').max(200, 'validation.name.tooLong'),
    templateId: z.coerce.number({ message: 'surveys.errors.templateRequired' }).int('surveys.errors.templateRequired').positive('surveys.errors.templateRequired'),
    audience: z.enum(AUDIENCES, 'surveys.errors.audienceRequired'),
    workingGroupId: optionalWholeNumber(1, Number.MAX_SAFE_INTEGER, 'surveys.errors.groupRequired'),
    addresses: addressList,
    opensOn: date('surveys.errors.dateInvalid'),
    closesOn: date('surveys.errors.dateInvalid'),
    reminderDays,
    minimumGroupSize: z.coerce.number({ message: 'surveys.errors.minimumInvalid' }).int('surveys.errors.minimumInvalid').min(MINIMUM_GROUP_SIZE_FLOOR, 'surveys.errors.minimumInvalid').max(1000, 'surveys.errors.minimumInvalid'),
    repeatMonths: optionalWholeNumber(1, 24, 'surveys.errors.repeatInvalid'),
    // A checkbox: absent (unticked) keeps the safer default.
    staffReportContent: z.enum(STAFF_REPORT_CONTENTS, 'validation.invalid').default(DEFAULT_STAFF_REPORT_CONTENT),
  })
  .superRefine((input, ctx) => {
    if (input.closesOn <= input.opensOn) ctx.addIssue({ code: 'custom', path: ['closesOn'], message: 'surveys.errors.closesBeforeOpens' });
    if (input.audience === 'working_group' && input.workingGroupId === null) ctx.addIssue({ code: 'custom', path: ['workingGroupId'], message: 'surveys.errors.groupRequired' });
    if (input.audience === 'list' && input.addresses.length === 0) ctx.addIssue({ code: 'custom', path: ['addresses'], message: 'surveys.errors.addressesRequired' });
    if (input.audience === 'working_group' && input.repeatMonths !== null) ctx.addIssue({ code: 'custom', path: ['repeatMonths'], message: 'surveys.errors.repeatForGroups' });
  });
export type SurveyInput = z.infer<typeof SurveyInputSchema>;

export const TemplateInputSchema = z.object({
  name: z.string().trim().min(1, 'validation.name.required').max(200, 'validation.name.tooLong'),
  description: z.string().trim().max(1000, 'validation.invalid').default(''),
  definition: z.string().min(1, 'surveys.templates.definitionRequired').max(200_000, 'surveys.templates.definitionTooLong'),
});
