import fc from 'fast-check';
import { departmentTrends, filterIsolatesTooFew, staffDimensionFigures, type RatingFact } from '../../../server/features/reviews/aggregation';
import { MINIMUM_GROUP_SIZE_FLOOR } from '../../../server/platform/privacy/aggregates';

// Random organisations: up to 5 departments of up to 4 staff, 3 dimensions, 2 cycles, and ratings
// scattered among them; random filters over departments, dimensions and cycles; a random minimum.
const organisation = fc
  .record({
    departments: fc.integer({ min: 1, max: 5 }),
    staffPerDepartment: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
    minimum: fc.integer({ min: MINIMUM_GROUP_SIZE_FLOOR, max: 8 }),
    ratings: fc.array(fc.record({ staff: fc.nat(), dimension: fc.integer({ min: 1, max: 3 }), cycle: fc.integer({ min: 1, max: 2 }), score: fc.integer({ min: 1, max: 5 }) }), { maxLength: 120 }),
  })
  .map(({ departments, staffPerDepartment, minimum, ratings }) => {
    const staff: Array<{ id: number; departmentId: number }> = [];
    for (let d = 1; d <= departments; d++) for (let s = 0; s < staffPerDepartment[d - 1]!; s++) staff.push({ id: staff.length + 1, departmentId: d });
    const facts: RatingFact[] = ratings.map((r, i) => {
      const member = staff[r.staff % staff.length]!;
      return { feedbackItemId: i + 1, staffMemberId: member.id, departmentId: member.departmentId, dimensionId: r.dimension, cycleId: r.cycle, score: r.score };
    });
    return { departments: Array.from({ length: departments }, (_, i) => i + 1), staff, facts, minimum };
  });

const filterFor = (departments: number[]) =>
  fc.record({
    departmentIds: fc.subarray(departments),
    dimensionIds: fc.subarray([1, 2, 3], { minLength: 1 }),
    cycleIds: fc.subarray([1, 2], { minLength: 1 }),
  });

describe('suppression, for random organisations and filters', () => {
  it('when department trends are shown, then every figure rests on at least the minimum, and so does every complement', () => {
    fc.assert(
      fc.property(
        organisation.chain((org) => fc.tuple(fc.constant(org), filterFor(org.departments))),
        ([org, filter]) => {
          const rule = { minimumGroupSize: org.minimum };
          if (filterIsolatesTooFew(org.facts, filter, rule)) return;
          for (const f of departmentTrends(org.facts, org.departments, filter, rule)) {
            const group = org.facts.filter((x) => x.departmentId === f.departmentId && x.dimensionId === f.dimensionId && x.cycleId === f.cycleId).length;
            const parent = org.facts.filter((x) => x.dimensionId === f.dimensionId && x.cycleId === f.cycleId).length;
            if (f.figure.suppressed) {
              // Withheld only for a reason the rule names.
              expect(group < org.minimum || (parent - group > 0 && parent - group < org.minimum)).toBe(true);
              continue;
            }
            expect(f.figure.count).toBe(group);
            expect(f.figure.count).toBeGreaterThanOrEqual(org.minimum);
            const complement = parent - f.figure.count;
            expect(complement === 0 || complement >= org.minimum).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when a filter is accepted, then it describes at least the minimum number of items and leaves none or at least the minimum outside', () => {
    fc.assert(
      fc.property(
        organisation.chain((org) => fc.tuple(fc.constant(org), filterFor(org.departments))),
        ([org, filter]) => {
          const rule = { minimumGroupSize: org.minimum };
          const inScope = org.facts.filter((f) => filter.cycleIds.includes(f.cycleId) && filter.dimensionIds.includes(f.dimensionId));
          const chosen = new Set(inScope.filter((f) => filter.departmentIds.includes(f.departmentId!)).map((f) => f.feedbackItemId)).size;
          const all = new Set(inScope.map((f) => f.feedbackItemId)).size;
          const refused = filterIsolatesTooFew(org.facts, filter, rule);
          if (filter.departmentIds.length === 0) expect(refused).toBe(false);
          else expect(refused).toBe(chosen < org.minimum || (all - chosen > 0 && all - chosen < org.minimum));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when a staff member\'s packet is built, then every figure shown rests on at least the minimum, and so does the rest of their department', () => {
    fc.assert(
      fc.property(organisation, fc.nat(), (org, pick) => {
        const member = org.staff[pick % org.staff.length]!;
        const rule = { minimumGroupSize: org.minimum };
        for (const figure of staffDimensionFigures(org.facts, member.id, [1, 2, 3], { current: 2, previous: 1 }, rule)) {
          for (const [cycleId, shown] of [[2, figure.current], [1, figure.previous!]] as const) {
            if (shown.suppressed) continue;
            const own = org.facts.filter((f) => f.staffMemberId === member.id && f.dimensionId === figure.dimensionId && f.cycleId === cycleId).length;
            const department = org.facts.filter((f) => f.departmentId === member.departmentId && f.dimensionId === figure.dimensionId && f.cycleId === cycleId).length;
            expect(shown.count).toBe(own);
            expect(own).toBeGreaterThanOrEqual(org.minimum);
            expect(department - own === 0 || department - own >= org.minimum).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('when every packet of a department is built, then the figures withheld add up to none or at least the minimum, so the department figure minus those shown reveals no small group', () => {
    fc.assert(
      fc.property(organisation, (org) => {
        const rule = { minimumGroupSize: org.minimum };
        for (const departmentId of org.departments) {
          const members = org.staff.filter((s) => s.departmentId === departmentId);
          for (const dimensionId of [1, 2, 3]) {
            let hidden = 0;
            for (const member of members) {
              const [figure] = staffDimensionFigures(org.facts, member.id, [dimensionId], { current: 1, previous: null }, rule);
              if (figure!.current.suppressed) hidden += org.facts.filter((f) => f.staffMemberId === member.id && f.dimensionId === dimensionId && f.cycleId === 1).length;
            }
            // Or everyone is withheld: then the department's own figure is the only one, guarded on its own.
            const total = org.facts.filter((f) => f.departmentId === departmentId && f.dimensionId === dimensionId && f.cycleId === 1).length;
            expect(hidden === 0 || hidden >= org.minimum || hidden === total).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
