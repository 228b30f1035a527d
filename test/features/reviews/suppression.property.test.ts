import fc from 'fast-check';
import { createDirectoryRepository } from '../../../server/features/directory/directory.repository';
import { departmentHandling as handlingOfCounts, departmentTrends as trendsOfCounts, filterIsolatesTooFew as isolatesByCounts, staffFigures, type DepartmentHandlingCount, type DepartmentRatingCount, type HandlingFact, type StaffHandlingCount, type StaffRatingCount, type TrendFilter } from '../../../server/features/reviews/aggregation';
import { createCyclesRepository } from '../../../server/features/reviews/cycles.repository';
import { CycleInputSchema, periodOfCode } from '../../../server/features/reviews/cycles.schema';
import { handlingTallies } from '../../../server/features/service-levels';
import { ValidationError } from '../../../server/platform/errors';
import { MINIMUM_GROUP_SIZE_FLOOR, type GroupRule } from '../../../server/platform/privacy/aggregates';
import { manualClock, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { factories } from '../../factories';
import { giveFeedback, reviewCycle, reviewOrganisation } from '../../helpers/reviews';
import type { RatingFact } from '../../helpers/reference-figures';

// A packet's figures as the packets service builds them: ratings counted as the database groups
// them, handling figures from the staff member's own facts.
function staffCountsOf<F extends { staffMemberId: number; departmentId: number | null; cycleId: number }>(facts: readonly F[], key: (f: F) => string) {
  const counts = new Map<string, F & { count: number }>();
  for (const f of facts) {
    const k = `${key(f)}:${f.staffMemberId}:${f.departmentId}`;
    counts.set(k, { ...f, count: (counts.get(k)?.count ?? 0) + 1 });
  }
  return [...counts.values()];
}
const ratingCounts = (facts: readonly RatingFact[]): StaffRatingCount[] => staffCountsOf(facts, (f) => `${f.cycleId}:${f.dimensionId}:${f.score}`);
const handlingCounts = (facts: readonly HandlingFact[]): StaffHandlingCount[] => staffCountsOf(facts, (f) => String(f.cycleId));
const staffDimensionFigures = (facts: readonly RatingFact[], staffMemberId: number, dimensionIds: number[], cycles: { current: number; previous: number | null }, rule: GroupRule) =>
  staffFigures({ ratings: ratingCounts(facts), handling: [] }, rule).dimensions(staffMemberId, dimensionIds, cycles);
const staffHandling = (facts: readonly HandlingFact[], staffMemberId: number, cycleId: number, rule: GroupRule, now: number) => {
  // The staff member's own items tallied, as the database tallies them (see handlingTallyColumns).
  const own = facts.filter((f) => f.staffMemberId === staffMemberId && f.cycleId === cycleId);
  return staffFigures({ ratings: [], handling: handlingCounts(facts) }, rule).handling(staffMemberId, cycleId, own.length ? { items: own.length, tallies: handlingTallies(own, now) } : undefined);
};
const staffKinds = <T extends object>(facts: readonly HandlingFact[], staffMemberId: number, cycleId: number, count: number, rule: GroupRule, compute: () => T) =>
  staffFigures({ ratings: [], handling: handlingCounts(facts) }, rule).kinds(staffMemberId, cycleId, count, compute);

// Random organisations: up to 5 departments of up to 4 staff, 3 dimensions, 2 cycles, and ratings
// scattered among them; random filters over departments, dimensions and cycles; a random minimum.
const organisationWith = (ratingCount: { minLength: number; maxLength: number }) => fc
  .record({
    departments: fc.integer({ min: 1, max: 5 }),
    staffPerDepartment: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
    minimum: fc.integer({ min: MINIMUM_GROUP_SIZE_FLOOR, max: 8 }),
    ratings: fc.array(fc.record({ staff: fc.nat(), dimension: fc.integer({ min: 1, max: 3 }), cycle: fc.integer({ min: 1, max: 2 }), score: fc.integer({ min: 1, max: 5 }) }), ratingCount),
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
// The ratings as the database hands them to the trends: counted per cycle, department, dimension and score.
const countsOf = (facts: readonly RatingFact[]): DepartmentRatingCount[] => {
  const counts = new Map<string, DepartmentRatingCount>();
  for (const f of facts) {
    if (f.departmentId === null) continue;
    const key = `${f.cycleId}:${f.departmentId}:${f.dimensionId}:${f.score}`;
    const c = counts.get(key);
    counts.set(key, { cycleId: f.cycleId, departmentId: f.departmentId, dimensionId: f.dimensionId, score: f.score, ratings: (c?.ratings ?? 0) + 1 });
  }
  return [...counts.values()];
};
const departmentTrends = (facts: readonly RatingFact[], departments: readonly number[], filter: TrendFilter, rule: GroupRule) => trendsOfCounts(countsOf(facts), departments, filter, rule);
// Distinct items in the filter's scope, as the trends repository counts them.
const filterIsolatesTooFew = (facts: readonly RatingFact[], filter: TrendFilter, rule: GroupRule) => {
  const inScope = facts.filter((f) => f.departmentId !== null && filter.cycleIds.includes(f.cycleId) && filter.dimensionIds.includes(f.dimensionId));
  const chosen = new Set(inScope.filter((f) => filter.departmentIds.includes(f.departmentId!)).map((f) => f.feedbackItemId)).size;
  return isolatesByCounts({ chosen, all: new Set(inScope.map((f) => f.feedbackItemId)).size }, filter, rule);
};
// Routed items as the database tallies them for the trends: per cycle and department.
const departmentHandling = (facts: readonly HandlingFact[], departments: readonly number[], cycleIds: readonly number[], rule: GroupRule, now: number) => {
  const parts = new Map<string, HandlingFact[]>();
  for (const f of facts) if (f.departmentId !== null) parts.set(`${f.cycleId}:${f.departmentId}`, [...(parts.get(`${f.cycleId}:${f.departmentId}`) ?? []), f]);
  const counts: DepartmentHandlingCount[] = [...parts.values()].map((items) => ({ cycleId: items[0]!.cycleId, departmentId: items[0]!.departmentId!, items: items.length, tallies: handlingTallies(items, now) }));
  return handlingOfCounts(counts, departments, cycleIds, rule);
};
const organisation = organisationWith({ minLength: 0, maxLength: 120 });
// Enough ratings per cycle and dimension that many figures are shown beside withheld ones.
const denseOrganisation = organisationWith({ minLength: 60, maxLength: 300 });

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
          const everyDepartment = departmentTrends(org.facts, org.departments, { ...filter, departmentIds: [] }, rule);
          const sizeOf = (f: { departmentId: number; dimensionId: number; cycleId: number }) => org.facts.filter((x) => x.departmentId === f.departmentId && x.dimensionId === f.dimensionId && x.cycleId === f.cycleId).length;
          for (const f of departmentTrends(org.facts, org.departments, filter, rule)) {
            const group = sizeOf(f);
            const parent = org.facts.filter((x) => x.dimensionId === f.dimensionId && x.cycleId === f.cycleId).length;
            if (f.figure.suppressed) {
              // Withheld only for a reason the rule names: its own size, its complement, or else
              // because the other withheld departments alone would be a small group.
              if (group < org.minimum || (parent - group > 0 && parent - group < org.minimum)) continue;
              const othersHidden = everyDepartment
                .filter((o) => o.figure.suppressed && o.dimensionId === f.dimensionId && o.cycleId === f.cycleId && o.departmentId !== f.departmentId)
                .reduce((sum, o) => sum + sizeOf(o), 0);
              expect(f.figure.reason).toBe('complement_too_few');
              expect(othersHidden > 0 && othersHidden < org.minimum).toBe(true);
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

  it('when a reader obtains every figure of a period (each packet with its previous cycle, each department under any filter), then no two of one measure differ by fewer than the minimum, nor does a whole from the parts shown of it', () => {
    fc.assert(
      fc.property(
        denseOrganisation.chain((org) => fc.tuple(fc.constant(org), fc.array(filterFor(org.departments), { minLength: 1, maxLength: 4 }))),
        ([org, filters]) => {
          const rule = { minimumGroupSize: org.minimum };
          const itemsOf = (cycleId: number, dimensionId: number, where: (f: RatingFact) => boolean) =>
            new Set(org.facts.filter((f) => f.cycleId === cycleId && f.dimensionId === dimensionId && where(f)).map((f) => f.feedbackItemId));
          // Every figure shown, as the set of inputs behind it, per measure (cycle and dimension).
          const obtained = new Map<string, Array<Set<number>>>();
          const obtain = (cycleId: number, dimensionId: number, items: Set<number>) => obtained.set(`${cycleId}:${dimensionId}`, [...(obtained.get(`${cycleId}:${dimensionId}`) ?? []), items]);
          const staffShown = new Map<string, Set<number>>();
          for (const member of org.staff) {
            const ofCycle2 = staffDimensionFigures(org.facts, member.id, [1, 2, 3], { current: 2, previous: 1 }, rule);
            const ofCycle1 = staffDimensionFigures(org.facts, member.id, [1, 2, 3], { current: 1, previous: null }, rule);
            for (const [i, figure] of ofCycle2.entries()) {
              // The previous-cycle column is that cycle's own packet figure, never a second reading of it.
              expect(figure.previous).toEqual(ofCycle1[i]!.current);
              for (const [cycleId, shown] of [[2, figure.current], [1, figure.previous!]] as const) {
                if (shown.suppressed) continue;
                const items = itemsOf(cycleId, figure.dimensionId, (f) => f.staffMemberId === member.id);
                obtain(cycleId, figure.dimensionId, items);
                staffShown.set(`${cycleId}:${figure.dimensionId}:${member.id}`, items);
              }
            }
          }
          const unfiltered = departmentTrends(org.facts, org.departments, { departmentIds: [], dimensionIds: [1, 2, 3], cycleIds: [1, 2] }, rule);
          const departmentFigure = new Map(unfiltered.map((f) => [`${f.cycleId}:${f.dimensionId}:${f.departmentId}`, f.figure]));
          for (const filter of filters) {
            if (filterIsolatesTooFew(org.facts, filter, rule)) continue;
            // A filter chooses which figures to show, never what they are.
            for (const f of departmentTrends(org.facts, org.departments, filter, rule)) expect(f.figure).toEqual(departmentFigure.get(`${f.cycleId}:${f.dimensionId}:${f.departmentId}`));
          }
          for (const f of unfiltered) if (!f.figure.suppressed) obtain(f.cycleId, f.dimensionId, itemsOf(f.cycleId, f.dimensionId, (x) => x.departmentId === f.departmentId));

          for (const figures of obtained.values()) {
            for (const a of figures) {
              for (const b of figures) {
                const inside = [...a].every((id) => b.has(id));
                if (inside && b.size > a.size) expect(b.size - a.size).toBeGreaterThanOrEqual(org.minimum);
              }
            }
          }
          // A whole shown (a department; the organisation, as a department's parent) minus its parts
          // shown: nothing, everything, or at least the minimum.
          const leftOver = (whole: Set<number>, parts: Array<Set<number>>) => [...whole].filter((id) => !parts.some((p) => p.has(id))).length;
          for (const cycleId of [1, 2]) {
            for (const dimensionId of [1, 2, 3]) {
              const organisationItems = itemsOf(cycleId, dimensionId, () => true);
              const shownDepartments = org.departments.filter((d) => !departmentFigure.get(`${cycleId}:${dimensionId}:${d}`)!.suppressed).map((d) => itemsOf(cycleId, dimensionId, (f) => f.departmentId === d));
              const rest = leftOver(organisationItems, shownDepartments);
              expect(rest === 0 || rest === organisationItems.size || rest >= org.minimum).toBe(true);
              for (const departmentId of org.departments) {
                if (departmentFigure.get(`${cycleId}:${dimensionId}:${departmentId}`)!.suppressed) continue;
                const whole = itemsOf(cycleId, dimensionId, (f) => f.departmentId === departmentId);
                const parts = org.staff.filter((m) => m.departmentId === departmentId).flatMap((m) => staffShown.get(`${cycleId}:${dimensionId}:${m.id}`) ?? []);
                const hidden = leftOver(whole, parts);
                expect(hidden === 0 || hidden === whole.size || hidden >= org.minimum).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('when handling figures and item counts are shown for packets and departments, then none differs from another, nor a whole from its shown parts, by fewer than the minimum', () => {
    fc.assert(
      fc.property(denseOrganisation, (org) => {
        const rule = { minimumGroupSize: org.minimum };
        // One routed item per rating of the first dimension, none of them handled yet.
        const facts: HandlingFact[] = org.facts
          .filter((f) => f.dimensionId === 1)
          .map((f) => ({ staffMemberId: f.staffMemberId, departmentId: f.departmentId, cycleId: f.cycleId, acknowledgedAt: null, acknowledgeDueAt: 0, respondedAt: null, respondDueAt: 0, timeframeUpdatedAt: null, committedRespondAt: null }));
        for (const cycleId of [1, 2]) {
          const inCycle = facts.filter((f) => f.cycleId === cycleId);
          const departments = departmentHandling(facts, org.departments, [cycleId], rule, 1);
          const shownDepartments = departments.filter((d) => !d.figure.suppressed);
          const leftOver = (whole: number, shown: number) => whole - shown === 0 || shown === 0 || whole - shown >= org.minimum;
          expect(leftOver(inCycle.length, shownDepartments.reduce((sum, d) => sum + (d.figure.suppressed ? 0 : d.figure.items), 0))).toBe(true);
          for (const department of shownDepartments) {
            if (department.figure.suppressed) continue;
            const members = org.staff.filter((m) => m.departmentId === department.departmentId);
            let shownStaff = 0;
            let shownKinds = 0;
            for (const member of members) {
              // The packet's count of items by kind: the same items, so the same parts rule.
              const count = inCycle.filter((f) => f.staffMemberId === member.id).length;
              const kinds = staffKinds(facts, member.id, cycleId, count, rule, () => ({ total: count }));
              if (!kinds.suppressed) shownKinds += kinds.total;
              const figure = staffHandling(facts, member.id, cycleId, rule, 1);
              if (figure.suppressed) continue;
              // Every routed item is in the denominator: not yet handled, each is a miss.
              expect(figure.acknowledged).toEqual({ met: 0, decided: figure.items });
              expect(leftOver(department.figure.items, figure.items)).toBe(true);
              shownStaff += figure.items;
            }
            expect(leftOver(department.figure.items, shownStaff)).toBe(true);
            expect(leftOver(department.figure.items, shownKinds)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('when a cycle\'s period is given, then it is accepted only as its code\'s half-year (or left empty to follow the code)', () => {
    const day = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const code = fc.tuple(fc.integer({ min: 2025, max: 2027 }), fc.constantFrom('1', '2')).map(([year, half]) => `${year}-H${half}`);
    fc.assert(
      fc.property(code, fc.option(day, { nil: '' }), fc.option(day, { nil: '' }), fc.boolean(), fc.boolean(), (code, startsOn, endsOn, exactStart, exactEnd) => {
        const period = periodOfCode(code)!;
        const input = { code, startsOn: exactStart ? period.startsOn : startsOn, endsOn: exactEnd ? period.endsOn : endsOn, reviewOpensOn: '2028-01-01', reviewClosesOn: '2028-01-31', guidance: 'Guidance' };
        const parsed = CycleInputSchema.safeParse(input);
        const matches = (given: string, expected: string) => given === '' || given === expected;
        expect(parsed.success).toBe(matches(input.startsOn, period.startsOn) && matches(input.endsOn, period.endsOn));
        if (parsed.success) expect([parsed.data.startsOn, parsed.data.endsOn]).toEqual([period.startsOn, period.endsOn]);
      }),
      { numRuns: 300 },
    );
  });
});

describe(`frozen populations and periods that never overlap (${testDialect})`, () => {
  const clock = manualClock(Date.parse('2026-03-02T10:00:00Z'));
  const context = useTestApp({ clock });
  const knex = () => context.database.db.knex;

  it('when anyone moves (department or manager) after a period has ended, then none of its figures changes', async () => {
    const org = await reviewOrganisation(knex());
    const h1 = await reviewCycle(knex(), '2026-H1');
    // Enough ratings that trends and packets show figures: Policy 12, Engagement 9, Legal 6.
    const counts: Array<[keyof typeof org, number]> = [['s1', 7], ['s2', 5], ['s3', 6], ['s4', 3], ['s5', 6]];
    for (const [key, count] of counts) {
      for (let i = 0; i < count; i++) {
        clock.advance(60_000);
        await giveFeedback(context.app, knex(), (org[key] as { staffMemberId: number }).staffMemberId, { ratings: { listening: 1 + ((i * 3) % 5), consensus: 1 + (i % 5) } });
      }
    }
    clock.advance(Date.parse('2026-07-10T10:00:00Z') - clock.now());
    const hr = (await context.app.services.accounts.findActor(org.hr.id))!;
    const staff = [org.s1, org.s2, org.s3, org.s4, org.s5, org.m1, org.m2].map((s) => s.staffMemberId);
    const departments = [null, ...Object.values(org.departments).map((d) => d.id)];
    const figures = async () => ({
      // Counted again each time, so the property is about the counts, not the stored copy of the first.
      trends: await context.app.services.trends.refresh().then(() => context.app.services.trends.read({})).then((t) => ({ figures: t.figures, handling: t.handling })),
      packets: await Promise.all(staff.map(async (id) => {
        const p = await context.app.services.packets.packet(hr, h1, id);
        return { kinds: p.kinds, dimensions: p.dimensions, handling: p.handling };
      })),
    });
    const baseline = await figures();
    // The property would hold trivially if everything were withheld.
    expect(baseline.trends.figures.filter((f) => !f.figure.suppressed).length).toBeGreaterThan(0);
    expect(baseline.trends.handling.filter((f) => !f.figure.suppressed).length).toBeGreaterThan(0);
    expect(baseline.packets.flatMap((p) => p.dimensions).filter((d) => !d.current.suppressed).length).toBeGreaterThan(0);
    const directory = createDirectoryRepository(knex(), () => clock.now());
    const move = fc.record({ staff: fc.constantFrom(...staff), departmentId: fc.constantFrom(...departments), managerId: fc.option(fc.constantFrom(org.m1.staffMemberId, org.m2.staffMemberId, org.executive.staffMemberId), { nil: null }) });
    await fc.assert(
      fc.asyncProperty(fc.array(move, { minLength: 1, maxLength: 4 }), async (moves) => {
        for (const m of moves) await directory.updateStaff(m.staff, { departmentId: m.departmentId, managerId: m.managerId === m.staff ? null : m.managerId });
        await context.app.services.packets.freezeEndedPopulations();
        expect(await figures()).toEqual(baseline);
      }),
      { numRuns: 12 },
    );
  });

  it('when a new cycle\'s period would share a day with a stored one, then it is refused, and otherwise accepted', async () => {
    const hr = (await context.app.services.accounts.findActor((await factories(knex()).account({ roles: ['hr'] })).id))!;
    const cyclesRepository = createCyclesRepository(knex(), () => clock.now());
    const day = fc.integer({ min: 0, max: 2 * 366 }).map((n) => new Date(Date.UTC(2040, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    const code = fc.tuple(fc.integer({ min: 2040, max: 2041 }), fc.constantFrom('1', '2')).map(([year, half]) => `${year}-H${half}`);
    await fc.assert(
      fc.asyncProperty(fc.tuple(day, day), code, async ([a, b], code) => {
        // A cycle stored before periods had to match their codes, with any period.
        const [startsOn, endsOn] = a <= b ? [a, b] : [b, a];
        const legacy = await cyclesRepository.insertCycle({ code: '2039-H1', startsOn, endsOn, reviewOpensOn: endsOn, reviewClosesOn: endsOn, staffSeeUnreviewed: false, guidance: 'Old' }, knex());
        const period = periodOfCode(code)!;
        const overlaps = startsOn <= period.endsOn && endsOn >= period.startsOn;
        const input = CycleInputSchema.parse({ code, reviewOpensOn: '2042-01-01', reviewClosesOn: '2042-01-31', guidance: 'New' });
        const outcome = await context.app.services.reviewCycles.create(hr, input).then(
          (id) => ({ id }),
          (err: unknown) => ({ err }),
        );
        await knex()('review_cycles').whereIn('code', ['2039-H1', code]).delete();
        expect(legacy).toBeGreaterThan(0);
        if (overlaps) expect('err' in outcome && outcome.err instanceof ValidationError && outcome.err.fieldErrors.startsOn).toBe('reviews.errors.periodOverlaps');
        else expect('id' in outcome).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
