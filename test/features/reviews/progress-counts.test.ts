import { seedScale } from '../../../server/demo/scale';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

const NOW = Date.parse('2026-11-22T09:00:00Z');

/** HR's progress counted per department and manager by the database, against the per-staff tally it replaced (issue 13). */
describe("HR's progress from counts", () => {
  let database: TestDatabase;
  let app: TestApp;
  const knex = () => database.db.knex;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedScale(database.db.knex, { scale: 0.05, now: NOW, passwordHashCost: 'low' });
    app = await createTestApp({ db: database.db, clock: { now: () => NOW } });
  });
  afterAll(() => database.destroy());

  /** The progress as computed before: every community-facing staff member, their review, their manager's name. */
  async function before(cycleId: number) {
    const facing = await knex()('staff_members as s').leftJoin('departments as d', 'd.id', 's.department_id').where('s.community_facing', true).select('s.id', 's.manager_id', 'd.name as department_name');
    const reviewed = new Set((await knex()('packet_reviews').where({ cycle_id: cycleId }).pluck('staff_member_id')).map(Number));
    const names = new Map((await knex()('staff_members').select('id', 'name')).map((m) => [Number(m.id), String(m.name)]));
    const tally = (key: (s: (typeof facing)[number]) => string) => {
      const groups = new Map<string, { name: string; total: number; reviewed: number }>();
      for (const s of facing) {
        const g = groups.get(key(s)) ?? { name: key(s), total: 0, reviewed: 0 };
        g.total++;
        if (reviewed.has(Number(s.id))) g.reviewed++;
        groups.set(key(s), g);
      }
      return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
    };
    return {
      total: facing.length,
      reviewed: facing.filter((s) => reviewed.has(Number(s.id))).length,
      byDepartment: tally((s) => (s.department_name == null ? '' : String(s.department_name))),
      byManager: tally((s) => (s.manager_id == null ? '' : (names.get(Number(s.manager_id)) ?? ''))),
    };
  }

  it('when some packets are reviewed and some staff have no department or manager, then totals and tallies are those of the per-staff count', async () => {
    const [cycleId] = (await knex()('review_cycles').orderBy('starts_on', 'desc').pluck('id')).map(Number);
    const facing = (await knex()('staff_members').where({ community_facing: true }).orderBy('id').pluck('id')).map(Number);
    expect(facing.length).toBeGreaterThan(10);
    await knex()('staff_members').where({ id: facing[0] }).update({ department_id: null });
    await knex()('staff_members').where({ id: facing[1] }).update({ manager_id: null });
    for (const id of facing.filter((_, i) => i % 3 === 0)) await knex()('packet_reviews').insert({ cycle_id: cycleId, staff_member_id: id, reviewed_by_account_id: null, reviewed_at: NOW, notes: '' });
    const got = await app.services.packets.progress(cycleId!);
    const expected = await before(cycleId!);
    expect({ total: got.total, reviewed: got.reviewed, byDepartment: got.byDepartment, byManager: got.byManager }).toEqual(expected);
    expect(expected.reviewed).toBeGreaterThan(0);
    expect(expected.byManager.some((g) => g.name === '')).toBe(true);
  });
});
