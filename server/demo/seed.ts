import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Clock } from '../platform/clock';
import { createPasswordHasher } from '../platform/auth/passwords';
import type { Role } from '../platform/auth/roles';
import { createDirectoryRepository } from '../features/directory/directory.repository';
import { createAccountsRepository } from '../features/accounts/accounts.repository';
import { DEMO_STAFF, DEMO_COMMUNITY_MEMBERS } from './organisation';

export const DEMO_PASSWORD = 'accountable-demo';

export const DEMO_SIGN_INS: ReadonlyArray<{ email: string; role: string; roles: Role[] }> = [
  { email: 'admin@demo.example', role: 'admin', roles: ['admin'] },
  // A second administrator: granting a privileged role needs one admin to propose and another to approve.
  { email: 'admin2@demo.example', role: 'admin (approves role grants)', roles: ['admin'] },
  { email: 'hr@demo.example', role: 'HR', roles: ['hr'] },
  { email: 'executive@demo.example', role: 'executive', roles: [] },
  { email: 'manager@demo.example', role: 'people manager', roles: [] },
  { email: 'staff@demo.example', role: 'staff member', roles: [] },
  { email: 'complaints@demo.example', role: 'complaints officer', roles: ['complaints'] },
  { email: 'member@demo.example', role: 'community member', roles: ['member'] },
];

export class DemoRefusedError extends Error {}

/**
 * Loads a realistic demo organisation and one account per role. Refused in production; does nothing
 * when the demo organisation is already there, so `npm run demo` can be run again.
 */
export async function seedDemoOrganisation(knex: Knex, clock: Clock, config: Pick<Config, 'env' | 'passwordHashCost'>): Promise<'created' | 'already-present'> {
  if (config.env === 'production') throw new DemoRefusedError('Demo data is refused when NODE_ENV=production.');
  const now = () => clock.now();
  const directory = createDirectoryRepository(knex, now);
  const accounts = createAccountsRepository(knex, now);
  if (await accounts.findByEmail('admin@demo.example')) return 'already-present';

  const passwordHash = await createPasswordHasher(config.passwordHashCost).hash(DEMO_PASSWORD);
  await knex.transaction(async (trx) => {
    const departmentIds = new Map<string, number>();
    for (const department of new Set(DEMO_STAFF.map((s) => s.department))) {
      departmentIds.set(department, await directory.insertDepartment(department, trx));
    }
    const staffIds = new Map<string, number>();
    for (const person of DEMO_STAFF) {
      const id = await directory.insertStaff(
        {
          email: person.email,
          name: person.name,
          title: person.title,
          departmentId: departmentIds.get(person.department) ?? null,
          managerId: person.manager ? (staffIds.get(person.manager) ?? null) : null,
          communityFacing: person.communityFacing,
          isExecutive: person.executive,
        },
        trx,
      );
      staffIds.set(person.email, id);
    }
    for (const signIn of DEMO_SIGN_INS) {
      const person = DEMO_STAFF.find((s) => s.email === signIn.email);
      const member = DEMO_COMMUNITY_MEMBERS.find((m) => m.email === signIn.email);
      const accountId = await accounts.insert(
        {
          email: signIn.email,
          displayName: person?.name ?? member?.name ?? signIn.email,
          passwordHash,
          verified: true,
          staffMemberId: staffIds.get(signIn.email) ?? null,
          locale: 'en',
        },
        trx,
      );
      await accounts.replaceStoredRoles(accountId, signIn.roles, trx);
    }
    for (const member of DEMO_COMMUNITY_MEMBERS.filter((m) => !DEMO_SIGN_INS.some((s) => s.email === m.email))) {
      const accountId = await accounts.insert({ email: member.email, displayName: member.name, passwordHash: null, verified: true, staffMemberId: null, locale: 'en' }, trx);
      await accounts.replaceStoredRoles(accountId, ['member'], trx);
    }
  });
  return 'created';
}
