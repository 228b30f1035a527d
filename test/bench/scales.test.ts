import { sideBySide } from '../../bench/scales';
import type { Row } from '../../bench/scenarios';
import { summarise } from '../../bench/stats';

const row = (name: string, figure: string, app: number, baseline: number): Row => ({ name, figure, unit: 'ms', scenario: summarise([app]), baseline: summarise([baseline]), ratio: app / baseline });

describe('benchmark scales side by side', () => {
  it('when two scales are lined up, then each figure shows both and how it grew against the data', () => {
    const rows = sideBySide([
      { scale: 10, results: [row('aggregate', 'ms', 900, 400), row('inbox first page', 'p99', 40, 20)] },
      { scale: 1, results: [row('aggregate', 'ms', 100, 40), row('inbox first page', 'p99', 20, 10), row('only small', 'ms', 5, 5)] },
    ]);
    expect(rows.map((r) => r.name)).toEqual(['aggregate', 'inbox first page', 'only small']);
    expect(rows[0]).toMatchObject({ byScale: [{ scale: 1, app: 100, baseline: 40, ratio: 2.5 }, { scale: 10, app: 900, baseline: 400, ratio: 2.25 }], growth: 9 });
    expect(rows[0]!.growthPerData).toBeCloseTo(0.9);
    expect(rows[1]!.growth).toBe(2);
    // A figure measured at one scale only has no growth.
    expect(rows[2]).toMatchObject({ byScale: [{ scale: 1 }], growth: null, growthPerData: null });
  });

  it('when nothing was measured, then there is nothing to line up', () => {
    expect(sideBySide([])).toEqual([]);
  });
});
