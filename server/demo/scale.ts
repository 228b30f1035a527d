import type { Knex } from 'knex';
import { createPasswordHasher } from '../platform/auth/passwords';
import { insertInBatches, insertRows, nextId, seededRandom, type Progress } from './scale-batches';
import { seedScaleFeedback, type ScaleStaff } from './scale-feedback';
import { seedScaleSurveys } from './scale-surveys';

/**
 * `npm run seed:scale -- --scale N`: a large organisation and its history, written straight into the
 * real tables with batched inserts (the services would take hours at this size), keeping every rule
 * the services keep: identity apart from content and none for anonymous items, random references and
 * public ids, held-back visibility, due times, coarsened survey days, frozen populations.
 */
export interface ScaleCounts {
  readonly staff: number;
  readonly managers: number;
  readonly communityMembers: number;
  readonly feedbackItems: number;
  readonly cycles: number;
  readonly surveys: number;
  readonly surveyResponses: number;
  /** Items routed to one manager, SCALE_INBOX_MANAGER. */
  readonly inboxItems: number;
}

// Scale 1. The organisation needs a head, an executive and the inbox manager whatever the scale.
const AT_SCALE_ONE: ScaleCounts = { staff: 400, managers: 60, communityMembers: 20_000, feedbackItems: 100_000, cycles: 6, surveys: 200, surveyResponses: 20_000, inboxItems: 10_000 };

export function countsFor(scale: number): ScaleCounts {
  if (!(scale > 0)) throw new Error('the scale must be a positive number');
  const of = (n: number, least: number) => Math.max(least, Math.round(n * scale));
  const managers = of(AT_SCALE_ONE.managers, 3);
  return {
    staff: of(AT_SCALE_ONE.staff, managers + 3),
    managers,
    communityMembers: of(AT_SCALE_ONE.communityMembers, 20),
    feedbackItems: of(AT_SCALE_ONE.feedbackItems, 10),
    cycles: AT_SCALE_ONE.cycles,
    surveys: of(AT_SCALE_ONE.surveys, 1),
    surveyResponses: of(AT_SCALE_ONE.surveyResponses, 5),
    inboxItems: of(AT_SCALE_ONE.inboxItems, 1),
  };
}

/** The accounts the benchmark signs in with; all share SCALE_PASSWORD. */
export const SCALE_PASSWORD = 'accountable-scale';
export const SCALE_INBOX_MANAGER = 'inbox.manager@scale.example';
export const SCALE_HR = 'hr@scale.example';
/** Community members 1…SCALE_SIGN_IN_MEMBERS can sign in (member1@community.example…); the rest have no password. */
export const SCALE_SIGN_IN_MEMBERS = 100;
export const memberEmail = (n: number) => `member${n}@community.example`;

const DEPARTMENTS = ['Executive Office', 'Policy Development Support', 'Global Stakeholder Engagement', 'Global Domains and Strategy', 'Contractual Compliance', 'Legal', 'Complaints Office', 'Human Resources', 'Information Technology', 'Finance', 'Communications', 'Technical Engagement'];
const TITLES = ['Policy Manager', 'Senior Policy Analyst', 'Engagement Manager', 'Compliance Lead', 'Technical Specialist', 'Coordinator'];
const GIVEN = ['Amara', 'Daniel', 'Mei', 'Rafael', 'Leila', 'Priya', 'Jonas', 'Samuel', 'Ana', 'Ivan', 'Fatima', 'Chen', 'Lucía', 'Kwame', 'Sophie', 'Nadia', 'Hiroshi', 'Valentina', 'Omar', 'Katarzyna'];
const FAMILY = ['Okafor', 'Weiss', 'Tanaka', 'Castillo', 'Haddad', 'Raman', 'Lindqvist', 'Mensah', 'Ferreira', 'Petrov', 'Benali', 'Wei', 'Gómez', 'Asante', 'Laurent', 'Abdi', 'Sato', 'Rossi', 'Al-Masri', 'Nowak'];
const nameOf = (n: number) => `${GIVEN[n % GIVEN.length]} ${FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length]} ${n}`;

export interface ScaleSummary {
  readonly counts: ScaleCounts;
  readonly inboxManagerStaffId: number;
  readonly cycleIds: number[];
}

export async function seedScale(knex: Knex, options: { scale: number; now: number; passwordHashCost: 'standard' | 'low'; progress?: Progress }): Promise<ScaleSummary> {
  const counts = countsFor(options.scale);
  const progress = options.progress ?? (() => undefined);
  if (await knex('staff_members').where({ email: SCALE_INBOX_MANAGER }).first('id')) throw new Error('this database already holds a generated organisation: use an empty one');
  const random = seededRandom(Math.round(options.scale * 1000));
  const passwordHash = await createPasswordHasher(options.passwordHashCost).hash(SCALE_PASSWORD);
  const staff = await seedStaff(knex, counts, options.now, passwordHash, progress);
  const members = await seedCommunity(knex, counts, options.now, passwordHash, progress);
  const { cycleIds } = await seedScaleFeedback(knex, { counts, staff, members, now: options.now, random, progress });
  await seedScaleSurveys(knex, { counts, staff, members, now: options.now, random, progress });
  return { counts, inboxManagerStaffId: staff.inboxManager, cycleIds };
}

/**
 * Staff managers-first: the chief executive, then executives reporting to them, then people managers
 * reporting to executives (the inbox manager among them), then everyone else under a manager.
 */
async function seedStaff(knex: Knex, counts: ScaleCounts, now: number, passwordHash: string, progress: Progress): Promise<ScaleStaff> {
  const firstDepartment = await nextId(knex, 'departments');
  await insertRows(knex, 'departments', DEPARTMENTS.map((name, i) => ({ id: firstDepartment + i, name: `${name} (scale)`, created_at: now, updated_at: now })));
  const first = await nextId(knex, 'staff_members');
  const executives = Math.max(1, Math.round(counts.managers / 10));
  const rows = Array.from({ length: counts.staff }, (_, i) => {
    const isExecutive = i <= executives;
    const isManager = i < counts.managers;
    const managerIndex = i === 0 ? null : isExecutive ? 0 : isManager ? 1 + ((i - executives - 1) % executives) : executives + 1 + ((i - counts.managers) % (counts.managers - executives - 1));
    return {
      id: first + i,
      email: i === executives + 1 ? SCALE_INBOX_MANAGER : i === counts.staff - 1 ? SCALE_HR : `staff${i}@scale.example`,
      name: nameOf(i),
      title: i === 0 ? 'President and Chief Executive Officer' : isManager ? 'Director' : TITLES[i % TITLES.length]!,
      department_id: firstDepartment + (i === 0 ? 0 : i % DEPARTMENTS.length),
      manager_id: managerIndex === null ? null : first + managerIndex,
      // One in eight works inside the organisation only: they receive no community feedback.
      community_facing: i % 8 !== 7 || i === executives + 1,
      is_executive: isExecutive,
      created_at: now,
      updated_at: now,
    };
  });
  await knex.transaction((trx) => insertRows(trx, 'staff_members', rows));
  progress('staff', counts.staff, counts.staff);

  // Every manager and executive signs in (to read their inbox and packets), and HR does.
  const signIns = rows.filter((r, i) => i < counts.managers || r.email === SCALE_HR);
  const firstAccount = await nextId(knex, 'accounts');
  await knex.transaction(async (trx) => {
    await insertRows(trx, 'accounts', signIns.map((r, i) => ({ id: firstAccount + i, email: r.email, display_name: r.name, password_hash: passwordHash, email_verified_at: now, staff_member_id: r.id, locale: 'en', created_at: now, updated_at: now })));
    await trx('account_roles').insert({ account_id: firstAccount + signIns.length - 1, role: 'hr' });
  });
  return {
    ids: rows.map((r) => r.id),
    managerOf: new Map(rows.map((r) => [r.id, r.manager_id])),
    departmentOf: new Map(rows.map((r) => [r.id, r.department_id])),
    communityFacing: rows.filter((r) => r.community_facing && r.manager_id !== null).map((r) => r.id),
    managers: new Set(rows.slice(0, counts.managers).map((r) => r.id)),
    inboxManager: first + executives + 1,
    hrAccountId: firstAccount + signIns.length - 1,
  };
}

/** Community members with accounts (role member); the first few can sign in. Returns their account ids. */
async function seedCommunity(knex: Knex, counts: ScaleCounts, now: number, passwordHash: string, progress: Progress): Promise<Array<{ accountId: number; email: string; name: string }>> {
  const first = await nextId(knex, 'accounts');
  const members = Array.from({ length: counts.communityMembers }, (_, i) => ({ accountId: first + i, email: memberEmail(i + 1), name: `Member ${nameOf(i)}` }));
  await insertInBatches(
    knex,
    'community members',
    members.length,
    (from, to) => {
      const slice = members.slice(from, to);
      return [
        ['accounts', slice.map((m, i) => ({ id: m.accountId, email: m.email, display_name: m.name, password_hash: from + i < SCALE_SIGN_IN_MEMBERS ? passwordHash : null, email_verified_at: now, staff_member_id: null, locale: 'en', created_at: now, updated_at: now }))],
        ['account_roles', slice.map((m) => ({ account_id: m.accountId, role: 'member' }))],
      ];
    },
    progress,
  );
  return members;
}
