import argon2 from 'argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string | null, password: string): Promise<boolean>;
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

// "low" cost exists so the test suite can hash hundreds of passwords quickly; config refuses it in production.
export function createPasswordHasher(cost: 'standard' | 'low'): PasswordHasher {
  const options = cost === 'low' ? { memoryCost: 1024, timeCost: 2, parallelism: 1 } : { memoryCost: 19456, timeCost: 2, parallelism: 1 };
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => argon2.hash(password, { type: argon2.argon2id, ...options }),
    async verify(hash, password) {
      // Unknown accounts are checked against a throwaway hash so both cases take the same time.
      dummyHash ??= argon2.hash('not-a-real-password', { type: argon2.argon2id, ...options });
      const target = hash ?? (await dummyHash);
      const ok = await argon2.verify(target, password).catch(() => false);
      return ok && hash !== null;
    },
  };
}
