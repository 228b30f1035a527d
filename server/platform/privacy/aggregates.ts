/**
 * Figures built from anonymous or confidential input. Every such figure goes through `guarded`, or
 * `sizedParts` (and the forms built on it) for the parts of one whole, the one place the minimum group size, the complement
 * rule and the differencing rule (withheldParts) are applied, so that no page, chart, export or JSON
 * answer rests on fewer than the minimum number of people, and no two figures a reader can obtain
 * differ by fewer than that.
 */

/** The organisation may raise the minimum group size, never lower it below this. */
export const MINIMUM_GROUP_SIZE_FLOOR = 3;
export const DEFAULT_MINIMUM_GROUP_SIZE = 5;

export interface GroupRule {
  readonly minimumGroupSize: number;
  /**
   * The size of the group this one is cut from (a department, when this is one team of it). The
   * figure is withheld when the rest of the parent is non-empty but below the minimum, since the
   * parent's figure minus this one would describe those few people.
   */
  readonly parentSize?: number;
}

export type SuppressionReason = 'too_few' | 'complement_too_few' | 'not_final';
export interface Suppressed {
  readonly suppressed: true;
  readonly reason: SuppressionReason;
}

/**
 * For a group still growing (a period not yet over): two readings a day apart would differ by one
 * person's input, so nothing is shown until the group is final.
 */
export const NOT_FINAL: Suppressed = Object.freeze({ suppressed: true, reason: 'not_final' });
/** A group with no input at all. */
export const TOO_FEW: Suppressed = Object.freeze({ suppressed: true, reason: 'too_few' });
export type Guarded<T> = (T & { readonly suppressed: false }) | Suppressed;

export function suppressionReason(size: number, rule: GroupRule): SuppressionReason | null {
  const minimum = Math.max(rule.minimumGroupSize, MINIMUM_GROUP_SIZE_FLOOR);
  if (size < minimum) return 'too_few';
  if (rule.parentSize !== undefined) {
    const rest = rule.parentSize - size;
    if (rest > 0 && rest < minimum) return 'complement_too_few';
  }
  return null;
}

/** Computes the figure only when the group of `size` people may be described. */
export function guarded<T extends object>(size: number, rule: GroupRule, compute: () => T): Guarded<T> {
  const reason = suppressionReason(size, rule);
  return reason ? { suppressed: true, reason } : { ...compute(), suppressed: false };
}

/**
 * The parts of one whole (the staff of a department, the departments of the organisation) whose
 * figures are withheld, and why, given each part's size; the whole is their sum. Beyond each part's
 * own size and complement, the withheld parts together must not be a small group, since the
 * whole's figure minus every figure shown would describe them: while they are, the smallest shown
 * part is withheld too (the same choice for every reader).
 */
function withheldParts<K extends number>(sizes: ReadonlyMap<K, number>, rule: GroupRule): Map<K, SuppressionReason> {
  const whole = [...sizes.values()].reduce((sum, n) => sum + n, 0);
  const withheld = new Map<K, SuppressionReason>();
  for (const [part, size] of sizes) {
    const reason = suppressionReason(size, { ...rule, parentSize: whole });
    if (reason) withheld.set(part, reason);
  }
  for (;;) {
    const hidden = [...withheld.keys()].reduce((sum, part) => sum + sizes.get(part)!, 0);
    if (hidden === 0 || suppressionReason(hidden, rule) === null) return withheld;
    const next = [...sizes].filter(([part]) => !withheld.has(part)).sort((a, b) => a[1] - b[1] || a[0] - b[0])[0];
    if (!next) return withheld;
    withheld.set(next[0], 'complement_too_few');
  }
}

export interface ScaleFigures {
  readonly count: number;
  /** Rounded to two decimals, the same in pages and exports. */
  readonly mean: number;
  readonly median: number;
  readonly distribution: ReadonlyArray<{ readonly value: number; readonly count: number }>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Computed only inside a guard (summariseScale, sizedParts and the forms built on it). */
export function scaleFigures(values: readonly number[], points: readonly number[]): ScaleFigures {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    count: values.length,
    mean: round2(values.reduce((sum, v) => sum + v, 0) / values.length),
    median,
    distribution: points.map((value) => ({ value, count: values.filter((v) => v === value).length })),
  };
}

/** Count, mean, median and distribution of scale answers (one value per person). */
export function summariseScale(values: readonly number[], points: readonly number[], rule: GroupRule): Guarded<ScaleFigures> {
  return guarded(values.length, rule, () => scaleFigures(values, points));
}

/**
 * The parts of one whole known by their sizes alone (counted by the database): a part's figure is
 * computed, from that part's own values, only when withheldParts lets it through; a part absent
 * from `sizes` has no input at all.
 */
export function sizedParts<K extends number>(sizes: ReadonlyMap<K, number>, rule: GroupRule): <T extends object>(part: K, compute: () => T) => Guarded<T> {
  const withheld = withheldParts(sizes, rule);
  return (part, compute) => {
    if (!sizes.has(part)) return TOO_FEW;
    const reason = withheld.get(part);
    return reason ? { suppressed: true, reason } : { ...compute(), suppressed: false };
  };
}

/** A figure for each part of one whole of `sizeOf` people, computed only for the parts withheldParts lets through. */
export function guardedSizedParts<K extends number, P, T extends object>(parts: ReadonlyMap<K, P>, sizeOf: (part: P) => number, rule: GroupRule, compute: (part: P) => T): Map<K, Guarded<T>> {
  const figureOf = sizedParts(new Map([...parts].map(([key, part]) => [key, sizeOf(part)])), rule);
  return new Map([...parts].map(([key, part]) => [key, figureOf(key, () => compute(part))]));
}

/**
 * The same figures as scaleFigures from how many gave each value (a GROUP BY's counts), so a
 * database can count the values and hand over a few rows instead of every value.
 */
function countedScaleFigures(counts: ReadonlyMap<number, number>, points: readonly number[]): ScaleFigures {
  const values = [...counts.keys()].sort((a, b) => a - b);
  const count = values.reduce((sum, v) => sum + counts.get(v)!, 0);
  // The value at a position of the sorted values, as scaleFigures' sorted[at].
  const at = (position: number) => {
    let seen = 0;
    for (const v of values) {
      seen += counts.get(v)!;
      if (position < seen) return v;
    }
    return values[values.length - 1]!;
  };
  const middle = Math.floor(count / 2);
  return {
    count,
    mean: round2(values.reduce((sum, v) => sum + v * counts.get(v)!, 0) / count),
    median: count % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2,
    distribution: points.map((value) => ({ value, count: counts.get(value) ?? 0 })),
  };
}

/**
 * Scale figures for each part of one whole given as counts per value (see countedScaleFigures): the
 * same suppression and figures as over the values those counts stand for (the tests compare them).
 */
export function summariseCountedParts<K extends number>(parts: ReadonlyMap<K, ReadonlyMap<number, number>>, points: readonly number[], rule: GroupRule): Map<K, Guarded<ScaleFigures>> {
  return guardedSizedParts(parts, (counts) => [...counts.values()].reduce((sum, n) => sum + n, 0), rule, (counts) => countedScaleFigures(counts, points));
}

export interface ChoiceFigures {
  /** People who chose at least one option. */
  readonly count: number;
  readonly distribution: ReadonlyArray<{ readonly value: string; readonly count: number }>;
}

/** How many people chose each option; `chosen` has one entry per person (several for multiple choice). */
export function summariseChoices(chosen: ReadonlyArray<readonly string[]>, options: readonly string[], rule: GroupRule): Guarded<ChoiceFigures> {
  return guarded(chosen.length, rule, () => ({
    count: chosen.length,
    distribution: options.map((value) => ({ value, count: chosen.filter((c) => c.includes(value)).length })),
  }));
}

/** Free-text answers, listed only when enough people wrote them, in an order that says nothing about who came first. */
export function listComments(comments: readonly string[], rule: GroupRule): Guarded<{ readonly count: number; readonly comments: readonly string[] }> {
  return guarded(comments.length, rule, () => ({ count: comments.length, comments: [...comments].sort((a, b) => a.localeCompare(b)) }));
}
