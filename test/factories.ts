import type { Knex } from 'knex';
import { createAccountsRepository } from '../server/features/accounts/accounts.repository';
import { createDirectoryRepository } from '../server/features/directory/directory.repository';
import { createWorkingGroupsRepository } from '../server/features/surveys/working-groups.repository';
import type { WorkingGroupInput } from '../server/features/surveys/working-groups.schema';
import { createPasswordHasher } from '../server/platform/auth/passwords';
import type { Role } from '../server/platform/auth/roles';

// Test data is made through the application's own repositories, one call per thing a test needs.
let sequence = 0;
const next = () => ++sequence;
const hasher = createPasswordHasher('low');
export const TEST_PASSWORD = 'correct horse battery';

export function factories(knex: Knex) {
  const now = () => Date.now();
  const directory = createDirectoryRepository(knex, now);
  const accounts = createAccountsRepository(knex, now);
  const workingGroups = createWorkingGroupsRepository(knex, now);
  return {
    async department(name = `Department ${next()}`) {
      return { id: await directory.insertDepartment(name), name };
    },

    async staff(fields: Partial<{ email: string; name: string; title: string; departmentId: number | null; managerId: number | null; communityFacing: boolean; isExecutive: boolean }> = {}) {
      const n = next();
      const member = {
        email: `staff${n}@org.test`,
        name: `Staff Member ${n}`,
        title: 'Policy Analyst',
        departmentId: null,
        managerId: null,
        communityFacing: true,
        isExecutive: false,
        ...fields,
      };
      return { ...member, id: await directory.insertStaff(member) };
    },

    /** A verified account with a password; linked to a staff member when `staffMemberId` is given. */
    async account(fields: Partial<{ email: string; displayName: string; roles: Role[]; staffMemberId: number | null; verified: boolean; password: string }> = {}) {
      const n = next();
      const email = fields.email ?? `person${n}@example.test`;
      const id = await accounts.insert({
        email,
        displayName: fields.displayName ?? `Person ${n}`,
        passwordHash: await hasher.hash(fields.password ?? TEST_PASSWORD),
        verified: fields.verified ?? true,
        staffMemberId: fields.staffMemberId ?? null,
        locale: 'en',
      });
      await accounts.replaceStoredRoles(id, fields.roles ?? []);
      return { id, email, password: fields.password ?? TEST_PASSWORD };
    },

    /** A working group with no members, dates or assessment unless given. */
    async workingGroup(fields: Partial<WorkingGroupInput> = {}) {
      const group: WorkingGroupInput = {
        name: `Working Group ${next()}`,
        type: 'pdp',
        charteringOrganisation: 'GNSO',
        description: '',
        startedOn: null,
        initialReportOn: null,
        finalReportOn: null,
        closedOn: null,
        assessmentTemplateId: null,
        assessmentDays: 21,
        ...fields,
      };
      return { ...group, id: await workingGroups.insertGroup(group) };
    },

    async groupMember(groupId: number, fields: Partial<{ email: string; displayName: string; role: 'member' | 'chair' | 'vice_chair' | 'council_liaison'; accountId: number | null }> = {}) {
      const n = next();
      const member = { email: `member${n}@community.test`, displayName: `Member ${n}`, role: 'member' as const, accountId: null, ...fields };
      return { ...member, id: await workingGroups.insertMember(groupId, member) };
    },

    async supportStaff(groupId: number, staffMemberId: number, role = 'Policy support') {
      await workingGroups.insertStaff(groupId, staffMemberId, role);
    },

    /** A staff member with an account: the usual way to get a manager or an executive. */
    async staffAccount(fields: Partial<{ name: string; managerId: number | null; isExecutive: boolean; roles: Role[]; departmentId: number | null }> = {}) {
      const member = await this.staff({ managerId: fields.managerId ?? null, isExecutive: fields.isExecutive ?? false, departmentId: fields.departmentId ?? null, ...(fields.name ? { name: fields.name } : {}) });
      const account = await this.account({ email: member.email, staffMemberId: member.id, roles: fields.roles ?? [] });
      return { ...account, staffMemberId: member.id, member };
    },
  };
}
