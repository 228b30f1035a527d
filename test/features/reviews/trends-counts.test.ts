import { RATING_POINTS, type HandlingFact, type TrendFilter } from '../../../server/features/reviews/aggregation';
import { handlingTallies } from '../../../server/features/service-levels';
import { periodOf } from '../../../server/features/reviews/packets.service';
import { seedScale } from '../../../server/demo/scale';
import { DEFAULT_MINIMUM_GROUP_SIZE, suppressionReason, TOO_FEW } from '../../../server/platform/privacy/aggregates';
import { guardedParts, handlingFacts as handlingFactsOf, ratingFacts, summariseParts, type RatingFact } from '../../helpers/reference-figures';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { statementsOf } from '../../helpers/queries';

const NOW = Date.parse('2026-11-22T09:00:00Z');
let now = NOW;

/**
 * HR's trends from ratings counted by the database against the trends as they were computed before
 * (issue 13): every rating read, grouped and summarised in the process. Same figures, same
 * suppression, same refusals, on a generated organisation.
 */
describe('trends from counted ratings', () => {
  let database: TestDatabase;
  let app: TestApp;
  const knex = () => database.db.knex;
  const rule = { minimumGroupSize: DEFAULT_MINIMUM_GROUP_SIZE };

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedScale(database.db.knex, { scale: 0.05, now: NOW, passwordHashCost: 'low' });
    app = await createTestApp({ db: database.db, clock: { now: () => now } });
    // Handling of every kind: done in time, late, never; due passed or still to come; timeframes given, kept or not.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pick = <T>(options: T[]) => options[Math.floor(random() * options.length)]!;
    const ids = (await knex()('routed_items').orderBy('id').pluck('id')).map(Number);
    for (const id of ids.filter((_, i) => i % 3 === 0)) {
      const due = pick([null, NOW - 86_400_000, NOW + 86_400_000]);
      const done = pick([null, NOW - 2 * 86_400_000, NOW - 3_600_000]);
      const timeframe = pick([null, null, NOW - 5 * 86_400_000]);
      await knex()('routed_items').where({ id }).update({ acknowledge_due_at: due, acknowledged_at: done, respond_due_at: pick([null, NOW - 86_400_000, NOW + 86_400_000]), responded_at: pick([null, NOW - 2 * 86_400_000, NOW]), timeframe_updated_at: timeframe, committed_respond_at: timeframe === null ? pick([null, NOW]) : pick([null, NOW - 86_400_000, NOW + 86_400_000]) });
    }
  });
  afterAll(() => database.destroy());

  /** The figures and refusal as computed before, from every rating fact and every routed item. */
  function before(facts: readonly RatingFact[], handlingFacts: readonly HandlingFact[], departments: readonly number[], filter: TrendFilter, at = NOW) {
    const inScope = facts.filter((f) => f.departmentId !== null && filter.cycleIds.includes(f.cycleId) && filter.dimensionIds.includes(f.dimensionId));
    const chosen = new Set(inScope.filter((f) => filter.departmentIds.includes(f.departmentId!)).map((f) => f.feedbackItemId)).size;
    const refused = filter.departmentIds.length > 0 && suppressionReason(chosen, { ...rule, parentSize: new Set(inScope.map((f) => f.feedbackItemId)).size }) !== null;
    const shown = filter.departmentIds.length ? departments.filter((d) => filter.departmentIds.includes(d)) : departments;
    const figures = filter.cycleIds.flatMap((cycleId) =>
      filter.dimensionIds.flatMap((dimensionId) => {
        const parts = new Map<number, number[]>();
        for (const f of facts) if (f.cycleId === cycleId && f.dimensionId === dimensionId && f.departmentId !== null) parts.set(f.departmentId, [...(parts.get(f.departmentId) ?? []), f.score]);
        const byDepartment = summariseParts(parts, RATING_POINTS, rule);
        return shown.map((departmentId) => ({ departmentId, dimensionId, cycleId, figure: byDepartment.get(departmentId) ?? TOO_FEW }));
      }),
    );
    const handling = filter.cycleIds.flatMap((cycleId) => {
      const parts = new Map<number, HandlingFact[]>();
      for (const f of handlingFacts) if (f.cycleId === cycleId && f.departmentId !== null) parts.set(f.departmentId, [...(parts.get(f.departmentId) ?? []), f]);
      const byDepartment = guardedParts(parts, rule, (items) => ({ items: items.length, ...handlingTallies(items, at) }));
      return shown.map((departmentId) => ({ departmentId, cycleId, figure: byDepartment.get(departmentId) ?? TOO_FEW }));
    });
    return { refused, figures: refused ? [] : figures, handling: refused ? [] : handling };
  }

  it('when HR reads the trends, unfiltered and filtered by departments, dimensions and cycles, then figures and refusals are those computed from every rating', async () => {
    const trends = app.services.trends;
    const unfiltered = await trends.read({});
    const facts = (await Promise.all(unfiltered.cycles.map((c) => ratingFacts(knex(), periodOf(c), c.id)))).flat();
    const handlingFacts = (await Promise.all(unfiltered.cycles.map((c) => handlingFactsOf(knex(), periodOf(c), c.id)))).flat();
    expect(facts.length).toBeGreaterThan(1000);
    const departments = unfiltered.departments.map((d) => d.id);
    const dimensions = unfiltered.dimensions.map((d) => d.id);
    const cycles = unfiltered.cycles.map((c) => c.id);
    const filters: TrendFilter[] = [
      { departmentIds: [], dimensionIds: dimensions, cycleIds: cycles },
      { departmentIds: departments.slice(0, 1), dimensionIds: dimensions, cycleIds: cycles },
      { departmentIds: departments.slice(0, 2), dimensionIds: dimensions.slice(0, 2), cycleIds: cycles.slice(-1) },
      { departmentIds: departments.slice(1), dimensionIds: dimensions.slice(0, 1), cycleIds: cycles.slice(0, 2) },
      { departmentIds: departments, dimensionIds: dimensions.slice(2, 5), cycleIds: cycles },
    ];
    const outcomes = new Set<string>();
    for (const filter of filters) {
      const got = await trends.read(filter);
      const expected = before(facts, handlingFacts, departments, filter);
      expect({ filter, refused: got.refused, figures: got.figures, handling: got.handling }).toEqual({ filter, ...expected });
      for (const f of got.figures) outcomes.add(f.figure.suppressed ? f.figure.reason : 'shown');
      for (const h of got.handling) if (!h.figure.suppressed) outcomes.add(`handling ${h.figure.acknowledged.decided > h.figure.acknowledged.met ? 'missed' : 'met'}`);
      if (got.refused) outcomes.add('refused');
    }
    // The comparison covers shown figures and withheld ones.
    expect([...outcomes]).toEqual(expect.arrayContaining(['shown', 'too_few', 'handling missed']));
  });

  it('when HR reads the trends, then the request reads the counts the job stored, never a rating, an item or a routed item', async () => {
    await app.services.trends.read({});
    const { result, statements } = await statementsOf(knex(), () => app.services.trends.read({ departmentIds: [], dimensionIds: [], cycleIds: [] }));
    expect(result.figures.length).toBeGreaterThan(0);
    expect(statements.filter((sql) => /feedback_ratings|feedback_items|routed_items/.test(sql))).toEqual([]);
    expect(statements.length).toBeLessThanOrEqual(5);
  });

  it('when the job counts, then each statement over ratings or routed items covers one department of one cycle, and the ratings are counted once', async () => {
    const departments = new Set((await knex()('cycle_population_members').whereNotNull('department_id').distinct('department_id').pluck('department_id')).map(Number));
    await knex()('trend_figures').delete();
    const first = await statementsOf(knex(), () => app.services.trends.refresh());
    const { statements, bindings } = await statementsOf(knex(), () => app.services.trends.refresh());
    // Counted again, only the handling: an ended cycle's ratings are kept from the first count.
    expect(first.statements.filter((sql) => sql.includes('feedback_ratings')).length).toBeGreaterThanOrEqual(departments.size);
    expect(statements.filter((sql) => sql.includes('feedback_ratings'))).toEqual([]);
    const counting = [first.statements, statements].flatMap((run, r) => run.flatMap((sql, i) => (/feedback_ratings|routed_items/.test(sql) ? [{ sql, bindings: (r === 0 ? first.bindings : bindings)[i]! }] : [])));
    expect(counting.length).toBeGreaterThan(departments.size);
    for (const { sql, bindings: values } of counting) {
      expect(sql).toMatch(/`?p`?\.`?department_id`? = \?/);
      expect(values.some((v) => departments.has(Number(v)))).toBe(true);
    }
  });

  it('when routed items are handled after the count, then readers see the counted figures, with their time, until the job counts again', async () => {
    const before0 = await app.services.trends.read({});
    expect(before0.computedAt).toBe(NOW);
    const cycle = before0.cycles.at(-1)!;
    const { from, to } = periodOf(cycle);
    const late = await knex()('routed_items as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').where('f.created_at', '>=', from).andWhere('f.created_at', '<', to).whereNull('r.acknowledged_at').limit(40).pluck('r.id');
    expect(late.length).toBeGreaterThan(0);
    await knex()('routed_items').whereIn('id', late).update({ acknowledge_due_at: NOW - 2 * 86_400_000, acknowledged_at: NOW - 86_400_000 });

    now = NOW + 3_600_000;
    const unchanged = await app.services.trends.read({});
    expect({ computedAt: unchanged.computedAt, handling: unchanged.handling }).toEqual({ computedAt: NOW, handling: before0.handling });

    await app.jobRegistry.runOnce('trends');
    const recounted = await app.services.trends.read({});
    expect(recounted.computedAt).toBe(now);
    const facts = (await Promise.all(recounted.cycles.map((c) => ratingFacts(knex(), periodOf(c), c.id)))).flat();
    const handlingFacts = (await Promise.all(recounted.cycles.map((c) => handlingFactsOf(knex(), periodOf(c), c.id)))).flat();
    const filter = { departmentIds: [], dimensionIds: recounted.dimensions.map((d) => d.id), cycleIds: recounted.cycles.map((c) => c.id) };
    expect(recounted.handling).toEqual(before(facts, handlingFacts, recounted.departments.map((d) => d.id), filter, now).handling);
    expect(recounted.handling).not.toEqual(before0.handling);
  });
});
