import { z } from 'zod';

/** An e-mail address as typed in any form or file: trimmed, lower-cased, checked. Messages are translation keys. */
export const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'validation.email.required')
  .max(320, 'validation.email.tooLong')
  .pipe(z.email('validation.email.invalid'));
