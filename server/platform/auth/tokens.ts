import { createHash, randomBytes } from 'node:crypto';

/** A URL-safe secret of 256 bits, and the SHA-256 digest that is all the database keeps of it. */
export function newSecretToken(): { token: string; digest: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, digest: digestToken(token) };
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
