import fc from 'fast-check';
import { MINIMUM_GROUP_SIZE_FLOOR, summariseCountedParts } from '../../../server/platform/privacy/aggregates';
import { summariseParts } from '../../helpers/reference-figures';

const POINTS = [1, 2, 3, 4, 5];

describe('scale figures from counts per value', () => {
  it('when the values of each part are given as counts per value, then every part has the same figures and the same suppression as from the values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: MINIMUM_GROUP_SIZE_FLOOR, max: 8 }),
        (values, minimum) => {
          const parts = new Map(values.filter((v) => v.length > 0).map((v, i) => [i + 1, v] as const));
          const counted = new Map([...parts].map(([part, v]) => [part, v.reduce((counts, x) => counts.set(x, (counts.get(x) ?? 0) + 1), new Map<number, number>())] as const));
          const rule = { minimumGroupSize: minimum };
          expect(summariseCountedParts(counted, POINTS, rule)).toEqual(summariseParts(parts, POINTS, rule));
        },
      ),
      { numRuns: 500 },
    );
  });
});
