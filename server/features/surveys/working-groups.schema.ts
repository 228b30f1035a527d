import { z } from 'zod';
import { isCalendarDate } from '../../platform/http/fields';
import { emailAddress } from '../../platform/http/fields';

export const WORKING_GROUP_TYPES = ['pdp', 'epdp', 'review_team', 'ccwg'] as const;
export type WorkingGroupType = (typeof WORKING_GROUP_TYPES)[number];

export const MEMBER_ROLES = ['member', 'chair', 'vice_chair', 'council_liaison'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** The roles that make a member part of the group's leadership, in the order they are shown. */
export const LEADERSHIP_ROLES: readonly MemberRole[] = ['chair', 'vice_chair', 'council_liaison'];

/** The milestones at which an assessment opens automatically. */
export const ASSESSMENT_MILESTONES = ['initial_report', 'closure'] as const;
export type AssessmentMilestone = (typeof ASSESSMENT_MILESTONES)[number];

export const DEFAULT_ASSESSMENT_DAYS = 21;
export const WORKING_GROUPS_PAGE_SIZE = 25;

export interface WorkingGroup {
  readonly id: number;
  readonly name: string;
  readonly type: WorkingGroupType;
  readonly charteringOrganisation: string;
  readonly description: string;
  /** Calendar days, 'YYYY-MM-DD'. */
  readonly startedOn: string | null;
  readonly initialReportOn: string | null;
  readonly finalReportOn: string | null;
  readonly closedOn: string | null;
  readonly assessmentTemplateId: number | null;
  readonly assessmentDays: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface WorkingGroupMember {
  readonly id: number;
  readonly accountId: number | null;
  readonly email: string;
  readonly displayName: string;
  readonly role: MemberRole;
}

export interface SupportStaffMember {
  readonly staffMemberId: number;
  readonly name: string;
  readonly role: string;
}

export interface MilestoneDue {
  readonly groupId: number;
  readonly milestone: AssessmentMilestone;
  /** The milestone's day (YYYY-MM-DD). */
  readonly reachedOn: string;
  readonly templateId: number;
  readonly days: number;
}

export interface TemplateOption {
  readonly id: number;
  readonly name: string;
}


const optionalDate = (message: string) =>
  z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || isCalendarDate(v), message)
    .transform((v) => (v === '' ? null : v));

const assessmentDaysMessage = 'validation.workingGroup.assessmentDays.invalid';

/** The create and edit form of a working group. */
export const WorkingGroupInputSchema = z
  .object({
    name: z.string().trim().min(1, 'validation.workingGroup.name.required').max(200, 'validation.workingGroup.name.tooLong'),
    type: z.enum(WORKING_GROUP_TYPES, 'validation.workingGroup.type.required'),
    charteringOrganisation: z.string().trim().max(120, 'validation.workingGroup.charteringOrganisation.tooLong').default(''),
    description: z.string().trim().max(2000, 'validation.workingGroup.description.tooLong').default(''),
    startedOn: optionalDate('validation.workingGroup.startedOn.invalid'),
    initialReportOn: optionalDate('validation.workingGroup.initialReportOn.invalid'),
    finalReportOn: optionalDate('validation.workingGroup.finalReportOn.invalid'),
    closedOn: optionalDate('validation.workingGroup.closedOn.invalid'),
    assessmentTemplateId: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || /^[1-9]\d{0,8}$/.test(v), 'validation.workingGroup.assessmentTemplate.unknown')
      .transform((v) => (v === '' ? null : Number(v))),
    assessmentDays: z.preprocess(
      (v) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? DEFAULT_ASSESSMENT_DAYS : v),
      z.coerce.number({ message: assessmentDaysMessage }).int(assessmentDaysMessage).min(1, assessmentDaysMessage).max(90, assessmentDaysMessage),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.startedOn && v.closedOn && isCalendarDate(v.startedOn) && isCalendarDate(v.closedOn) && v.closedOn < v.startedOn) {
      ctx.addIssue({ code: 'custom', path: ['closedOn'], message: 'validation.workingGroup.closedOn.beforeStart' });
    }
  });
export type WorkingGroupInput = z.infer<typeof WorkingGroupInputSchema>;

/** The columns' limit (254) is tighter than the general e-mail field's. */
const memberEmail = emailAddress.refine((v) => v.length <= 254, 'validation.workingGroup.email.tooLong');
const memberName = z.string().trim().max(200, 'validation.workingGroup.memberName.tooLong').default('');

/** "Vice chair", "vice-chair" and "VICE_CHAIR" all name the same role. */
export function normaliseRole(raw: string): string {
  return raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

const memberRole = z
  .string()
  .default('')
  .transform(normaliseRole)
  .refine((v) => v === '' || (MEMBER_ROLES as readonly string[]).includes(v), 'validation.workingGroup.role.unknown');

/** The add-member form: a blank role means an ordinary member. */
export const MemberInputSchema = z.object({
  email: memberEmail,
  displayName: memberName,
  role: memberRole.transform((v) => (v === '' ? 'member' : v) as MemberRole),
});
export type MemberInput = z.infer<typeof MemberInputSchema>;

/** One line of a members CSV: a blank name or role leaves a known member's as it is. */
export const MemberRowSchema = z.object({
  email: memberEmail,
  name: memberName,
  role: memberRole.transform((v) => (v === '' ? null : (v as MemberRole))),
});
export type MemberRow = z.infer<typeof MemberRowSchema>;

export const StaffAssignmentSchema = z.object({
  staffMemberId: z.coerce
    .number({ message: 'validation.workingGroup.staffMember.required' })
    .int('validation.workingGroup.staffMember.required')
    .positive('validation.workingGroup.staffMember.required'),
  staffRole: z.string().trim().max(120, 'validation.workingGroup.staffRole.tooLong').default(''),
});
export type StaffAssignment = z.infer<typeof StaffAssignmentSchema>;
