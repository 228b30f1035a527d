import type { Knex } from 'knex';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DateTime } from 'luxon';
import type { AuditLog } from '../../platform/audit';
import { hasAnyRole, type Actor } from '../../platform/auth/roles';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { pageCountOf } from '../../platform/http/forms';
import { NOT_FINAL, type GroupRule, type Guarded } from '../../platform/privacy/aggregates';
import { allVisibleFrom, dayOf } from '../../platform/privacy/times';
import type { FeedbackSource } from '../routing/routing.schema';
import type { StaffMember } from '../directory';
import { frequentThemes, groupBy, staffFigures, type DimensionFigure, type StaffHandlingCount, type StaffHandlingTally, type HandlingFigure, type StaffRatingCount } from './aggregation';
import type { ReviewCycle } from './cycles.schema';
import type { PacketReview, PacketsRepository, Period, Within } from './packets.repository';
import type { Populations } from './populations';

export const TEAM_PAGE_SIZE = 50;
/** Comments a packet's page shows at once; its figures and themes count every item of the cycle. */
export const COMMENT_PAGE_SIZE = 50;
export const TEAM_STATES = ['reviewed', 'unreviewed'] as const;

/** Which packets of a cycle's list to show: a department, reviewed or not, and the page. */
export interface TeamFilter {
  readonly departmentId: number | null;
  readonly state: (typeof TEAM_STATES)[number] | null;
  readonly page: number;
}

/** What packets need to know of cycles (kept by the cycles part of this feature). */
export interface CycleLookup {
  findCycle(id: number): Promise<ReviewCycle | undefined>;
  previousCycle(cycle: ReviewCycle): Promise<ReviewCycle | undefined>;
  listCycles(): Promise<ReviewCycle[]>;
}

/** A working-group survey's results for one staff member's block (from the survey engine). */
export interface StaffSurveyResult {
  readonly title: string;
  readonly closedAt: number;
  readonly questions: ReadonlyArray<{ readonly question: string; readonly count: number | null; readonly mean: number | null; readonly suppressed: boolean }>;
}

export interface PacketDirectory {
  findStaff(id: number): Promise<StaffMember | undefined>;
  findStaffByIds(ids: readonly number[]): Promise<StaffMember[]>;
  isInChainBelow(managerStaffId: number, staffId: number): Promise<boolean>;
  listTeam(managerStaffId: number): Promise<StaffMember[]>;
  listDepartments(): Promise<Array<{ id: number; name: string }>>;
}

export interface PacketComment {
  readonly reference: string;
  readonly kind: string;
  readonly attribution: string;
  /** Only for named items. */
  readonly submitterName: string | null;
  readonly receivedOn: string;
  readonly comment: string;
  readonly context: string;
  readonly solicited: boolean;
  readonly flag: string | null;
}

/** Everything one staff member received in one cycle, aggregated for their manager. */
export interface InputPacket {
  readonly cycle: ReviewCycle;
  readonly previousCycle: ReviewCycle | null;
  readonly staff: StaffMember;
  /** Who is reading: the staff member sees figures only, never comments or the manager's notes. */
  readonly viewer: 'manager' | 'hr' | 'self';
  /** False while the cycle's period runs: figures wait for its end. */
  readonly final: boolean;
  readonly kinds: Guarded<{ readonly total: number; readonly appreciation: number; readonly suggestion: number; readonly concern: number; readonly solicited: number }>;
  readonly dimensions: ReadonlyArray<DimensionFigure & { readonly label: string }>;
  readonly surveys: readonly StaffSurveyResult[];
  /** The comments of `commentPage` (all of them in an export), in the items' day-then-random order. */
  readonly comments: readonly PacketComment[];
  /** Which of the comments are shown: the page, and how many there are in all. */
  readonly commentPage: { readonly page: number; readonly pageSize: number; readonly total: number; readonly pageCount: number };
  readonly themes: ReturnType<typeof frequentThemes>;
  /** Every routed item counts: one never acknowledged is a miss once due (see handlingTallies). */
  readonly handling: HandlingFigure;
  readonly review: PacketReview | null;
}

export interface PacketsDeps {
  knex: Knex;
  repository: PacketsRepository;
  populations: Populations;
  cycles: CycleLookup;
  directory: PacketDirectory;
  feedback: FeedbackSource;
  staffSurveyResults(staffMemberIds: readonly number[], period: Period): Promise<ReadonlyMap<number, readonly StaffSurveyResult[]>>;
  audit: AuditLog;
  minimumGroupSize: number;
  now: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Packets are built this many at a time: each batch runs the same statements whatever its size,
 * and only one batch's items are held at once.
 */
export const PACKET_BATCH = 20;
/**
 * The figures alone (the CSV export's walk) read no item: a staff member costs a few small objects,
 * so they go this many at a time, with fewer lookups and progress writes per file.
 */
export const FIGURES_BATCH = 500;

/** A cycle's period: its first day to the end of its last day (UTC). */
export function periodOf(cycle: ReviewCycle): Period {
  return { from: DateTime.fromISO(cycle.startsOn, { zone: 'utc' }).toMillis(), to: DateTime.fromISO(cycle.endsOn, { zone: 'utc' }).toMillis() + DAY_MS };
}

/**
 * Over once every input of the period shows: an item sent in its last minutes is held back a while,
 * and a figure shown before it arrived would move when it did.
 */
export function cycleEnded(cycle: ReviewCycle, now: number): boolean {
  return now >= allVisibleFrom(periodOf(cycle).to);
}

export function createPacketsService(deps: PacketsDeps) {
  const { knex, repository, populations, cycles, directory, feedback, audit } = deps;
  const rule: GroupRule = { minimumGroupSize: deps.minimumGroupSize };
  const ended = (cycle: ReviewCycle) => cycleEnded(cycle, deps.now());

  async function mustFindCycle(id: number): Promise<ReviewCycle> {
    const cycle = await cycles.findCycle(id);
    if (!cycle) throw new NotFoundError();
    return cycle;
  }

  /**
   * Who may read a packet, and as what: HR; the staff member's own manager; an executive above them;
   * the staff member once it is reviewed (or before, when the cycle allows). Anyone else: not found,
   * the same answer as a packet that does not exist.
   */
  async function viewerOf(actor: Actor, cycle: ReviewCycle, staff: StaffMember): Promise<InputPacket['viewer']> {
    const me = actor.staffMemberId;
    // Oneself first: an HR person reads their own packet as any staff member does, not as HR.
    if (me === staff.id) {
      const [review] = await repository.reviews(cycle.id, [staff.id]);
      if (review || cycle.staffSeeUnreviewed) return 'self';
      throw new NotFoundError();
    }
    if (hasAnyRole(actor, ['hr'])) return 'hr';
    if (me !== null) {
      if (staff.managerId === me) return 'manager';
      if (hasAnyRole(actor, ['executive']) && (await directory.isInChainBelow(me, staff.id))) return 'manager';
    }
    throw new NotFoundError();
  }

  /**
   * One part's counts in an ended cycle. A department's no longer change (its population is frozen,
   * its period over and every input visible), so they are counted once and then read back.
   */
  async function partCounts(of: ReviewCycle, within: Within): Promise<{ ratings: StaffRatingCount[]; handling: StaffHandlingCount[] }> {
    const departmentId = 'departmentId' in within ? within.departmentId : null;
    const stored = departmentId === null ? undefined : await repository.storedPartCounts(of.id, departmentId);
    if (stored) return stored;
    const counted = { ratings: await repository.ratingCounts(periodOf(of), of.id, within), handling: await repository.handlingCounts(periodOf(of), of.id, within) };
    if (departmentId !== null) await repository.storePartCounts(of.id, departmentId, counted);
    return counted;
  }

  /**
   * What the packets of these staff members are figured from: the counts every figure is one part
   * of (the cycle's and the previous cycle's ratings, the cycle's routed items), each period over its
   * frozen population (frozen now if this is the first need of it), for every department they were
   * in, each department whole (its staff are the parts of its figures), and for the staff without
   * one, each alone. Several departments take turns with other work (on SQLite a statement holds
   * the process). A period that runs counts nothing.
   */
  async function cycleContext(cycle: ReviewCycle, staffMemberIds: readonly number[]) {
    const previousCycle = (await cycles.previousCycle(cycle)) ?? null;
    const counts = { ratings: [] as StaffRatingCount[], handling: [] as StaffHandlingCount[] };
    for (const of of previousCycle ? [cycle, previousCycle] : [cycle]) {
      if (!ended(of)) continue;
      await populations.freeze(of.id);
      const placed = await repository.frozenPlacements(of.id, staffMemberIds);
      const parts: Within[] = [...new Set(staffMemberIds.map((id) => placed.get(id) ?? null))].map((departmentId) =>
        departmentId !== null ? { departmentId } : staffMemberIds.length === 1 ? { staffMemberId: staffMemberIds[0]! } : { departmentId: null },
      );
      for (const within of parts) {
        if (staffMemberIds.length > 1) await nextTurn();
        const part = await partCounts(of, within);
        counts.ratings.push(...part.ratings);
        if (of === cycle) counts.handling.push(...part.handling);
      }
    }
    return { previousCycle, figures: staffFigures(counts, rule), dimensions: await repository.dimensions() };
  }

  /** A staff member's figures per dimension, as their packet shows them (each withheld while its period runs). */
  function dimensionsOf(cycle: ReviewCycle, context: Awaited<ReturnType<typeof cycleContext>>, staffMemberId: number): InputPacket['dimensions'] {
    const { previousCycle, figures, dimensions } = context;
    const final = ended(cycle);
    // The cycle before a future one may be the one still running: its figures wait for its end too.
    const previousFinal = previousCycle !== null && ended(previousCycle);
    return figures.dimensions(staffMemberId, dimensions.map((d) => d.id), { current: cycle.id, previous: previousCycle?.id ?? null }).map((f, i) => ({
      ...f,
      current: final ? f.current : NOT_FINAL,
      previous: f.previous === null || previousFinal ? f.previous : NOT_FINAL,
      label: dimensions[i]!.label,
    }));
  }

  /**
   * The packets of these staff members, each read as `viewerOf` says, in one set of statements for all of them;
   * with `commentPage`, only that page of each packet's comments (names are read for it alone).
   */
  async function assemble(cycle: ReviewCycle, context: Awaited<ReturnType<typeof cycleContext>>, staff: readonly StaffMember[], viewerOf: (staff: StaffMember) => InputPacket['viewer'], commentPage?: number): Promise<InputPacket[]> {
    const { previousCycle, figures } = context;
    const period = periodOf(cycle);
    const ids = staff.map((s) => s.id);
    const items = groupBy(await repository.items(ids, period, cycle.id), (i) => i.staffMemberId);
    // Until the period is over the packet keeps growing: figures would move with each new input.
    const final = ended(cycle);
    const handling = final ? await repository.handlingTallies(period, cycle.id, ids) : new Map<number, StaffHandlingTally>();
    // The order is by day, then by the item's random reference: stable from page to page, and no arrival order within a day.
    const shown = new Map(
      staff.map((s) => {
        const own = viewerOf(s) === 'self' ? [] : (items.get(s.id) ?? []);
        const pageCount = commentPage === undefined ? 1 : pageCountOf(own.length, COMMENT_PAGE_SIZE);
        const page = Math.min(commentPage ?? 1, pageCount);
        const pageSize = commentPage === undefined ? own.length : COMMENT_PAGE_SIZE;
        return [s.id, { items: own.slice((page - 1) * pageSize, page * pageSize), page: { page, pageSize, total: own.length, pageCount } }];
      }),
    );
    // Identity only as the item allows: a name for named items, nothing else for the rest (one read for all shown).
    const named = [...shown.values()].flatMap((s) => s.items.filter((i) => i.attribution === 'named').map((i) => i.id));
    const names = await feedback.namedSubmitters(named);
    const reviews = new Map((await repository.reviews(cycle.id, ids)).map((r) => [r.staffMemberId, r]));
    const surveys = await deps.staffSurveyResults(ids, period);
    const unlessOpen = <T>(figure: Guarded<T>): Guarded<T> => (final ? figure : NOT_FINAL);
    return staff.map((member) => {
      const viewer = viewerOf(member);
      const own = items.get(member.id) ?? [];
      // Figures count only what arrived in the period; later solicited answers are read, not counted.
      const counted = own.filter((i) => i.counted);
      const { items: shownItems, page } = shown.get(member.id)!;
      const comments: PacketComment[] = shownItems.map((item) => ({ reference: item.reference, kind: item.kind, attribution: item.attribution, submitterName: names.get(item.id)?.displayName ?? null, receivedOn: dayOf(item.createdAt), comment: item.comment, context: item.context, solicited: item.solicited, flag: item.flag }));
      const review = reviews.get(member.id);
      return {
        cycle,
        previousCycle,
        staff: member,
        viewer,
        final,
        kinds: unlessOpen(
          figures.kinds(member.id, cycle.id, counted.length, () => ({
            total: counted.length,
            appreciation: counted.filter((i) => i.kind === 'appreciation').length,
            suggestion: counted.filter((i) => i.kind === 'suggestion').length,
            concern: counted.filter((i) => i.kind === 'concern').length,
            // Only named answers carry the mark (see the feedback service), so this counts only those.
            solicited: counted.filter((i) => i.solicited).length,
          })),
        ),
        dimensions: dimensionsOf(cycle, context, member.id),
        surveys: surveys.get(member.id) ?? [],
        comments,
        commentPage: page,
        themes: unlessOpen(
          frequentThemes(
            counted.map((i) => i.comment),
            rule,
          ),
        ),
        handling: unlessOpen(figures.handling(member.id, cycle.id, handling.get(member.id))),
        review: viewer === 'self' ? null : (review ?? null),
      };
    });
  }

  /**
   * A cycle's community-facing staff (but `exceptStaffMemberId`), a batch at a time, with what
   * their packets share; `onProgress` hears after each batch, and other requests get their turn.
   */
  async function* cycleBatches(cycleId: number, exceptStaffMemberId: number | null, onProgress: ((done: number, total: number) => Promise<void>) | undefined, batchSize: number) {
    const cycle = await mustFindCycle(cycleId);
    const facing = (await repository.communityFacingStaff()).filter((s) => s.id !== exceptStaffMemberId);
    // A department at a time (as frozen for the latest ended of the cycle and the one before), so
    // only its counts are held, whatever the size of the organisation; by name within it.
    const previousCycle = (await cycles.previousCycle(cycle)) ?? null;
    const placedIn = [cycle, previousCycle].find((c): c is ReviewCycle => c !== null && ended(c));
    if (placedIn) await populations.freeze(placedIn.id);
    const placed = placedIn ? await repository.frozenPlacements(placedIn.id) : new Map<number, number | null>();
    let done = 0;
    // By department id, those without one (0, no id) last: the same order whoever is left out.
    const groups = [...groupBy(facing, (s) => placed.get(s.id) ?? 0)].sort(([a], [b]) => Number(a === 0) - Number(b === 0) || a - b);
    for (const [, group] of groups) {
      const context = await cycleContext(cycle, group.map((s) => s.id));
      for (let start = 0; start < group.length; start += batchSize) {
        const batch = group.slice(start, start + batchSize);
        const found = new Map((await directory.findStaffByIds(batch.map((s) => s.id))).map((s) => [s.id, s]));
        yield { cycle, context, staff: batch.flatMap((s) => found.get(s.id) ?? []) };
        done += batch.length;
        await onProgress?.(done, facing.length);
        await nextTurn();
      }
    }
  }

  async function readablePacket(actor: Actor, cycleId: number, staffMemberId: number): Promise<{ cycle: ReviewCycle; staff: StaffMember; viewer: InputPacket['viewer'] }> {
    const cycle = await mustFindCycle(cycleId);
    const staff = await directory.findStaff(staffMemberId);
    if (!staff) throw new NotFoundError();
    return { cycle, staff, viewer: await viewerOf(actor, cycle, staff) };
  }

  return {
    /**
     * One packet, with one page of its comments when viewed (all of them in the PDF); every view is
     * audited (only after access is granted, so a refusal leaves no trace of a view).
     */
    async packet(actor: Actor, cycleId: number, staffMemberId: number, purpose: 'view' | 'pdf' = 'view', commentPage = 1): Promise<InputPacket> {
      const { cycle, staff, viewer } = await readablePacket(actor, cycleId, staffMemberId);
      await audit.record({ actorAccountId: actor.accountId, action: purpose === 'pdf' ? 'packet.export' : 'packet.view', subjectType: 'input_packet', subjectId: `${cycle.id}:${staff.id}`, detail: { cycleId: cycle.id, staffMemberId: staff.id, ...(purpose === 'pdf' ? { format: 'pdf' } : {}) } });
      return (await assemble(cycle, await cycleContext(cycle, [staff.id]), [staff], () => viewer, purpose === 'view' ? commentPage : undefined))[0]!;
    },

    /**
     * The packets an actor may open in a cycle (HR all, an executive their organisation, a manager
     * their direct reports), filtered and a page at a time; `departments` are those of all of them.
     */
    async team(actor: Actor, cycleId: number, filter: TeamFilter = { departmentId: null, state: null, page: 1 }) {
      const cycle = await mustFindCycle(cycleId);
      // HR: everyone; an executive: their organisation; a manager: their direct reports, found by the database.
      const me = actor.staffMemberId;
      const visible = hasAnyRole(actor, ['hr'])
        ? await repository.communityFacingStaff()
        : me === null
          ? []
          : hasAnyRole(actor, ['executive'])
            ? await repository.communityFacingStaff({ anyOf: (await directory.listTeam(me)).map((s) => s.id), orManagedBy: me })
            : await repository.communityFacingStaff({ orManagedBy: me });
      const reviews = new Map((await repository.reviews(cycle.id, visible.map((s) => s.id))).map((r) => [r.staffMemberId, r]));
      const all = visible.map((s) => ({ ...s, reviewedAt: reviews.get(s.id)?.reviewedAt ?? null }));
      const departments = [...new Map(all.filter((p) => p.departmentId !== null).map((p) => [p.departmentId!, p.departmentName ?? ''])).entries()]
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const matching = all.filter(
        (p) => (filter.departmentId === null || p.departmentId === filter.departmentId) && (filter.state === null || (filter.state === 'reviewed') === (p.reviewedAt !== null)),
      );
      const pageCount = pageCountOf(matching.length, TEAM_PAGE_SIZE);
      const page = Math.min(filter.page, pageCount);
      return {
        cycle,
        departments,
        visibleCount: all.length,
        packets: { items: matching.slice((page - 1) * TEAM_PAGE_SIZE, page * TEAM_PAGE_SIZE), page, pageSize: TEAM_PAGE_SIZE, total: matching.length, pageCount },
      };
    },

    async markReviewed(actor: Actor, cycleId: number, staffMemberId: number, notes: string): Promise<void> {
      const { cycle, staff, viewer } = await readablePacket(actor, cycleId, staffMemberId);
      if (viewer !== 'manager') throw new NotFoundError();
      if (cycle.status !== 'open') throw new ConflictError('reviews.errors.cycleNotOpen');
      await knex.transaction(async (trx) => {
        await repository.saveReview(cycle.id, staff.id, actor.accountId, notes, trx);
        await audit.record({ actorAccountId: actor.accountId, action: 'packet.review', subjectType: 'input_packet', subjectId: `${cycle.id}:${staff.id}` }, trx);
      });
    },

    /** Flags an item of the packet for follow-up (note given) or clears the flag (null). */
    async flag(actor: Actor, cycleId: number, staffMemberId: number, reference: string, note: string | null): Promise<void> {
      const { cycle, staff, viewer } = await readablePacket(actor, cycleId, staffMemberId);
      if (viewer !== 'manager') throw new NotFoundError();
      const item = (await repository.items([staff.id], periodOf(cycle), cycle.id)).find((i) => i.reference === reference);
      if (!item) throw new NotFoundError();
      await knex.transaction(async (trx) => {
        await repository.setFlag(cycle.id, item.id, actor.accountId, note, trx);
        await audit.record({ actorAccountId: actor.accountId, action: note === null ? 'packet.unflag' : 'packet.flag', subjectType: 'feedback_item', subjectId: reference, detail: { cycleId: cycle.id } }, trx);
      });
    },

    /** HR's view of a cycle: packets reviewed per department and per manager. */
    async progress(cycleId: number) {
      const cycle = await mustFindCycle(cycleId);
      // Counted by the database per department and manager: a few rows, not every staff member.
      const groups = await repository.progressCounts(cycle.id);
      const tally = (key: (g: (typeof groups)[number]) => string) => {
        const tallies = new Map<string, { name: string; total: number; reviewed: number }>();
        for (const g of groups) {
          const name = key(g);
          const t = tallies.get(name) ?? { name, total: 0, reviewed: 0 };
          tallies.set(name, { name, total: t.total + g.total, reviewed: t.reviewed + g.reviewed });
        }
        return [...tallies.values()].sort((x, y) => x.name.localeCompare(y.name));
      };
      return {
        cycle,
        total: groups.reduce((sum, g) => sum + g.total, 0),
        reviewed: groups.reduce((sum, g) => sum + g.reviewed, 0),
        byDepartment: tally((g) => g.departmentName ?? ''),
        byManager: tally((g) => g.managerName ?? ''),
      };
    },

    /**
     * A cycle's packets, as HR reads them, a batch of staff members at a time (so a large
     * organisation streams without holding every packet in memory, and other requests get their
     * turn between batches). `onProgress` hears after each batch.
     * `exceptStaffMemberId`: an HR reader's own packet, which they read only as its subject.
     */
    async *cycleRows(cycleId: number, exceptStaffMemberId: number | null, onProgress?: (done: number, total: number) => Promise<void>) {
      for await (const { cycle, context, staff } of cycleBatches(cycleId, exceptStaffMemberId, onProgress, PACKET_BATCH)) yield* await assemble(cycle, context, staff, () => 'hr');
    },

    /**
     * Of the same packets, only each staff member's figures per dimension (as their packet shows
     * them), for an export that needs no more: counted by the database, no item read.
     */
    async *cycleDimensionRows(cycleId: number, exceptStaffMemberId: number | null, onProgress?: (done: number, total: number) => Promise<void>) {
      for await (const { cycle, context, staff } of cycleBatches(cycleId, exceptStaffMemberId, onProgress, FIGURES_BATCH)) {
        for (const member of staff) yield { cycle, previousCycle: context.previousCycle, staff: member, dimensions: dimensionsOf(cycle, context, member.id) };
      }
    },

    mustFindCycle,

    /** For the periodic sweep: freezes the population of every period that is over and has none yet. */
    async freezeEndedPopulations(): Promise<void> {
      for (const cycle of await cycles.listCycles()) if (ended(cycle)) await populations.freeze(cycle.id);
    },

    /** Of these cycles, those in which the actor may read their own packet: reviewed, or allowed before. */
    async ownPacketReadable(actor: Actor, of: readonly ReviewCycle[]): Promise<Set<number>> {
      if (actor.staffMemberId === null) return new Set();
      const reviewed = await repository.reviewedCycleIds(actor.staffMemberId, of.map((c) => c.id));
      return new Set(of.filter((c) => c.staffSeeUnreviewed || reviewed.has(c.id)).map((c) => c.id));
    },

    /** Cycles that have opened, newest first. */
    async cycles(): Promise<ReviewCycle[]> {
      return (await cycles.listCycles()).filter((c) => c.status !== 'planned').sort((a, b) => b.startsOn.localeCompare(a.startsOn));
    },
  };
}

export type PacketsService = ReturnType<typeof createPacketsService>;
