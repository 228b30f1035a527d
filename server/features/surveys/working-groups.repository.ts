import type { Knex } from 'knex';
import { toNullableNumber } from '../../platform/db/json';
import type { MemberRole, TemplateOption, WorkingGroup, WorkingGroupInput, WorkingGroupMember, WorkingGroupType } from './working-groups.schema';

type Db = Knex | Knex.Transaction;

const GROUP_COLUMNS = [
  'id',
  'name',
  'type',
  'chartering_organisation',
  'description',
  'started_on',
  'initial_report_on',
  'final_report_on',
  'closed_on',
  'assessment_template_id',
  'assessment_days',
  'created_at',
  'updated_at',
] as const;

const MEMBER_COLUMNS = ['id', 'account_id', 'email', 'display_name', 'role'] as const;

const day = (value: unknown) => (value == null || value === '' ? null : String(value));

function toWorkingGroup(row: Record<string, unknown>): WorkingGroup {
  return {
    id: Number(row.id),
    name: String(row.name),
    type: String(row.type) as WorkingGroupType,
    charteringOrganisation: String(row.chartering_organisation ?? ''),
    description: String(row.description ?? ''),
    startedOn: day(row.started_on),
    initialReportOn: day(row.initial_report_on),
    finalReportOn: day(row.final_report_on),
    closedOn: day(row.closed_on),
    assessmentTemplateId: toNullableNumber(row.assessment_template_id),
    assessmentDays: Number(row.assessment_days),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toMember(row: Record<string, unknown>): WorkingGroupMember {
  return {
    id: Number(row.id),
    accountId: toNullableNumber(row.account_id),
    email: String(row.email),
    displayName: String(row.display_name ?? ''),
    role: String(row.role) as MemberRole,
  };
}

function groupColumns(fields: WorkingGroupInput): Record<string, unknown> {
  return {
    name: fields.name,
    type: fields.type,
    chartering_organisation: fields.charteringOrganisation,
    description: fields.description,
    started_on: fields.startedOn,
    initial_report_on: fields.initialReportOn,
    final_report_on: fields.finalReportOn,
    closed_on: fields.closedOn,
    assessment_template_id: fields.assessmentTemplateId,
    assessment_days: fields.assessmentDays,
  };
}

export function createWorkingGroupsRepository(knex: Knex, now: () => number) {
  return {
    async listGroups(page: number, pageSize: number, db: Db = knex): Promise<{ items: WorkingGroup[]; total: number }> {
      const totalRow = await db('working_groups').count({ n: '*' }).first();
      const rows = await db('working_groups')
        .select(...GROUP_COLUMNS)
        .orderBy([{ column: 'name' }, { column: 'id' }])
        .limit(pageSize)
        .offset((page - 1) * pageSize);
      return { items: rows.map(toWorkingGroup), total: Number(totalRow?.n ?? 0) };
    },

    /** Every group's id and name, for pickers. */
    async names(db: Db = knex): Promise<Array<{ id: number; name: string }>> {
      return (await db('working_groups').select('id', 'name').orderBy('name')).map((r) => ({ id: Number(r.id), name: String(r.name) }));
    },

    /** `forUpdate` inside a transaction: the row stays locked until it ends (MySQL/MariaDB; SQLite has one writer). */
    async findGroup(id: number, db: Db = knex, options: { forUpdate?: boolean } = {}): Promise<WorkingGroup | undefined> {
      let query = db('working_groups').select(...GROUP_COLUMNS).where({ id });
      if (options.forUpdate && db.client.config.client === 'mysql2') query = query.forUpdate();
      const row = await query.first();
      return row ? toWorkingGroup(row) : undefined;
    },

    async insertGroup(fields: WorkingGroupInput, db: Db = knex): Promise<number> {
      const t = now();
      const [id] = await db('working_groups').insert({ ...groupColumns(fields), created_at: t, updated_at: t });
      return Number(id);
    },

    async updateGroup(id: number, fields: WorkingGroupInput, db: Db = knex): Promise<void> {
      await db('working_groups').where({ id }).update({ ...groupColumns(fields), updated_at: now() });
    },

    /** Groups with an assessment template and a milestone on or before `today` (YYYY-MM-DD). */
    async groupsWithMilestonesBy(today: string, db: Db = knex): Promise<WorkingGroup[]> {
      const rows = await db('working_groups')
        .select(...GROUP_COLUMNS)
        .whereNotNull('assessment_template_id')
        .andWhere((w) => w.where('initial_report_on', '<=', today).orWhere('closed_on', '<=', today))
        .orderBy('id');
      return rows.map(toWorkingGroup);
    },

    async listMembers(groupId: number, db: Db = knex): Promise<WorkingGroupMember[]> {
      const rows = await db('working_group_members')
        .select(...MEMBER_COLUMNS)
        .where({ working_group_id: groupId })
        .orderBy([{ column: 'display_name' }, { column: 'email' }]);
      return rows.map(toMember);
    },

    async findMember(groupId: number, memberId: number, db: Db = knex): Promise<WorkingGroupMember | undefined> {
      const row = await db('working_group_members').select(...MEMBER_COLUMNS).where({ working_group_id: groupId, id: memberId }).first();
      return row ? toMember(row) : undefined;
    },

    async findMemberByEmail(groupId: number, email: string, db: Db = knex): Promise<WorkingGroupMember | undefined> {
      const row = await db('working_group_members').select(...MEMBER_COLUMNS).where({ working_group_id: groupId, email: email.toLowerCase() }).first();
      return row ? toMember(row) : undefined;
    },

    async insertMember(groupId: number, member: Omit<WorkingGroupMember, 'id'>, db: Db = knex): Promise<number> {
      const [id] = await db('working_group_members').insert({
        working_group_id: groupId,
        account_id: member.accountId,
        email: member.email.toLowerCase(),
        display_name: member.displayName,
        role: member.role,
        created_at: now(),
      });
      return Number(id);
    },

    async updateMember(groupId: number, memberId: number, fields: Partial<Pick<WorkingGroupMember, 'accountId' | 'displayName' | 'role'>>, db: Db = knex): Promise<void> {
      const columns: Record<string, unknown> = {};
      if (fields.accountId !== undefined) columns.account_id = fields.accountId;
      if (fields.displayName !== undefined) columns.display_name = fields.displayName;
      if (fields.role !== undefined) columns.role = fields.role;
      if (Object.keys(columns).length === 0) return;
      await db('working_group_members').where({ working_group_id: groupId, id: memberId }).update(columns);
    },

    async deleteMember(groupId: number, memberId: number, db: Db = knex): Promise<number> {
      return db('working_group_members').where({ working_group_id: groupId, id: memberId }).delete();
    },

    async listStaff(groupId: number, db: Db = knex): Promise<Array<{ staffMemberId: number; role: string }>> {
      const rows = await db('working_group_staff').select('staff_member_id', 'role').where({ working_group_id: groupId });
      return rows.map((r) => ({ staffMemberId: Number(r.staff_member_id), role: String(r.role ?? '') }));
    },

    async findStaffAssignment(groupId: number, staffMemberId: number, db: Db = knex): Promise<{ role: string } | undefined> {
      const row = await db('working_group_staff').select('role').where({ working_group_id: groupId, staff_member_id: staffMemberId }).first();
      return row ? { role: String(row.role ?? '') } : undefined;
    },

    async insertStaff(groupId: number, staffMemberId: number, role: string, db: Db = knex): Promise<void> {
      await db('working_group_staff').insert({ working_group_id: groupId, staff_member_id: staffMemberId, role });
    },

    async updateStaffRole(groupId: number, staffMemberId: number, role: string, db: Db = knex): Promise<void> {
      await db('working_group_staff').where({ working_group_id: groupId, staff_member_id: staffMemberId }).update({ role });
    },

    async deleteStaff(groupId: number, staffMemberId: number, db: Db = knex): Promise<number> {
      return db('working_group_staff').where({ working_group_id: groupId, staff_member_id: staffMemberId }).delete();
    },

    async groupsSupportedBy(staffMemberId: number, db: Db = knex): Promise<Array<{ group: WorkingGroup; role: string }>> {
      const rows = await db('working_groups as g')
        .join('working_group_staff as ws', 'ws.working_group_id', 'g.id')
        .select(...GROUP_COLUMNS.map((c) => `g.${c}`), 'ws.role as staff_role')
        .where('ws.staff_member_id', staffMemberId)
        .orderBy([{ column: 'g.name' }, { column: 'g.id' }]);
      return rows.map((r) => ({ group: toWorkingGroup(r), role: String(r.staff_role ?? '') }));
    },

    /** The templates a group may be assessed with (the survey engine owns the table). */
    async templateOptions(db: Db = knex): Promise<TemplateOption[]> {
      const rows = await db('survey_templates').select('id', 'name').where('archived', false).orderBy([{ column: 'name' }, { column: 'id' }]);
      return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
    },

    async templateName(id: number, db: Db = knex): Promise<string | undefined> {
      const row = await db('survey_templates').select('name').where({ id }).first();
      return row ? String(row.name) : undefined;
    },
  };
}

export type WorkingGroupsRepository = ReturnType<typeof createWorkingGroupsRepository>;
