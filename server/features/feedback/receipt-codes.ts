import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ALPHABET, base32 } from '../../platform/random-codes';

const CODE_BYTES = 20; // 160 bits
const CODE_LENGTH = 32;

/** A fresh key for one rendering of the feedback form; a resubmission carries the same key. */
export function newSubmissionKey(): string {
  return randomBytes(16).toString('base64url');
}

export function isSubmissionKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{22,64}$/.test(value);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * The receipt code of an anonymous item, derived from the form's submission key with a server
 * secret: a double click or a retry after a time-out shows the same code again, while the database
 * keeps only its hash (and not the submission key, only that key's hash).
 */
export function deriveReceiptCode(secret: string, submissionKey: string): string {
  const code = base32(createHmac('sha256', secret).update(submissionKey).digest().subarray(0, CODE_BYTES));
  return code.match(/.{4}/g)!.join('-');
}

/** The canonical form of a typed code, or undefined when it cannot be one. */
export function normaliseReceiptCode(typed: string): string | undefined {
  const code = typed
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}

export function hashReceiptCode(code: string): string | undefined {
  const normalised = normaliseReceiptCode(code);
  return normalised ? sha256Hex(normalised) : undefined;
}
