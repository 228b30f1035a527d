import { guarded, summariseScale, suppressionReason, type GroupRule, type Guarded, type ScaleFigures } from '../../platform/privacy/aggregates';

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

/**
 * A staff member's figures per dimension for a cycle and the one before. The department's ratings
 * are the parent group: a staff member's figure is withheld when the rest of their department is
 * non-empty but below the minimum, since the department's figure minus theirs would describe those few.
 */
export function staffDimensionFigures(
  facts: readonly RatingFact[],
  staffMemberId: number,
  dimensionIds: readonly number[],
  cycles: { current: number; previous: number | null },
  rule: GroupRule,
): DimensionFigure[] {
  const departmentId = facts.find((f) => f.staffMemberId === staffMemberId)?.departmentId ?? null;
  const figureFor = (dimensionId: number, cycleId: number): Guarded<ScaleFigures> => {
    const own = facts.filter((f) => f.staffMemberId === staffMemberId && f.dimensionId === dimensionId && f.cycleId === cycleId);
    if (departmentId === null) return summariseScale(own.map((f) => f.score), RATING_POINTS, rule);
    const inDepartment = facts.filter((f) => f.departmentId === departmentId && f.dimensionId === dimensionId && f.cycleId === cycleId);
    const figure = summariseScale(own.map((f) => f.score), RATING_POINTS, { ...rule, parentSize: inDepartment.length });
    if (figure.suppressed || !withheldInDepartment(inDepartment, rule).has(staffMemberId)) return figure;
    return { suppressed: true, reason: 'complement_too_few' };
  };
  return dimensionIds.map((dimensionId) => ({
    dimensionId,
    current: figureFor(dimensionId, cycles.current),
    previous: cycles.previous === null ? null : figureFor(dimensionId, cycles.previous),
  }));
}

/**
 * The staff members of one department (for one dimension and cycle) whose figures are withheld.
 * Beyond each one's own group and complement, the withheld ones together must not be a small group:
 * the department's figure minus every figure shown would describe them. While they are, the
 * smallest shown figure is withheld too (the same choice for every reader).
 */
export function withheldInDepartment(inDepartment: readonly RatingFact[], rule: GroupRule): Set<number> {
  const counts = new Map<number, number>();
  for (const f of inDepartment) counts.set(f.staffMemberId, (counts.get(f.staffMemberId) ?? 0) + 1);
  const withheld = new Set([...counts].filter(([, n]) => suppressionReason(n, { ...rule, parentSize: inDepartment.length }) !== null).map(([id]) => id));
  for (;;) {
    const hidden = [...withheld].reduce((sum, id) => sum + counts.get(id)!, 0);
    if (suppressionReason(hidden, rule) === null || hidden === 0) return withheld;
    const next = [...counts].filter(([id]) => !withheld.has(id)).sort((a, b) => a[1] - b[1] || a[0] - b[0])[0];
    if (!next) return withheld;
    withheld.add(next[0]);
  }
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
 * Department × dimension × cycle figures for HR and executives. Each department is cut from the
 * organisation (all departments) for that dimension and cycle, which is its parent group.
 */
export function departmentTrends(facts: readonly RatingFact[], departments: readonly number[], filter: TrendFilter, rule: GroupRule): TrendFigure[] {
  const shown = filter.departmentIds.length ? departments.filter((d) => filter.departmentIds.includes(d)) : departments;
  const figures: TrendFigure[] = [];
  for (const cycleId of filter.cycleIds) {
    for (const dimensionId of filter.dimensionIds) {
      const organisation = facts.filter((f) => f.cycleId === cycleId && f.dimensionId === dimensionId && f.departmentId !== null);
      for (const departmentId of shown) {
        const scores = organisation.filter((f) => f.departmentId === departmentId).map((f) => f.score);
        figures.push({ departmentId, dimensionId, cycleId, figure: summariseScale(scores, RATING_POINTS, { ...rule, parentSize: organisation.length }) });
      }
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
