import { z } from 'zod';
import { emailAddress as email } from '../../platform/http/fields';

export interface Department {
  readonly id: number;
  readonly name: string;
  readonly staffCount: number;
}

export interface StaffMember {
  readonly id: number;
  readonly email: string;
  readonly name: string;
  readonly title: string;
  readonly departmentId: number | null;
  readonly departmentName: string | null;
  readonly managerId: number | null;
  readonly managerName: string | null;
  readonly communityFacing: boolean;
  readonly isExecutive: boolean;
}

export interface StaffMemberFields {
  email: string;
  name: string;
  title: string;
  departmentId: number | null;
  managerId: number | null;
  communityFacing: boolean;
  isExecutive: boolean;
}

export interface StaffListFilter {
  query?: string;
  departmentId?: number;
  managerId?: number;
  page: number;
  pageSize: number;
}

const flag = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === false || v === '') return false;
    if (v === true) return true;
    const normalised = v.trim().toLowerCase();
    if (['yes', 'true', '1', 'y', 'on'].includes(normalised)) return true;
    if (['no', 'false', '0', 'n', 'off'].includes(normalised)) return false;
    ctx.addIssue({ code: 'custom', message: 'validation.flag.invalid' });
    return z.NEVER;
  });

/** One staff member as typed in the edit form or a CSV row: departments and managers by name and e-mail. */
export const StaffInputSchema = z.object({
  email,
  name: z.string().trim().min(1, 'validation.name.required').max(200, 'validation.name.tooLong'),
  title: z.string().trim().max(200, 'validation.title.tooLong').default(''),
  department: z.string().trim().max(120, 'validation.department.tooLong').default(''),
  managerEmail: z
    .string()
    .trim()
    .toLowerCase()
    .max(320, 'validation.email.tooLong')
    .refine((v) => v === '' || z.email().safeParse(v).success, 'validation.managerEmail.invalid')
    .default(''),
  communityFacing: flag,
  isExecutive: flag,
});
export type StaffInput = z.infer<typeof StaffInputSchema>;

export const DepartmentInputSchema = z.object({
  name: z.string().trim().min(1, 'validation.department.required').max(120, 'validation.department.tooLong'),
});

export const STAFF_PAGE_SIZE = 25;
