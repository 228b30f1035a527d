/**
 * Figures built from anonymous or confidential input. Every such figure goes through `guarded`, the
 * one place the minimum group size and the complement rule are applied, so that no page, chart,
 * export or JSON answer rests on fewer than the minimum number of people.
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

export interface ScaleFigures {
  readonly count: number;
  /** Rounded to two decimals, the same in pages and exports. */
  readonly mean: number;
  readonly median: number;
  readonly distribution: ReadonlyArray<{ readonly value: number; readonly count: number }>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function scaleFigures(values: readonly number[], points: readonly number[]): ScaleFigures {
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
