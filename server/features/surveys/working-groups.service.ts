import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { pageCountOf, type Page } from '../../platform/http/forms';
import type { StaffMember } from '../directory';
import { checkMemberCsv, type FileProblem } from './member-import';
import type { WorkingGroupsRepository } from './working-groups.repository';
import {
  LEADERSHIP_ROLES,
  WORKING_GROUPS_PAGE_SIZE,
  type MemberInput,
  type MilestoneDue,
  type StaffAssignment,
  type SupportStaffMember,
  type TemplateOption,
  type WorkingGroup,
  type WorkingGroupInput,
  type WorkingGroupMember,
} from './working-groups.schema';

type Db = Knex | Knex.Transaction;

/** What working groups need from the directory. */
export interface WorkingGroupsDirectory {
  findStaff(id: number, db?: Db): Promise<StaffMember | undefined>;
  /** Every staff member who can be picked as support staff, by name. */
  listStaffForPicking(): Promise<StaffMember[]>;
}

export interface WorkingGroupsServiceDeps {
  knex: Knex;
  repository: WorkingGroupsRepository;
  audit: AuditLog;
  directory: WorkingGroupsDirectory;
  /** The id of the verified community account with this e-mail address, if there is one. */
  accountIdByEmail(email: string, db: Db): Promise<number | undefined>;
}

export type ImportLineStatus = 'added' | 'updated' | 'unchanged' | 'error';

export interface ImportLineReport {
  readonly line: number;
  readonly email: string;
  readonly status: ImportLineStatus;
  readonly field?: string;
  readonly messageKey?: string;
  readonly values?: Record<string, string | number>;
}

export type MemberImportOutcome =
  | { readonly ok: true; readonly lines: ImportLineReport[]; readonly added: number; readonly updated: number; readonly unchanged: number; readonly errors: number }
  | { readonly ok: false; readonly problems: FileProblem[] };

export interface GroupPage {
  readonly group: WorkingGroup;
  readonly templateName: string | null;
  readonly members: WorkingGroupMember[];
  readonly leadership: WorkingGroupMember[];
  readonly staff: SupportStaffMember[];
}

/** A group's milestones (initial report, closure) on or before `today`, in the order reached. */
function milestonesReached(group: WorkingGroup, today: string): MilestoneDue[] {
  if (group.assessmentTemplateId === null) return [];
  const base = { groupId: group.id, templateId: group.assessmentTemplateId, days: group.assessmentDays };
  const reached: MilestoneDue[] = [];
  if (group.initialReportOn && group.initialReportOn <= today) reached.push({ ...base, milestone: 'initial_report', reachedOn: group.initialReportOn });
  if (group.closedOn && group.closedOn <= today) reached.push({ ...base, milestone: 'closure', reachedOn: group.closedOn });
  // Stable: on the same day, the initial report comes before closure.
  return reached.sort((a, b) => a.reachedOn.localeCompare(b.reachedOn));
}

export function createWorkingGroupsService({ knex, repository, audit, directory, accountIdByEmail }: WorkingGroupsServiceDeps) {
  async function requireGroup(id: number, db: Db): Promise<WorkingGroup> {
    const group = await repository.findGroup(id, db);
    if (!group) throw new NotFoundError();
    return group;
  }

  /** A chosen template must be one in use; a group may keep the one it has even after it is archived. */
  async function checkTemplate(input: WorkingGroupInput, current: WorkingGroup | null, db: Db): Promise<void> {
    if (input.assessmentTemplateId === null || input.assessmentTemplateId === current?.assessmentTemplateId) return;
    const options = await repository.templateOptions(db);
    if (!options.some((o) => o.id === input.assessmentTemplateId)) throw new ValidationError({ assessmentTemplateId: 'validation.workingGroup.assessmentTemplate.unknown' });
  }

  async function supportStaff(groupId: number, db: Db = knex): Promise<SupportStaffMember[]> {
    const assigned = await repository.listStaff(groupId, db);
    const staff: SupportStaffMember[] = [];
    for (const { staffMemberId, role } of assigned) {
      const member = await directory.findStaff(staffMemberId, db);
      if (member) staff.push({ staffMemberId, name: member.name, role });
    }
    return staff.sort((a, b) => a.name.localeCompare(b.name) || a.staffMemberId - b.staffMemberId);
  }

  return {
    async listGroups(page: number): Promise<Page<WorkingGroup>> {
      const { items, total } = await repository.listGroups(page, WORKING_GROUPS_PAGE_SIZE);
      return { items, total, page, pageSize: WORKING_GROUPS_PAGE_SIZE, pageCount: pageCountOf(total, WORKING_GROUPS_PAGE_SIZE) };
    },

    findGroup: (id: number, db?: Db): Promise<WorkingGroup | undefined> => repository.findGroup(id, db),

    /** Every group, for the survey form's picker. */
    choices: (): Promise<Array<{ id: number; name: string }>> => repository.names(),

    /** Everything the group page shows; unknown ids are not found. */
    async groupPage(id: number): Promise<GroupPage> {
      const group = await requireGroup(id, knex);
      const members = await repository.listMembers(id);
      const leadership = LEADERSHIP_ROLES.flatMap((role) => members.filter((m) => m.role === role));
      const templateName = group.assessmentTemplateId === null ? null : ((await repository.templateName(group.assessmentTemplateId)) ?? null);
      return { group, templateName, members, leadership, staff: await supportStaff(id) };
    },

    templateOptions: (): Promise<TemplateOption[]> => repository.templateOptions(),

    staffOptions: (): Promise<StaffMember[]> => directory.listStaffForPicking(),

    async createGroup(actor: Actor, input: WorkingGroupInput): Promise<number> {
      return knex.transaction(async (trx) => {
        await checkTemplate(input, null, trx);
        const id = await repository.insertGroup(input, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'working_group.create', subjectType: 'working_group', subjectId: id }, trx);
        return id;
      });
    },

    async updateGroup(actor: Actor, id: number, input: WorkingGroupInput): Promise<void> {
      await knex.transaction(async (trx) => {
        const current = await requireGroup(id, trx);
        await checkTemplate(input, current, trx);
        await repository.updateGroup(id, input, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'working_group.update', subjectType: 'working_group', subjectId: id }, trx);
      });
    },

    async addMember(actor: Actor, groupId: number, input: MemberInput): Promise<number> {
      try {
        return await knex.transaction(async (trx) => {
          await requireGroup(groupId, trx);
          if (await repository.findMemberByEmail(groupId, input.email, trx)) throw new ValidationError({ email: 'validation.workingGroup.email.alreadyMember' });
          const accountId = (await accountIdByEmail(input.email, trx)) ?? null;
          const memberId = await repository.insertMember(groupId, { email: input.email, displayName: input.displayName, role: input.role, accountId }, trx);
          await audit.record({ actorAccountId: actor.accountId, action: 'working_group.member.add', subjectType: 'working_group', subjectId: groupId, detail: { memberId, role: input.role, linked: accountId !== null } }, trx);
          return memberId;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ValidationError({ email: 'validation.workingGroup.email.alreadyMember' });
        throw err;
      }
    },

    async removeMember(actor: Actor, groupId: number, memberId: number): Promise<void> {
      await knex.transaction(async (trx) => {
        await requireGroup(groupId, trx);
        if ((await repository.deleteMember(groupId, memberId, trx)) === 0) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'working_group.member.remove', subjectType: 'working_group', subjectId: groupId, detail: { memberId } }, trx);
      });
    },

    /** Assigns a staff member from the directory, or changes the role of one already assigned. */
    async assignStaff(actor: Actor, groupId: number, input: StaffAssignment): Promise<void> {
      try {
        await knex.transaction(async (trx) => {
          await requireGroup(groupId, trx);
          if (!(await directory.findStaff(input.staffMemberId, trx))) throw new ValidationError({ staffMemberId: 'validation.workingGroup.staffMember.required' });
          const existing = await repository.findStaffAssignment(groupId, input.staffMemberId, trx);
          if (existing) await repository.updateStaffRole(groupId, input.staffMemberId, input.staffRole, trx);
          else await repository.insertStaff(groupId, input.staffMemberId, input.staffRole, trx);
          await audit.record(
            { actorAccountId: actor.accountId, action: existing ? 'working_group.staff.update' : 'working_group.staff.assign', subjectType: 'working_group', subjectId: groupId, detail: { staffMemberId: input.staffMemberId } },
            trx,
          );
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError();
        throw err;
      }
    },

    async removeStaff(actor: Actor, groupId: number, staffMemberId: number): Promise<void> {
      await knex.transaction(async (trx) => {
        await requireGroup(groupId, trx);
        if ((await repository.deleteStaff(groupId, staffMemberId, trx)) === 0) throw new NotFoundError();
        await audit.record({ actorAccountId: actor.accountId, action: 'working_group.staff.remove', subjectType: 'working_group', subjectId: groupId, detail: { staffMemberId } }, trx);
      });
    },

    /**
     * Adds and updates members by e-mail from a CSV. Good lines are written together in one
     * transaction; a bad line is reported and left out whole. A file that cannot be read changes
     * nothing. Importing the same file again changes nothing and reports its lines unchanged.
     */
    async importMembers(actor: Actor, groupId: number, csv: string): Promise<MemberImportOutcome> {
      await requireGroup(groupId, knex);
      const checked = await checkMemberCsv(csv);
      if (!checked.ok) return checked;
      try {
        return await knex.transaction(async (trx) => {
          await requireGroup(groupId, trx);
          const known = new Map((await repository.listMembers(groupId, trx)).map((m) => [m.email, m]));
          const lines: ImportLineReport[] = [];
          for (const line of checked.lines) {
            if (!line.ok) {
              lines.push({ line: line.line, email: line.email, status: 'error', field: line.field, messageKey: line.messageKey, values: line.values });
              continue;
            }
            const { email, name, role } = line.input;
            const current = known.get(email);
            if (!current) {
              const accountId = (await accountIdByEmail(email, trx)) ?? null;
              await repository.insertMember(groupId, { email, displayName: name, role: role ?? 'member', accountId }, trx);
              lines.push({ line: line.line, email, status: 'added' });
              continue;
            }
            const changes: { accountId?: number; displayName?: string; role?: WorkingGroupMember['role'] } = {};
            if (name && name !== current.displayName) changes.displayName = name;
            if (role && role !== current.role) changes.role = role;
            if (current.accountId === null) {
              const accountId = await accountIdByEmail(email, trx);
              if (accountId !== undefined) changes.accountId = accountId;
            }
            if (Object.keys(changes).length === 0) {
              lines.push({ line: line.line, email, status: 'unchanged' });
            } else {
              await repository.updateMember(groupId, current.id, changes, trx);
              lines.push({ line: line.line, email, status: 'updated' });
            }
          }
          const count = (status: ImportLineStatus) => lines.filter((l) => l.status === status).length;
          const totals = { added: count('added'), updated: count('updated'), unchanged: count('unchanged'), errors: count('error') };
          await audit.record({ actorAccountId: actor.accountId, action: 'working_group.members.import', subjectType: 'working_group', subjectId: groupId, detail: { rows: lines.length, ...totals } }, trx);
          return { ok: true as const, lines, ...totals };
        });
      } catch (err) {
        // Someone added one of these addresses while the file was being imported.
        if (isUniqueViolation(err)) throw new ConflictError();
        throw err;
      }
    },

    // For the survey engine.

    async members(groupId: number, db: Db = knex): Promise<Array<{ id: number; accountId: number | null; email: string; displayName: string; role: WorkingGroupMember['role'] }>> {
      return repository.listMembers(groupId, db);
    },

    supportStaff,

    /**
     * The milestones reached by `today` (YYYY-MM-DD) of groups with an assessment template, each
     * group's in the order reached. Past milestones keep being listed; the engine decides which open
     * an assessment.
     */
    async milestonesDue(today: string, db: Db = knex): Promise<MilestoneDue[]> {
      return (await repository.groupsWithMilestonesBy(today, db)).flatMap((group) => milestonesReached(group, today));
    },

    /**
     * One group's reached milestones, read with the group's row locked until `trx` ends: two sweeps
     * deciding about the same group (in two processes) decide one after the other.
     */
    async lockMilestonesDue(groupId: number, today: string, trx: Knex.Transaction): Promise<MilestoneDue[]> {
      const group = await repository.findGroup(groupId, trx, { forUpdate: true });
      return group ? milestonesReached(group, today) : [];
    },

    /** The groups a staff member supports, with their role in each (for reviews). */
    groupsSupportedBy: (staffMemberId: number, db?: Db): Promise<Array<{ group: WorkingGroup; role: string }>> => repository.groupsSupportedBy(staffMemberId, db),
  };
}

export type WorkingGroupsService = ReturnType<typeof createWorkingGroupsService>;
