import { compare, interleavedOrder, median, ratio, runInterleaved, summarise } from '../../bench/stats';

describe('benchmark statistics', () => {
  it('when samples are given, then the median is the middle one (or the mean of the two middle ones), whatever their order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow();
  });

  it('when summarised, then the spread is the range over the median', () => {
    expect(summarise([90, 100, 120])).toEqual({ median: 100, min: 90, max: 120, spread: 0.3, samples: [90, 100, 120] });
    expect(summarise([0, 0]).spread).toBe(0);
  });

  it('when compared, then the ratio is the scenario median over the baseline median', () => {
    expect(ratio(summarise([100, 110, 90]), summarise([2500, 2400, 2600]))).toBeCloseTo(0.04);
    expect(ratio(summarise([1]), summarise([0]))).toBeNull();
  });

  it('when run interleaved, then the scenario and its baseline alternate A B A B A B, each sample filed on its side', async () => {
    expect(interleavedOrder(3)).toEqual(['scenario', 'baseline', 'scenario', 'baseline', 'scenario', 'baseline']);
    const calls: string[] = [];
    let n = 0;
    const samples = await runInterleaved(3, {
      scenario: async () => (calls.push('A'), { rps: ++n }),
      baseline: async () => (calls.push('B'), { rps: 100 + ++n }),
    });
    expect(calls.join(' ')).toBe('A B A B A B');
    expect(samples).toEqual({ scenario: { rps: [1, 3, 5] }, baseline: { rps: [102, 104, 106] } });
    const [rps] = compare(samples);
    expect(rps).toMatchObject({ figure: 'rps', scenario: { median: 3 }, baseline: { median: 104 } });
    expect(rps!.ratio).toBeCloseTo(3 / 104);
  });
});
