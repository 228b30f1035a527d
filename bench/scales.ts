import type { Row } from './scenarios';

/** One scale's run as run.ts writes it. */
export interface ScaleReport {
  readonly scale: number;
  readonly results: readonly Row[];
}

/** One figure at every scale measured, and how the app's median grew from the smallest scale to the largest. */
export interface GrowthRow {
  readonly name: string;
  readonly figure: string;
  readonly unit: string;
  /** Per scale: the app's median, the baseline's and their ratio. */
  readonly byScale: ReadonlyArray<{ scale: number; app: number; baseline: number; ratio: number | null }>;
  /** Largest scale's app median over the smallest's; null when a scale lacks the figure or it was zero. */
  readonly growth: number | null;
  /** Growth over the growth of the data (1 is linear, below 1 is better than linear). */
  readonly growthPerData: number | null;
}

/** Lines up the same figure across scales, in the order of the first scale's rows. */
export function sideBySide(reports: readonly ScaleReport[]): GrowthRow[] {
  const sorted = [...reports].sort((a, b) => a.scale - b.scale);
  const key = (r: Row) => `${r.name}\u0000${r.figure}`;
  const first = sorted[0];
  if (!first) return [];
  const last = sorted[sorted.length - 1]!;
  return first.results.map((row) => {
    const byScale = sorted.flatMap((report) => {
      const match = report.results.find((r) => key(r) === key(row));
      return match ? [{ scale: report.scale, app: match.scenario.median, baseline: match.baseline.median, ratio: match.ratio }] : [];
    });
    const small = byScale[0];
    const large = byScale.find((s) => s.scale === last.scale);
    const growth = small && large && large !== small && small.app !== 0 ? large.app / small.app : null;
    const dataGrowth = last.scale / first.scale;
    return { name: row.name, figure: row.figure, unit: row.unit, byScale, growth, growthPerData: growth === null || dataGrowth === 1 ? null : growth / dataGrowth };
  });
}
