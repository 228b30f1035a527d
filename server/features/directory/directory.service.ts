import type { Knex } from 'knex';
import type { AuditLog } from '../../platform/audit';
import type { Actor } from '../../platform/auth/roles';
import { isUniqueViolation } from '../../platform/db/errors';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { pageCountOf, type Page } from '../../platform/http/forms';
import { type BackgroundJobs, type JobItems } from '../../platform/jobs';
import type { DirectoryRepository } from './directory.repository';
import type { Department, StaffInput, StaffListFilter, StaffMember, StaffMemberFields } from './directory.schema';
import { chainAbove, findCycle, type ManagementLinks } from './management-chain';
import { yieldToOthers } from '../../platform/csv-import';
import { checkStaffCsv, type ImportProblem, type ImportRow } from './staff-import';

export interface StaffProfile {
  readonly member: StaffMember;
  /** Nearest manager first, up to the executive at the head of the chain. */
  readonly chain: StaffMember[];
  readonly directReports: StaffMember[];
}

export type ImportOutcome = { readonly ok: true; readonly job: string; readonly rows: number } | { readonly ok: false; readonly problems: ImportProblem[] };

/** Where an import job stands: the next row to write, and the counts so far. */
export interface ImportState {
  readonly next: number;
  readonly created: number;
  readonly updated: number;
  readonly departmentsCreated: number;
}

/** The job's items are the checked rows, managers before the people who report to them. */
interface ImportPayload {
  readonly actorAccountId: number;
  readonly rowCount: number;
}

export const DIRECTORY_IMPORT_JOB = 'directory-import';

export interface DirectoryServiceDeps {
  knex: Knex;
  repository: DirectoryRepository;
  audit: AuditLog;
  jobs: BackgroundJobs;
}

/**
 * Orders checked rows so everyone's manager is written before them (by depth in the chain the
 * import leads to). Written in this order, the directory never holds a loop between two batches,
 * and each row's manager already exists when its batch runs.
 */
function managersFirst(rows: ImportRow[], existing: ReadonlyArray<{ email: string; managerEmail: string | null }>): StaffInput[] {
  const links: ManagementLinks<string> = new Map(existing.map((e) => [e.email, e.managerEmail]));
  for (const { input } of rows) links.set(input.email, input.managerEmail || null);
  const depth = new Map(rows.map(({ input }) => [input.email, chainAbove(links, input.email).length]));
  return rows.map((r) => r.input).sort((a, b) => depth.get(a.email)! - depth.get(b.email)!);
}

/** Runs a write; a unique-index violation (a concurrent duplicate) becomes the given field errors. */
async function onDuplicate<T>(fieldErrors: Record<string, string>, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ValidationError(fieldErrors);
    throw err;
  }
}

export function createDirectoryService({ knex, repository, audit, jobs }: DirectoryServiceDeps) {
  async function linksById(db: Knex | Knex.Transaction): Promise<ManagementLinks<number>> {
    const links = await repository.managementLinks(db);
    return new Map(links.map((l) => [l.id, l.managerId]));
  }

  /**
   * Makes concurrent changes to the management chain take turns, so two edits that are each fine
   * alone cannot together close a loop. SQLite's single writer already serialises them.
   */
  async function lockChain(trx: Knex.Transaction): Promise<void> {
    if (trx.client.config.client === 'mysql2') await trx('staff_members').select('id').forUpdate();
  }

  async function departmentIdFor(name: string, db: Knex.Transaction): Promise<{ id: number | null; created: boolean }> {
    if (!name) return { id: null, created: false };
    const existing = await repository.findDepartmentByName(name, db);
    if (existing) return { id: existing.id, created: false };
    return { id: await repository.insertDepartment(name, db), created: true };
  }

  /** Resolves names and e-mails to ids and refuses a manager that does not exist or closes a cycle. */
  async function resolveStaffInput(input: StaffInput, staffId: number | null, trx: Knex.Transaction): Promise<StaffMemberFields> {
    let managerId: number | null = null;
    if (input.managerEmail) {
      const manager = await repository.findStaffByEmail(input.managerEmail, trx);
      if (!manager) throw new ValidationError({ managerEmail: 'directory.import.unknownManager' });
      if (manager.id === staffId) throw new ValidationError({ managerEmail: 'directory.import.selfManager' });
      managerId = manager.id;
    }
    if (staffId !== null && managerId !== null) {
      await lockChain(trx);
      const links = await linksById(trx);
      links.set(staffId, managerId);
      if (findCycle(links)) throw new ValidationError({ managerEmail: 'directory.import.cycle' });
    }
    const { id: departmentId } = await departmentIdFor(input.department, trx);
    return {
      email: input.email,
      name: input.name,
      title: input.title,
      departmentId,
      managerId,
      communityFacing: input.communityFacing,
      isExecutive: input.isExecutive,
    };
  }

  /**
   * One batch of an import: creates or updates people by e-mail, with their managers and
   * departments. Only the batch's people and their managers are looked up. Only a batch that changes
   * someone already in the directory can close a loop, so only such a batch locks and reads the whole
   * chain: people it creates have no one reporting to them but later rows of the file, and the file's
   * own links were checked together with the directory before the job began.
   */
  async function importBatch(payload: ImportPayload, state: ImportState, trx: Knex.Transaction, rows: JobItems<StaffInput>): Promise<{ state: ImportState; done: number; finished: boolean }> {
    const batch = await rows.batchFrom(state.next);
    const idByEmail = await repository.staffIdsByEmail([...new Set(batch.flatMap((r) => (r.managerEmail ? [r.email, r.managerEmail] : [r.email])))], trx);
    const changesExisting = batch.some((r) => idByEmail.has(r.email));
    if (changesExisting) await lockChain(trx);
    const departments = new Map<string, number | null>();
    let { created, updated, departmentsCreated } = state;
    // New people are written together, a run at a time: a run ends where someone reports to a person of the run.
    let newcomers: StaffMemberFields[] = [];
    const writeNewcomers = async () => {
      for (const [email, id] of await repository.insertStaffMany(newcomers, trx)) idByEmail.set(email, id);
      created += newcomers.length;
      newcomers = [];
    };
    for (const input of batch) {
      if (input.managerEmail && newcomers.some((n) => n.email === input.managerEmail)) await writeNewcomers();
      let departmentId = departments.get(input.department);
      if (departmentId === undefined) {
        const department = await departmentIdFor(input.department, trx);
        if (department.created) departmentsCreated++;
        departments.set(input.department, (departmentId = department.id));
      }
      const managerId = input.managerEmail ? (idByEmail.get(input.managerEmail) ?? null) : null;
      const fields = { email: input.email, name: input.name, title: input.title, departmentId, managerId, communityFacing: input.communityFacing, isExecutive: input.isExecutive };
      const id = idByEmail.get(input.email);
      if (id === undefined) newcomers.push(fields);
      else {
        await repository.updateStaff(id, fields, trx);
        updated++;
      }
    }
    await writeNewcomers();
    // An edit made since the file was checked may close a loop with this batch: it is then not written.
    if (changesExisting && findCycle(await linksById(trx))) throw new ConflictError('directory.import.cycle');
    const next = { next: state.next + batch.length, created, updated, departmentsCreated };
    const finished = next.next >= payload.rowCount;
    if (finished) {
      await audit.record({ actorAccountId: payload.actorAccountId, action: 'directory.import', subjectType: 'directory', detail: { rows: payload.rowCount, created, updated, departmentsCreated } }, trx);
    }
    return { state: next, done: next.next, finished };
  }

  jobs.register<ImportPayload, ImportState, StaffInput>(DIRECTORY_IMPORT_JOB, {
    start: (payload) => ({ total: payload.rowCount, state: { next: 0, created: 0, updated: 0, departmentsCreated: 0 } }),
    step: importBatch,
    backUrl: '/directory/import',
  });

  return {
    async listStaff(filter: StaffListFilter): Promise<Page<StaffMember>> {
      const { items, total } = await repository.listStaff(filter);
      return { items, total, page: filter.page, pageSize: filter.pageSize, pageCount: pageCountOf(total, filter.pageSize) };
    },

    async getProfile(id: number): Promise<StaffProfile> {
      const member = await repository.findStaffById(id);
      if (!member) throw new NotFoundError();
      const links = await linksById(knex);
      const chainIds = chainAbove(links, id);
      const managers = new Map((await repository.listStaffByIds(chainIds)).map((m) => [m.id, m]));
      const chain = chainIds.map((mid) => managers.get(mid)).filter((m): m is StaffMember => !!m);
      return { member, chain, directReports: await repository.listDirectReports(id) };
    },

    /** What routing needs to know about a staff member: the chain above them and whether they manage anyone. */
    async routingFacts(staffId: number, db: Knex | Knex.Transaction = knex): Promise<{ member: StaffMember; chain: StaffMember[]; managesPeople: boolean } | undefined> {
      const found = await repository.chainOf(staffId, db);
      if (!found) return undefined;
      const [member, ...chain] = found.chain;
      return { member: member!, chain, managesPeople: member!.isExecutive || found.directReports > 0 };
    },

    findStaff: (id: number, db?: Knex | Knex.Transaction) => repository.findStaffById(id, db),
    findStaffByIds: (ids: readonly number[], db?: Knex | Knex.Transaction) => repository.listStaffByIds(ids, db),
    findStaffByEmail: (email: string, db?: Knex | Knex.Transaction) => repository.findStaffByEmail(email, db),

    /** Community-facing staff matching a name or department, for the feedback form's picker. */
    async searchCommunityFacing(query: string, limit: number): Promise<StaffMember[]> {
      return repository.searchCommunityFacing(query, limit);
    },

    /** True when `staffId` is somewhere below `managerStaffId` in the management chain. */
    async isInChainBelow(managerStaffId: number, staffId: number): Promise<boolean> {
      return chainAbove(await linksById(knex), staffId).includes(managerStaffId);
    },

    /** Everyone below a manager: direct reports for a manager, the whole organisation for its executive. */
    async listTeam(managerStaffId: number): Promise<StaffMember[]> {
      const links = await linksById(knex);
      const ids = [...links.keys()].filter((id) => chainAbove(links, id).includes(managerStaffId));
      const team = await repository.listStaffByIds(ids);
      return team.sort((a, b) => a.name.localeCompare(b.name));
    },

    listDepartments: (): Promise<Department[]> => repository.listDepartments(),

    async createStaff(actor: Actor, input: StaffInput): Promise<number> {
      return onDuplicate({ email: 'directory.staff.emailTaken' }, () => knex.transaction(async (trx) => {
        if (await repository.findStaffByEmail(input.email, trx)) throw new ValidationError({ email: 'directory.staff.emailTaken' });
        const fields = await resolveStaffInput(input, null, trx);
        const id = await repository.insertStaff(fields, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'directory.staff.create', subjectType: 'staff_member', subjectId: id }, trx);
        return id;
      }));
    },

    async updateStaff(actor: Actor, id: number, input: StaffInput): Promise<void> {
      await knex.transaction(async (trx) => {
        const current = await repository.findStaffById(id, trx);
        if (!current) throw new NotFoundError();
        const sameEmail = await repository.findStaffByEmail(input.email, trx);
        if (sameEmail && sameEmail.id !== id) throw new ValidationError({ email: 'directory.staff.emailTaken' });
        const fields = await resolveStaffInput(input, id, trx);
        await repository.updateStaff(id, fields, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'directory.staff.update', subjectType: 'staff_member', subjectId: id }, trx);
      });
    },

    async createDepartment(actor: Actor, name: string): Promise<number> {
      return onDuplicate({ name: 'directory.department.nameTaken' }, () => knex.transaction(async (trx) => {
        if (await repository.findDepartmentByName(name, trx)) throw new ValidationError({ name: 'directory.department.nameTaken' });
        const id = await repository.insertDepartment(name, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'directory.department.create', subjectType: 'department', subjectId: id }, trx);
        return id;
      }));
    },

    async renameDepartment(actor: Actor, id: number, name: string): Promise<void> {
      await knex.transaction(async (trx) => {
        if (!(await repository.findDepartmentById(id, trx))) throw new NotFoundError();
        const other = await repository.findDepartmentByName(name, trx);
        if (other && other.id !== id) throw new ValidationError({ name: 'directory.department.nameTaken' });
        await repository.renameDepartment(id, name, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'directory.department.rename', subjectType: 'department', subjectId: id }, trx);
      });
    },

    /**
     * Checks a CSV against the directory and, when every line is fine, queues its rows as an import
     * job (see importBatch); a file with any bad line changes nothing.
     */
    async importStaffCsv(actor: Actor, csv: string): Promise<ImportOutcome> {
      const links = await repository.managementLinks(knex);
      const emailById = new Map(links.map((l) => [l.id, l.email]));
      const existing = links.map((l) => ({ email: l.email, managerEmail: l.managerId == null ? null : (emailById.get(l.managerId) ?? null) }));
      const { rows, problems } = await checkStaffCsv(csv, existing);
      if (problems.length > 0) return { ok: false as const, problems };
      const ordered = managersFirst(rows, existing);
      // Each step of a large file is its own turn of the event loop.
      await yieldToOthers();
      const job = await jobs.enqueue<ImportPayload, StaffInput>(DIRECTORY_IMPORT_JOB, { actorAccountId: actor.accountId, rowCount: ordered.length }, { requestedByAccountId: actor.accountId, items: ordered });
      return { ok: true as const, job, rows: rows.length };
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
