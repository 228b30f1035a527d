import { seedScale, SCALE_INBOX_MANAGER } from '../../../server/demo/scale';
import { orderByDayThenRandom, whereVisible } from '../../../server/platform/privacy/times';
import { createTestApp, type TestApp } from '../../helpers/app';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { statementsOf } from '../../helpers/queries';

const NOW = Date.parse('2026-11-22T09:00:00Z');
const PAGE_SIZE = 20;

/**
 * The inbox's pages as the indexes find them (stored day, walked from the nearer end, total from
 * the per-status counts) against the query the inbox ran before: day computed per row, one count
 * and a plain LIMIT/OFFSET. Same items, same order, same totals, page by page.
 */
describe('inbox pages over a generated inbox', () => {
  let database: TestDatabase;
  let app: TestApp;
  let manager: number;
  const knex = () => database.db.knex;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedScale(database.db.knex, { scale: 0.01, now: NOW, passwordHashCost: 'low' });
    app = await createTestApp({ db: database.db, clock: { now: () => NOW } });
    manager = Number((await knex()('staff_members').where({ email: SCALE_INBOX_MANAGER }).first('id')).id);
    // Many items on one day, at different times: their order must come from the random id alone.
    const ids = (await knex()('routed_items').where({ recipient_staff_member_id: manager }).orderBy('id').limit(30).pluck('id')).map(Number);
    for (const [n, id] of ids.entries()) await knex()('routed_items').where({ id }).update({ received_at: Date.parse('2026-06-10T00:00:00Z') + n * 3_600_000 * 0.7 });
    // And some held back until after now: never listed nor counted.
    await knex()('routed_items').whereIn('id', ids.slice(0, 3)).update({ visible_at: NOW + 60_000 });
  });
  afterAll(() => database.destroy());

  /** The page and total as the inbox computed them before the inbox indexes (issue 13). */
  async function before(filter: { status?: string; subject?: number }, page: number) {
    const apply = (q: ReturnType<ReturnType<typeof knex>>) => {
      whereVisible(q.where('r.recipient_staff_member_id', manager), 'r.visible_at', NOW);
      if (filter.status) q.andWhere('r.status', filter.status);
      if (filter.subject) q.andWhere('r.subject_staff_member_id', filter.subject);
      return q;
    };
    const total = Number((await apply(knex()('routed_items as r')).count({ n: '*' }).first())!.n);
    const rows = await orderByDayThenRandom(apply(knex()('routed_items as r').select('r.public_id')), 'r.received_at', 'r.public_id').limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE);
    return { total, ids: rows.map((r: { public_id: string }) => String(r.public_id)) };
  }

  it('when every page is read, unfiltered, by status and by subject, then each holds the same items in the same order with the same total as before', async () => {
    const actor = (await app.services.accounts.findActor(Number((await knex()('accounts').where({ email: SCALE_INBOX_MANAGER }).first('id')).id)))!;
    const subjects = (await knex()('routed_items').where({ recipient_staff_member_id: manager }).distinct('subject_staff_member_id').pluck('subject_staff_member_id')).map(Number);
    const statuses = (await knex()('routed_items').where({ recipient_staff_member_id: manager }).distinct('status').pluck('status')).map(String);
    const filters: Array<{ status?: string; subject?: number }> = [{}, ...statuses.map((status) => ({ status })), ...subjects.map((subject) => ({ subject })), { status: statuses[0], subject: subjects[0] }];
    let compared = 0;
    for (const filter of filters) {
      const first = await before(filter, 1);
      // One page past the end too: empty, with the same total.
      for (let page = 1; page <= Math.ceil(first.total / PAGE_SIZE) + 1; page++) {
        const expected = await before(filter, page);
        const { page: got } = await app.services.inbox.list(actor, { status: filter.status as never, subjectStaffMemberId: filter.subject, page, pageSize: PAGE_SIZE });
        expect({ filter, page, total: got.total, ids: got.items.map((e) => e.item.publicId) }).toEqual({ filter, page, total: expected.total, ids: expected.ids });
        compared += got.items.length;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('when a deep page is read, then it runs as many statements as the first (counts, page, content, subjects)', async () => {
    const agentActor = (await app.services.accounts.findActor(Number((await knex()('accounts').where({ email: SCALE_INBOX_MANAGER }).first('id')).id)))!;
    const first = await statementsOf(knex(), () => app.services.inbox.list(agentActor, { page: 1, pageSize: PAGE_SIZE }));
    const last = await statementsOf(knex(), () => app.services.inbox.list(agentActor, { page: Math.ceil(first.result.page.total / PAGE_SIZE), pageSize: PAGE_SIZE }));
    expect(last.statements).toHaveLength(first.statements.length);
    // The total comes from the per-status counts: one pass over the inbox's index, not two.
    expect(first.statements.filter((sql) => sql.includes('count(*)'))).toHaveLength(1);
  });
});
