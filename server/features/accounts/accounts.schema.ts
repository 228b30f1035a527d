import { z } from 'zod';
import { emailAddress as email } from '../../platform/http/fields';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/auth/passwords';
import { ASSIGNABLE_ROLES } from '../../platform/auth/roles';

const newPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, 'validation.password.tooShort')
  .max(PASSWORD_MAX_LENGTH, 'validation.password.tooLong');

export const SignInSchema = z.object({
  email,
  password: z.string().min(1, 'validation.password.required').max(PASSWORD_MAX_LENGTH, 'validation.password.tooLong'),
});

const displayName = z.string().trim().min(1, 'validation.displayName.required').max(200, 'validation.displayName.tooLong');

// No password at sign-up: it is chosen on the verification page, by whoever controls the mailbox.
export const SignUpSchema = z.object({ displayName, email });
export type SignUpInput = z.infer<typeof SignUpSchema>;

export const ResetRequestSchema = z.object({ email });

export const NewPasswordSchema = z
  .object({ password: newPassword, passwordConfirmation: z.string() })
  .refine((v) => v.password === v.passwordConfirmation, { path: ['passwordConfirmation'], message: 'validation.password.mismatch' });

export const VerifySchema = z
  .object({ displayName, password: newPassword, passwordConfirmation: z.string() })
  .refine((v) => v.password === v.passwordConfirmation, { path: ['passwordConfirmation'], message: 'validation.password.mismatch' });

export const RolesFormSchema = z.object({
  roles: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.enum(ASSIGNABLE_ROLES, 'validation.role.invalid'))),
});

/** Where to go after signing in: only paths on this site. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}
