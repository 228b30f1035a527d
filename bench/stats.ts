// The benchmark's arithmetic, apart from any I/O so the tests can check it on given samples.

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median: how far apart the runs were, relative to their middle. */
  readonly spread: number;
  readonly samples: readonly number[];
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarise(samples: readonly number[]): Summary {
  const m = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return { median: m, min, max, spread: m === 0 ? 0 : (max - min) / m, samples: [...samples] };
}

/** The scenario's median over the baseline's: above 1 is more of the figure (more req/s, or more ms). */
export function ratio(scenario: Summary, baseline: Summary): number | null {
  return baseline.median === 0 ? null : scenario.median / baseline.median;
}

export type Side = 'scenario' | 'baseline';

/** A B A B …: the scenario and its baseline alternate, so a machine that slows down mid-run slows both alike. */
export function interleavedOrder(rounds: number): Side[] {
  return Array.from({ length: rounds * 2 }, (_, i) => (i % 2 === 0 ? 'scenario' : 'baseline'));
}

/**
 * Runs the two measurements alternately, one at a time, for `rounds` rounds; each run returns its
 * figures by name (e.g. { rps, p50, p99 }). Returns every figure's samples for each side.
 */
export async function runInterleaved<K extends string>(rounds: number, run: Record<Side, () => Promise<Record<K, number>>>): Promise<Record<Side, Record<K, number[]>>> {
  const samples: Record<Side, Record<string, number[]>> = { scenario: {}, baseline: {} };
  for (const side of interleavedOrder(rounds)) {
    const figures = await run[side]();
    for (const [name, value] of Object.entries(figures) as Array<[K, number]>) (samples[side][name] ??= []).push(value);
  }
  return samples as Record<Side, Record<K, number[]>>;
}

export interface Comparison {
  readonly figure: string;
  readonly scenario: Summary;
  readonly baseline: Summary;
  readonly ratio: number | null;
}

/** Each figure of an interleaved run, summarised on both sides, with its ratio. */
export function compare<K extends string>(samples: Record<Side, Record<K, number[]>>): Comparison[] {
  return (Object.keys(samples.scenario) as K[]).map((figure) => {
    const scenario = summarise(samples.scenario[figure]);
    const baseline = summarise(samples.baseline[figure] ?? []);
    return { figure, scenario, baseline, ratio: ratio(scenario, baseline) };
  });
}
