import type { Knex } from 'knex';
import { toBoolean } from '../../platform/db/json';
import type { Department, StaffMember, StaffMemberFields, StaffListFilter } from './directory.schema';

const STAFF_COLUMNS = [
  's.id',
  's.email',
  's.name',
  's.title',
  's.department_id',
  'd.name as department_name',
  's.manager_id',
  'm.name as manager_name',
  's.community_facing',
  's.is_executive',
] as const;

type Db = Knex | Knex.Transaction;

/** Deeper than any organisation's chain: bounds the walk if a loop ever slipped in. */
const MAX_CHAIN_DEPTH = 64;

function toStaffMember(row: Record<string, unknown>): StaffMember {
  return {
    id: Number(row.id),
    email: String(row.email),
    name: String(row.name),
    title: String(row.title ?? ''),
    departmentId: row.department_id == null ? null : Number(row.department_id),
    departmentName: row.department_name == null ? null : String(row.department_name),
    managerId: row.manager_id == null ? null : Number(row.manager_id),
    managerName: row.manager_name == null ? null : String(row.manager_name),
    communityFacing: toBoolean(row.community_facing),
    isExecutive: toBoolean(row.is_executive),
  };
}

function staffQuery(db: Db) {
  return db('staff_members as s')
    .leftJoin('departments as d', 'd.id', 's.department_id')
    .leftJoin('staff_members as m', 'm.id', 's.manager_id')
    .select(...STAFF_COLUMNS);
}

// '!' rather than backslash: the two databases disagree on backslashes inside string literals.
function escapeLike(term: string): string {
  return term.replace(/[!%_]/g, (c) => `!${c}`);
}

export function createDirectoryRepository(knex: Knex, now: () => number) {
  return {
    async listStaff(filter: StaffListFilter, db: Db = knex): Promise<{ items: StaffMember[]; total: number }> {
      const apply = (q: Knex.QueryBuilder) => {
        if (filter.query) {
          const like = `%${escapeLike(filter.query.toLowerCase())}%`;
          q.where((w) =>
            w
              .whereRaw("lower(s.name) like ? escape '!'", [like])
              .orWhereRaw("lower(s.email) like ? escape '!'", [like])
              .orWhereRaw("lower(s.title) like ? escape '!'", [like]),
          );
        }
        if (filter.departmentId) q.where('s.department_id', filter.departmentId);
        if (filter.managerId) q.where('s.manager_id', filter.managerId);
        return q;
      };
      const totalRow = await apply(db('staff_members as s').count({ n: '*' })).first();
      const rows = await apply(staffQuery(db))
        .orderBy([{ column: 's.name' }, { column: 's.id' }])
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      return { items: rows.map(toStaffMember), total: Number(totalRow?.n ?? 0) };
    },

    async findStaffById(id: number, db: Db = knex): Promise<StaffMember | undefined> {
      const row = await staffQuery(db).where('s.id', id).first();
      return row ? toStaffMember(row) : undefined;
    },

    async findStaffByEmail(email: string, db: Db = knex): Promise<StaffMember | undefined> {
      const row = await staffQuery(db).where('s.email', email.toLowerCase()).first();
      return row ? toStaffMember(row) : undefined;
    },

    async searchCommunityFacing(query: string, limit: number, db: Db = knex): Promise<StaffMember[]> {
      const like = `%${escapeLike(query.toLowerCase())}%`;
      const rows = await staffQuery(db)
        .where('s.community_facing', true)
        .andWhere((w) => w.whereRaw("lower(s.name) like ? escape '!'", [like]).orWhereRaw("lower(d.name) like ? escape '!'", [like]))
        .orderBy([{ column: 's.name' }, { column: 's.id' }])
        .limit(limit);
      return rows.map(toStaffMember);
    },

    async listStaffByIds(ids: readonly number[], db: Db = knex): Promise<StaffMember[]> {
      if (ids.length === 0) return [];
      const rows = await staffQuery(db).whereIn('s.id', ids);
      return rows.map(toStaffMember);
    },

    async listDirectReports(managerId: number, db: Db = knex): Promise<StaffMember[]> {
      const rows = await staffQuery(db).where('s.manager_id', managerId).orderBy('s.name');
      return rows.map(toStaffMember);
    },

    async countDirectReports(managerId: number, db: Db = knex): Promise<number> {
      const row = await db('staff_members').where('manager_id', managerId).count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },

    /**
     * A staff member and everyone above them, nearest first, in one statement (a recursive query,
     * on SQLite and MariaDB alike), with how many people report directly to the member. The walk
     * stops at a repeat (the directory refuses loops; this only keeps a bad row from looping).
     */
    async chainOf(staffId: number, db: Db = knex): Promise<{ chain: StaffMember[]; directReports: number } | undefined> {
      const rows = await db
        .withRecursive('chain', ['id', 'depth'], (q) =>
          q.select('id', db.raw('0')).from('staff_members').where({ id: staffId }).unionAll((up) =>
            up.select('s.manager_id', db.raw('c.depth + 1')).from('chain as c').join('staff_members as s', 's.id', 'c.id').whereNotNull('s.manager_id').andWhere('c.depth', '<', MAX_CHAIN_DEPTH),
          ),
        )
        .from('chain')
        .join('staff_members as s', 's.id', 'chain.id')
        .leftJoin('departments as d', 'd.id', 's.department_id')
        .leftJoin('staff_members as m', 'm.id', 's.manager_id')
        .select(...STAFF_COLUMNS, 'chain.depth', db.raw('case when chain.depth = 0 then (select count(*) from staff_members r where r.manager_id = s.id) else 0 end as direct_reports'))
        .orderBy('chain.depth');
      if (rows.length === 0) return undefined;
      const seen = new Set<number>();
      const chain: StaffMember[] = [];
      for (const row of rows) {
        const member = toStaffMember(row);
        if (seen.has(member.id)) break;
        seen.add(member.id);
        chain.push(member);
      }
      return { chain, directReports: Number(rows[0]!.direct_reports) };
    },

    /** Every staff member's manager link: the whole chain, small enough to hold (one row per person). */
    /** The ids of the people with these addresses (lower-case), by address; absent ones are left out. */
    async staffIdsByEmail(emails: readonly string[], db: Db = knex): Promise<Map<string, number>> {
      const rows = emails.length === 0 ? [] : await db('staff_members').select('id', 'email').whereIn('email', emails);
      return new Map(rows.map((r) => [String(r.email), Number(r.id)]));
    },

    async managementLinks(db: Db = knex): Promise<Array<{ id: number; email: string; managerId: number | null }>> {
      const rows = await db('staff_members').select('id', 'email', 'manager_id');
      return rows.map((r) => ({ id: Number(r.id), email: String(r.email), managerId: r.manager_id == null ? null : Number(r.manager_id) }));
    },

    async insertStaff(fields: StaffMemberFields, db: Db = knex): Promise<number> {
      const t = now();
      const [id] = await db('staff_members').insert({ ...staffColumns(fields), created_at: t, updated_at: t });
      return Number(id);
    },

    /** New people in multi-row INSERTs; returns their ids by address. */
    async insertStaffMany(people: readonly StaffMemberFields[], db: Db = knex): Promise<Map<string, number>> {
      const t = now();
      // Well under SQLite's bound-variable limit (nine columns a row).
      for (let i = 0; i < people.length; i += 100) await db('staff_members').insert(people.slice(i, i + 100).map((fields) => ({ ...staffColumns(fields), created_at: t, updated_at: t })));
      return this.staffIdsByEmail(people.map((p) => p.email), db);
    },

    async updateStaff(id: number, fields: Partial<StaffMemberFields>, db: Db = knex): Promise<void> {
      await db('staff_members').where({ id }).update({ ...staffColumns(fields), updated_at: now() });
    },

    async listDepartments(db: Db = knex): Promise<Department[]> {
      const rows = await db('departments as d')
        .leftJoin('staff_members as s', 's.department_id', 'd.id')
        .select<Array<{ id: number; name: string; staff_count: number }>>('d.id', 'd.name', db.raw('count(s.id) as staff_count'))
        .groupBy('d.id', 'd.name')
        .orderBy('d.name');
      return rows.map((r) => ({ id: Number(r.id), name: String(r.name), staffCount: Number(r.staff_count) }));
    },

    async findDepartmentByName(name: string, db: Db = knex): Promise<Department | undefined> {
      const row = await db('departments').select('id', 'name').whereRaw('lower(name) = ?', [name.toLowerCase()]).first();
      return row ? { id: Number(row.id), name: String(row.name), staffCount: 0 } : undefined;
    },

    async findDepartmentById(id: number, db: Db = knex): Promise<Department | undefined> {
      const row = await db('departments').select('id', 'name').where({ id }).first();
      return row ? { id: Number(row.id), name: String(row.name), staffCount: 0 } : undefined;
    },

    async insertDepartment(name: string, db: Db = knex): Promise<number> {
      const t = now();
      const [id] = await db('departments').insert({ name, created_at: t, updated_at: t });
      return Number(id);
    },

    async renameDepartment(id: number, name: string, db: Db = knex): Promise<void> {
      await db('departments').where({ id }).update({ name, updated_at: now() });
    },
  };
}

function staffColumns(fields: Partial<StaffMemberFields>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (fields.email !== undefined) columns.email = fields.email.toLowerCase();
  if (fields.name !== undefined) columns.name = fields.name;
  if (fields.title !== undefined) columns.title = fields.title;
  if (fields.departmentId !== undefined) columns.department_id = fields.departmentId;
  if (fields.managerId !== undefined) columns.manager_id = fields.managerId;
  if (fields.communityFacing !== undefined) columns.community_facing = fields.communityFacing;
  if (fields.isExecutive !== undefined) columns.is_executive = fields.isExecutive;
  return columns;
}

export type DirectoryRepository = ReturnType<typeof createDirectoryRepository>;
