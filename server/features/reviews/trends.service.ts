import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GroupRule } from '../../platform/privacy/aggregates';
import { departmentHandling, departmentTrends, filterIsolatesTooFew, ratedItemsOf, type DepartmentHandlingCount, type DepartmentRatingCount, type TrendFigure, type TrendFilter } from './aggregation';
import type { ReviewCycle } from './cycles.schema';
import { cycleEnded, periodOf, type CycleLookup, type PacketDirectory } from './packets.service';
import type { PacketsRepository } from './packets.repository';
import type { Populations } from './populations';
import type { DepartmentCounts, StoredTrendCounts, TrendsRepository } from './trends.repository';

export interface Trends {
  readonly refused: boolean;
  readonly figures: TrendFigure[];
  readonly handling: ReturnType<typeof departmentHandling>;
  readonly cycles: ReviewCycle[];
  readonly departments: Array<{ id: number; name: string }>;
  readonly dimensions: Array<{ id: number; label: string }>;
  /** When the oldest of the shown cycles' counts were made (handling is tallied as of then); null with no cycle shown. */
  readonly computedAt: number | null;
}

/**
 * HR's trends across ended cycles. Their counts are made by a job (`refresh`), a department of a
 * cycle at a time, and stored per cycle; a reader's request only reads them back, so its cost does
 * not grow with the organisation's history.
 */
export function createTrendsService(deps: {
  repository: TrendsRepository;
  packetsRepository: Pick<PacketsRepository, 'dimensions' | 'frozenDepartments'>;
  populations: Populations;
  cycles: CycleLookup;
  directory: Pick<PacketDirectory, 'listDepartments'>;
  minimumGroupSize: number;
  now: () => number;
}) {
  const { repository, populations, cycles, directory } = deps;
  const rule: GroupRule = { minimumGroupSize: deps.minimumGroupSize };
  // Parsed counts kept per process, read again only when a cycle's were stored anew.
  const cache = new Map<number, StoredTrendCounts>();
  let counting: Promise<void> | undefined;

  // Only periods that are over: a period still running would move between two readings.
  const endedCycles = async () => (await cycles.listCycles()).filter((c) => c.status !== 'planned' && cycleEnded(c, deps.now())).sort((a, b) => a.startsOn.localeCompare(b.startsOn));

  async function countCycle(cycle: ReviewCycle): Promise<void> {
    await populations.freeze(cycle.id);
    const period = periodOf(cycle);
    const computedAt = deps.now();
    // An ended cycle's ratings no longer change (its population is frozen, every input visible):
    // counted the first time, then kept; only handling moves with time and is counted each run.
    const before = new Map((await repository.stored([cycle.id]))[0]?.departments.map((d) => [d.departmentId, d]) ?? []);
    const departments: DepartmentCounts[] = [];
    for (const departmentId of await deps.packetsRepository.frozenDepartments(cycle.id)) {
      const kept = before.get(departmentId);
      const ratings = kept ? { ratings: kept.ratings, ratedSets: kept.ratedSets } : await repository.departmentRatings(period, cycle.id, departmentId);
      const handling = await repository.departmentHandling(period, cycle.id, departmentId, computedAt);
      departments.push({ departmentId, ...ratings, handling });
      // Each department is a step: requests that arrived meanwhile are answered before the next.
      await nextTurn();
    }
    await repository.store({ cycleId: cycle.id, computedAt, departments });
  }

  /** Counts every ended cycle and stores it; concurrent calls in one process share one run. */
  function refresh(): Promise<void> {
    counting ??= (async () => {
      for (const cycle of await endedCycles()) await countCycle(cycle);
    })().finally(() => (counting = undefined));
    return counting;
  }

  /** The stored counts of these cycles; a cycle not counted yet (after any run in flight) is counted here. */
  async function countsOf(shown: readonly ReviewCycle[]): Promise<StoredTrendCounts[]> {
    const ids = shown.map((c) => c.id);
    let times = await repository.storedTimes(ids);
    if (shown.some((c) => !times.has(c.id))) {
      await counting;
      times = await repository.storedTimes(ids);
      for (const cycle of shown.filter((c) => !times.has(c.id))) await countCycle(cycle);
      times = await repository.storedTimes(ids);
    }
    const stale = ids.filter((id) => times.has(id) && cache.get(id)?.computedAt !== times.get(id));
    for (const counts of await repository.stored(stale)) cache.set(counts.cycleId, counts);
    return ids.flatMap((id) => cache.get(id) ?? []);
  }

  return {
    refresh,

    /**
     * Department × dimension figures, and how each department's routed items were handled, across
     * ended cycles; a filter that would single out a few people is refused.
     */
    async read(filter: Partial<TrendFilter>): Promise<Trends> {
      const allCycles = await endedCycles();
      const departments = await directory.listDepartments();
      const dimensions = await deps.packetsRepository.dimensions();
      const chosen: TrendFilter = {
        departmentIds: (filter.departmentIds ?? []).filter((id) => departments.some((d) => d.id === id)),
        dimensionIds: filter.dimensionIds?.length ? filter.dimensionIds : dimensions.map((d) => d.id),
        cycleIds: filter.cycleIds?.length ? filter.cycleIds : allCycles.map((c) => c.id),
      };
      const shownCycles = allCycles.filter((c) => chosen.cycleIds.includes(c.id));
      const stored = await countsOf(shownCycles);
      const computedAt = stored.length ? Math.min(...stored.map((s) => s.computedAt)) : null;
      const each = <T>(of: (cycleId: number, d: DepartmentCounts) => T[]) => stored.flatMap((s) => s.departments.flatMap((d) => of(s.cycleId, d)));
      // Periods never overlap, so an item is rated in one cycle only: the cycles' distinct items add up.
      const rated = ratedItemsOf(each((cycleId, d) => d.ratedSets.map(([dimensionIds, items]) => ({ cycleId, departmentId: d.departmentId, dimensionIds, items }))), chosen);
      if (filterIsolatesTooFew(rated, chosen, rule)) return { refused: true, figures: [], handling: [], cycles: shownCycles, departments, dimensions, computedAt };
      const counts: DepartmentRatingCount[] = each((cycleId, d) => d.ratings.map(([dimensionId, score, ratings]) => ({ cycleId, departmentId: d.departmentId, dimensionId, score, ratings })));
      // A department none of whose items were routed is no part of the handling figures, as in a GROUP BY.
      const handling: DepartmentHandlingCount[] = each((cycleId, d) => (d.handling.items > 0 ? [{ cycleId, departmentId: d.departmentId, ...d.handling }] : []));
      const shownDepartments = departments.map((d) => d.id).filter((id) => chosen.departmentIds.length === 0 || chosen.departmentIds.includes(id));
      return {
        refused: false,
        figures: departmentTrends(counts, departments.map((d) => d.id), chosen, rule),
        handling: departmentHandling(handling, shownDepartments, shownCycles.map((c) => c.id), rule),
        cycles: shownCycles,
        departments,
        dimensions,
        computedAt,
      };
    },
  };
}

export type TrendsService = ReturnType<typeof createTrendsService>;
