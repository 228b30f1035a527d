import { guarded, summariseParts, summariseScale, suppressionReason, TOO_FEW, type GroupRule, type Guarded, type ScaleFigures } from '../../platform/privacy/aggregates';

/** Ratings run 1–5 on the Expected Standards of Behavior. */
export const RATING_POINTS = [1, 2, 3, 4, 5] as const;

/** One rating of one feedback item on one dimension, with where it belongs. */
export interface RatingFact {
  readonly feedbackItemId: number;
  readonly staffMemberId: number;
  readonly departmentId: number | null;
  readonly dimensionId: number;
  readonly cycleId: number;
  readonly score: number;
}

export interface DimensionFigure {
  readonly dimensionId: number;
  readonly current: Guarded<ScaleFigures>;
  /** The same dimension in the previous cycle, for the trend. */
  readonly previous: Guarded<ScaleFigures> | null;
}

/** Scores per part of one whole (staff of a department, departments of the organisation). */
function scoresBy(facts: readonly RatingFact[], part: (f: RatingFact) => number): Map<number, number[]> {
  const parts = new Map<number, number[]>();
  for (const f of facts) {
    const scores = parts.get(part(f));
    if (scores) scores.push(f.score);
    else parts.set(part(f), [f.score]);
  }
  return parts;
}

/**
 * A staff member's figures per dimension for a cycle and the one before. Each cycle's department (as
 * frozen at that period's end) is the whole the staff member is a part of: see withheldParts.
 */
export function staffDimensionFigures(
  facts: readonly RatingFact[],
  staffMemberId: number,
  dimensionIds: readonly number[],
  cycles: { current: number; previous: number | null },
  rule: GroupRule,
): DimensionFigure[] {
  const figureFor = (dimensionId: number, cycleId: number): Guarded<ScaleFigures> => {
    const inCycle = facts.filter((f) => f.dimensionId === dimensionId && f.cycleId === cycleId);
    const own = inCycle.filter((f) => f.staffMemberId === staffMemberId);
    const departmentId = own[0]?.departmentId ?? null;
    if (departmentId === null) return summariseScale(own.map((f) => f.score), RATING_POINTS, rule);
    const department = inCycle.filter((f) => f.departmentId === departmentId);
    return summariseParts(scoresBy(department, (f) => f.staffMemberId), RATING_POINTS, rule).get(staffMemberId)!;
  };
  return dimensionIds.map((dimensionId) => ({
    dimensionId,
    current: figureFor(dimensionId, cycles.current),
    previous: cycles.previous === null ? null : figureFor(dimensionId, cycles.previous),
  }));
}

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

/**
 * Department × dimension × cycle figures for HR and executives. The departments (as frozen at each
 * period's end) are the parts of the organisation, for that dimension and cycle: see withheldParts.
 * Which departments a filter shows never changes any figure.
 */
export function departmentTrends(facts: readonly RatingFact[], departments: readonly number[], filter: TrendFilter, rule: GroupRule): TrendFigure[] {
  const shown = filter.departmentIds.length ? departments.filter((d) => filter.departmentIds.includes(d)) : departments;
  const figures: TrendFigure[] = [];
  for (const cycleId of filter.cycleIds) {
    for (const dimensionId of filter.dimensionIds) {
      const organisation = facts.filter((f) => f.cycleId === cycleId && f.dimensionId === dimensionId && f.departmentId !== null);
      const byDepartment = summariseParts(scoresBy(organisation, (f) => f.departmentId!), RATING_POINTS, rule);
      for (const departmentId of shown) figures.push({ departmentId, dimensionId, cycleId, figure: byDepartment.get(departmentId) ?? TOO_FEW });
    }
  }
  return figures;
}

/**
 * A filter that would describe fewer people than the minimum is refused outright rather than shown
 * empty, so that narrowing step by step cannot single anyone out. Counted in distinct feedback items.
 */
export function filterIsolatesTooFew(facts: readonly RatingFact[], filter: TrendFilter, rule: GroupRule): boolean {
  if (filter.departmentIds.length === 0) return false;
  const inScope = facts.filter((f) => f.departmentId !== null && filter.cycleIds.includes(f.cycleId) && filter.dimensionIds.includes(f.dimensionId));
  const chosen = new Set(inScope.filter((f) => filter.departmentIds.includes(f.departmentId!)).map((f) => f.feedbackItemId));
  const all = new Set(inScope.map((f) => f.feedbackItemId));
  // Too few chosen, or too few left out: either side would describe a handful of people.
  return suppressionReason(chosen.size, { ...rule, parentSize: all.size }) !== null;
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
