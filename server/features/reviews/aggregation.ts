import { guarded, guardedSizedParts, scaleFigures, sizedParts, summariseCountedParts, suppressionReason, TOO_FEW, type GroupRule, type Guarded, type ScaleFigures } from '../../platform/privacy/aggregates';
import { handlingTallies, type HandlingTallies, type HandlingTimes } from '../service-levels';

/** Ratings run 1–5 on the Expected Standards of Behavior. */
export const RATING_POINTS = [1, 2, 3, 4, 5] as const;

/** Where an input belongs: the staff member it is about, and their department as frozen for its period. */
interface Placed {
  readonly staffMemberId: number;
  readonly departmentId: number | null;
}

/** How the routed item one input created was handled, with where the input belongs. */
export interface HandlingFact extends HandlingTimes, Placed {
  readonly cycleId: number;
}

export type HandlingFigure = Guarded<HandlingTallies & { readonly items: number }>;

export interface DimensionFigure {
  readonly dimensionId: number;
  readonly current: Guarded<ScaleFigures>;
  /** The same dimension in the previous cycle, for the trend. */
  readonly previous: Guarded<ScaleFigures> | null;
}

export function groupBy<F>(facts: readonly F[], part: (f: F) => number): Map<number, F[]> {
  const parts = new Map<number, F[]>();
  for (const f of facts) {
    const group = parts.get(part(f));
    if (group) group.push(f);
    else parts.set(part(f), [f]);
  }
  return parts;
}

/** How many times a staff member was given a score in a cycle on a dimension, with where they belong (counted by the database). */
export interface StaffRatingCount extends Placed {
  readonly cycleId: number;
  readonly dimensionId: number;
  readonly score: number;
  readonly count: number;
}

/** How one staff member's routed items of a cycle were handled, tallied by the database (see handlingTallyColumns). */
export interface StaffHandlingTally {
  readonly items: number;
  readonly tallies: HandlingTallies;
}

const NOTHING_HANDLED: HandlingTallies = handlingTallies([], 0);

/** How many of a staff member's inputs of a cycle created a routed item, with where they belong. */
export interface StaffHandlingCount extends Placed {
  readonly cycleId: number;
  readonly count: number;
}

type Figure = <T extends object>(part: number, compute: () => T) => Guarded<T>;

/**
 * Groups counts into the wholes a staff figure is one part of: each department's staff as frozen
 * for the cycle (the department's figure minus theirs would describe the rest, see withheldParts),
 * or the staff member alone without a department. Each whole's guard is built once, however many
 * of its staff are asked for.
 */
function partsOfDepartments<C extends Placed & { readonly count: number }>(counts: readonly C[], scopeOf: (c: C) => string, rule: GroupRule): (scope: string, staffMemberId: number) => Figure {
  const place = new Map<string, string>();
  const wholes = new Map<string, Map<number, number>>();
  for (const c of counts) {
    const whole = `${scopeOf(c)}:${c.departmentId === null ? `s${c.staffMemberId}` : `d${c.departmentId}`}`;
    place.set(`${scopeOf(c)}:${c.staffMemberId}`, whole);
    const sizes = wholes.get(whole) ?? new Map<number, number>();
    sizes.set(c.staffMemberId, (sizes.get(c.staffMemberId) ?? 0) + c.count);
    wholes.set(whole, sizes);
  }
  const guards = new Map<string, Figure>();
  const none: Figure = () => TOO_FEW;
  return (scope, staffMemberId) => {
    const whole = place.get(`${scope}:${staffMemberId}`);
    if (whole === undefined) return none;
    let guard = guards.get(whole);
    if (!guard) guards.set(whole, (guard = sizedParts(wholes.get(whole)!, rule)));
    return guard;
  };
}

/**
 * Staff members' figures for input packets, each as one part of their department: the sizes of
 * the parts and each staff member's scores come from counts over the departments asked for, the
 * handling figures from each staff member's own routed items, so no packet reads anyone else's rows.
 */
export function staffFigures(counts: { readonly ratings: readonly StaffRatingCount[]; readonly handling: readonly StaffHandlingCount[] }, rule: GroupRule) {
  const ratingPart = partsOfDepartments(counts.ratings, (c) => `${c.cycleId}:${c.dimensionId}`, rule);
  // Kept as counts, one per score given, and spread into scores only for the figure asked for: a
  // cycle's packets hold as many counts as staff × dimensions × scores, not every rating.
  const scores = new Map<string, StaffRatingCount[]>();
  for (const c of counts.ratings) {
    const key = `${c.cycleId}:${c.dimensionId}:${c.staffMemberId}`;
    const given = scores.get(key);
    if (given) given.push(c);
    else scores.set(key, [c]);
  }
  const handlingPart = partsOfDepartments(counts.handling, (c) => String(c.cycleId), rule);
  return {
    /** Per dimension for a cycle and the one before, each cycle over its own frozen department. */
    dimensions(staffMemberId: number, dimensionIds: readonly number[], cycles: { current: number; previous: number | null }): DimensionFigure[] {
      const figureFor = (dimensionId: number, cycleId: number) =>
        ratingPart(`${cycleId}:${dimensionId}`, staffMemberId)(staffMemberId, () => scaleFigures((scores.get(`${cycleId}:${dimensionId}:${staffMemberId}`) ?? []).flatMap((c) => Array<number>(c.count).fill(c.score)), RATING_POINTS));
      return dimensionIds.map((dimensionId) => ({
        dimensionId,
        current: figureFor(dimensionId, cycles.current),
        previous: cycles.previous === null ? null : figureFor(dimensionId, cycles.previous),
      }));
    },

    /** How the staff member's routed items of a cycle were handled (`own`, tallied by the database; none when absent). */
    handling(staffMemberId: number, cycleId: number, own: StaffHandlingTally | undefined): HandlingFigure {
      return handlingPart(String(cycleId), staffMemberId)(staffMemberId, () => ({ items: own?.items ?? 0, ...(own?.tallies ?? NOTHING_HANDLED) }));
    },

    /**
     * The staff member's items by kind (`count` of them), as one part of their department by the
     * same parts rule as their handling: the trends show each department's number of items, so a
     * count shown beside a withheld one would tell it by subtraction.
     */
    kinds<T extends object>(staffMemberId: number, cycleId: number, count: number, compute: () => T): Guarded<T> {
      const asPart = handlingPart(String(cycleId), staffMemberId)(staffMemberId, () => ({}));
      return asPart.suppressed ? asPart : guarded(count, rule, compute);
    },
  };
}

export type StaffFigures = ReturnType<typeof staffFigures>;

export interface TrendFilter {
  /** Departments to show; empty for all. */
  readonly departmentIds: readonly number[];
  readonly dimensionIds: readonly number[];
  readonly cycleIds: readonly number[];
}

export interface TrendFigure {
  readonly departmentId: number;
  readonly dimensionId: number;
  readonly cycleId: number;
  readonly figure: Guarded<ScaleFigures>;
}

/** How many ratings of one score the staff of one department (as frozen) were given on one dimension in one cycle. */
export interface DepartmentRatingCount {
  readonly cycleId: number;
  readonly departmentId: number;
  readonly dimensionId: number;
  readonly score: number;
  readonly ratings: number;
}

/**
 * Department × dimension × cycle figures for HR and executives, from the ratings counted per score
 * (a GROUP BY, not every rating). The departments (as frozen at each period's end) are the parts of
 * the organisation, for that dimension and cycle: see withheldParts. Which departments a filter shows
 * never changes any figure.
 */
export function departmentTrends(counts: readonly DepartmentRatingCount[], departments: readonly number[], filter: TrendFilter, rule: GroupRule): TrendFigure[] {
  const shown = filter.departmentIds.length ? departments.filter((d) => filter.departmentIds.includes(d)) : departments;
  // cycle:dimension → department → score → ratings
  const parts = new Map<string, Map<number, Map<number, number>>>();
  for (const c of counts) {
    const key = `${c.cycleId}:${c.dimensionId}`;
    const byDepartment = parts.get(key) ?? new Map<number, Map<number, number>>();
    const scores = byDepartment.get(c.departmentId) ?? new Map<number, number>();
    scores.set(c.score, (scores.get(c.score) ?? 0) + c.ratings);
    byDepartment.set(c.departmentId, scores);
    parts.set(key, byDepartment);
  }
  const figures: TrendFigure[] = [];
  for (const cycleId of filter.cycleIds) {
    for (const dimensionId of filter.dimensionIds) {
      const byDepartment = summariseCountedParts(parts.get(`${cycleId}:${dimensionId}`) ?? new Map(), RATING_POINTS, rule);
      for (const departmentId of shown) figures.push({ departmentId, dimensionId, cycleId, figure: byDepartment.get(departmentId) ?? TOO_FEW });
    }
  }
  return figures;
}

/** How the routed items of one department's staff (as frozen) in one cycle were handled, tallied by the database. */
export interface DepartmentHandlingCount {
  readonly cycleId: number;
  readonly departmentId: number;
  readonly items: number;
  readonly tallies: HandlingTallies;
}

/** How each department's routed items of each cycle were handled, as parts of the organisation. */
export function departmentHandling(counts: readonly DepartmentHandlingCount[], departments: readonly number[], cycleIds: readonly number[], rule: GroupRule): Array<{ departmentId: number; cycleId: number; figure: HandlingFigure }> {
  return cycleIds.flatMap((cycleId) => {
    const parts = new Map(counts.filter((c) => c.cycleId === cycleId).map((c) => [c.departmentId, c]));
    const byDepartment = guardedSizedParts(parts, (c) => c.items, rule, (c) => ({ items: c.items, ...c.tallies }));
    return departments.map((departmentId) => ({ departmentId, cycleId, figure: byDepartment.get(departmentId) ?? TOO_FEW }));
  });
}

/** Distinct feedback items rated in a filter's cycles and dimensions: by the chosen departments, and by all (both as frozen). */
export interface RatedItems {
  readonly chosen: number;
  readonly all: number;
}

/** How many feedback items of one department's staff (as frozen) in one cycle were rated on exactly these dimensions. */
export interface DepartmentRatedSet {
  readonly cycleId: number;
  readonly departmentId: number;
  /** Ascending. */
  readonly dimensionIds: readonly number[];
  readonly items: number;
}

/**
 * The distinct items a filter covers, from the items counted per set of dimensions they were rated
 * on: an item is in the filter when any of its dimensions is, so these add up exactly where counts
 * per dimension would count an item once for each.
 */
export function ratedItemsOf(sets: readonly DepartmentRatedSet[], filter: TrendFilter): RatedItems {
  const rated = { chosen: 0, all: 0 };
  for (const set of sets) {
    if (!filter.cycleIds.includes(set.cycleId) || !set.dimensionIds.some((d) => filter.dimensionIds.includes(d))) continue;
    rated.all += set.items;
    if (filter.departmentIds.includes(set.departmentId)) rated.chosen += set.items;
  }
  return rated;
}

/**
 * A filter that would describe fewer people than the minimum is refused outright rather than shown
 * empty, so that narrowing step by step cannot single anyone out. Counted in distinct feedback items.
 */
export function filterIsolatesTooFew(rated: RatedItems, filter: TrendFilter, rule: GroupRule): boolean {
  if (filter.departmentIds.length === 0) return false;
  // Too few chosen, or too few left out: either side would describe a handful of people.
  return suppressionReason(rated.chosen, { ...rule, parentSize: rated.all }) !== null;
}

const STOPWORDS = new Set(
  'a an and are as at be been but by for from had has have he her his i in is it its me my not of on or our she so that the their them they this to too us was we were what when which who will with would you your very more most also than then there these those just all any can could should into about over only out up no yes do did does been being one two get got make made really much many some such'.split(' '),
);

/** The most frequent words across comments, when there are enough comments to speak of themes. */
export function frequentThemes(comments: readonly string[], rule: GroupRule, limit = 5): Guarded<{ readonly themes: ReadonlyArray<{ readonly word: string; readonly comments: number }> }> {
  return guarded(comments.length, rule, () => {
    const counts = new Map<string, number>();
    for (const comment of comments) {
      const words = new Set(comment.toLocaleLowerCase().match(/\p{L}[\p{L}'-]{2,}/gu) ?? []);
      for (const word of words) if (!STOPWORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    // A theme is a word in at least two comments; ties go alphabetically so the order is stable.
    const themes = [...counts.entries()].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
    return { themes: themes.map(([word, n]) => ({ word, comments: n })) };
  });
}
