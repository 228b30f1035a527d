import { z } from 'zod';
import { emailAddress } from '../../platform/http/fields';

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_BATCH = 1000;

/** Action codes and subject types are short dotted words ("survey.create", "working_group"). */
const code = (message: string) => z.string().trim().max(64, message).regex(/^[A-Za-z0-9_.-]+$/, message);

// An empty field means "any": the filter form sends every field.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const day = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((text) => {
      const at = Date.parse(`${text}T00:00:00Z`);
      return Number.isFinite(at) && new Date(at).toISOString().slice(0, 10) === text;
    }, message);

export const AuditFilterSchema = z
  .object({
    action: optional(code('audit.errors.action')),
    actor: optional(emailAddress),
    from: optional(day('audit.errors.from')),
    to: optional(day('audit.errors.to')),
    subjectType: optional(code('audit.errors.subjectType')),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'audit.errors.range', path: ['to'] });

export type AuditFilters = z.infer<typeof AuditFilterSchema>;
export const AUDIT_FILTER_FIELDS = ['action', 'actor', 'from', 'to', 'subjectType'] as const;

/** One audit event with its actor as the accounts table names them now. */
export interface AuditEntry {
  readonly id: number;
  readonly createdAt: number;
  readonly actorAccountId: number | null;
  readonly actorName: string | null;
  readonly actorEmail: string | null;
  /** A community member: their name and address are withheld from the log. */
  readonly actorIsCommunity: boolean;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  /** The stored JSON text, as written. */
  readonly detail: string | null;
}

/** Where to continue a newest-first walk: the last entry read. */
export interface AuditCursor {
  readonly createdAt: number;
  readonly id: number;
}
