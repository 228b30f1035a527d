import { hkdfSync } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from './clock';
import { getOrCreateSecret } from './db/secrets';

/** What each application key is for; one key per purpose, so no key opens what another sealed. */
export const KEY_PURPOSES = ['survey-links', 'solicitation-links', 'receipt-codes'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/**
 * The keys that seal survey and solicitation links and derive receipt codes. With a secret key from
 * the environment (required in production) each is derived from it by HKDF-SHA256 with the purpose
 * as its label, and none is stored: a copy of the database alone can neither forge nor open a link.
 * Without one (development, tests, the demo) each is generated once and kept in the database, under
 * the purpose's name, so nothing needs setting up.
 */
export function createApplicationKeys(deps: { secretKey: string | undefined; knex: Knex; clock: Clock }) {
  const { secretKey, knex, clock } = deps;
  return async function keyFor(purpose: KeyPurpose): Promise<string> {
    if (secretKey === undefined) return getOrCreateSecret(knex, purpose, clock);
    return Buffer.from(hkdfSync('sha256', secretKey, 'accountable', `accountable:${purpose}`, 48)).toString('base64url');
  };
}

export type ApplicationKeys = ReturnType<typeof createApplicationKeys>;
