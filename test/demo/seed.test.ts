import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { agentFor, createTestApp, signIn } from '../helpers/app';
import { DEMO_PASSWORD, DEMO_SIGN_INS, DemoRefusedError, seedDemoOrganisation } from '../../server/demo/seed';
import { seedDemoFeedback } from '../../server/demo/feedback';
import { seedDemoSurveys } from '../../server/demo/surveys';
import { seedDemoReviews } from '../../server/demo/reviews';

describe('demo organisation', () => {
  let database: TestDatabase;
  const clock = { now: () => Date.now() };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.destroy());

  it('when NODE_ENV is production, then seeding is refused and writes nothing', async () => {
    await expect(seedDemoOrganisation(database.db.knex, clock, { env: 'production', passwordHashCost: 'low' })).rejects.toThrow(DemoRefusedError);
    expect(await database.db.knex('staff_members').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('when seeded, then about 40 staff form one chain per executive and every demo role can sign in', async () => {
    expect(await seedDemoOrganisation(database.db.knex, clock, { env: 'development', passwordHashCost: 'low' })).toBe('created');
    const staff = await database.db.knex('staff_members').select('id', 'manager_id', 'is_executive', 'department_id');
    expect(staff.length).toBeGreaterThanOrEqual(38);
    expect(staff.length).toBeLessThanOrEqual(45);
    expect(staff.filter((s) => s.manager_id === null)).toHaveLength(1);
    expect(staff.filter((s) => Number(s.is_executive) === 1).length).toBeGreaterThanOrEqual(3);
    expect(new Set(staff.map((s) => s.department_id)).size).toBeGreaterThanOrEqual(8);
    const members = await database.db.knex('account_roles').where({ role: 'member' });
    expect(members.length).toBeGreaterThanOrEqual(5);

    const app = await createTestApp({ db: database.db });
    const expectedRole: Record<string, string> = {
      'admin@demo.example': 'Administrator',
      'admin2@demo.example': 'Administrator',
      'hr@demo.example': 'Human resources',
      'executive@demo.example': 'Executive',
      'manager@demo.example': 'People manager',
      'staff@demo.example': 'Staff member',
      'complaints@demo.example': 'Complaints officer',
      'member@demo.example': 'Community member',
    };
    expect(DEMO_SIGN_INS.map((s) => s.email).sort()).toEqual(Object.keys(expectedRole).sort());
    for (const { email } of DEMO_SIGN_INS) {
      const agent = agentFor(app);
      await signIn(agent, email, DEMO_PASSWORD);
      const page = await agent.get('/account').expect(200);
      expect(page.text).toContain(expectedRole[email]);
    }
  });

  it('when demo feedback is seeded, then the demo manager and executive have items in their inboxes, once', async () => {
    const app = await createTestApp({ db: database.db });
    expect(await seedDemoFeedback(database.db.knex, app.services)).toBe('created');
    expect(await seedDemoFeedback(database.db.knex, app.services)).toBe('already-present');
    const manager = agentFor(app);
    await signIn(manager, 'manager@demo.example', DEMO_PASSWORD);
    const inbox = await manager.get('/inbox.json').expect(200);
    expect(inbox.body.total).toBe(3);
    expect(inbox.body.counts).toEqual({ received: 2, responded: 1 });
    const executive = agentFor(app);
    await signIn(executive, 'executive@demo.example', DEMO_PASSWORD);
    // The escalated item went one level above the usual recipient.
    expect((await executive.get('/inbox.json')).body.total).toBe(1);
    expect(await database.db.knex('feedback_items').count({ n: '*' }).first()).toEqual({ n: 4 });
  });

  it('when demo surveys are seeded, then the demo member has an invitation to a working group\'s open assessment, once', async () => {
    const app = await createTestApp({ db: database.db });
    expect(await seedDemoSurveys(database.db.knex, app.services, '2026-11-22')).toBe('created');
    expect(await seedDemoSurveys(database.db.knex, app.services, '2026-11-22')).toBe('already-present');
    const [survey] = await database.db.knex('surveys').select('status', 'working_group_id');
    expect(survey.status).toBe('open');
    const invitation = await database.db.knex('outbox_messages').select('body_text').where({ to_address: 'member@demo.example', template: 'survey-invitation' }).first();
    const path = (invitation.body_text as string).match(/\/s\/[A-Za-z0-9_-]{43}/)![0];
    const page = await agentFor(app).get(path).expect(200);
    expect(page.text).toContain('Transfer Policy Review PDP');
    expect(await database.db.knex('survey_staff').where({ survey_id: (await database.db.knex('surveys').first()).id })).toHaveLength(2);
  });

  it('when demo reviews are seeded, then the demo manager opens the current half-year\'s packet with its comments, its figures waiting for the period to end, once', async () => {
    const app = await createTestApp({ db: database.db });
    expect(await seedDemoReviews(database.db.knex, app.services, '2026-11-22')).toBe('created');
    expect(await seedDemoReviews(database.db.knex, app.services, '2026-11-22')).toBe('already-present');
    const cycles = await database.db.knex('review_cycles').select('id', 'code', 'status').orderBy('code');
    expect(cycles.map((c) => [c.code, c.status])).toEqual([
      ['2026-H1', 'closed'],
      ['2026-H2', 'open'],
    ]);
    const staffId = Number((await database.db.knex('staff_members').where({ email: 'staff@demo.example' }).first()).id);
    const manager = agentFor(app);
    await signIn(manager, 'manager@demo.example', DEMO_PASSWORD);
    const packet = await manager.get(`/reviews/${cycles[1].id}/packets/${staffId}`).expect(200);
    expect(packet.text).toContain('data-testid="not-final"');
    expect(packet.text).toContain('Explains the policy history patiently to newcomers.');
  });

  it('when seeded twice, then the second run changes nothing', async () => {
    const before = await database.db.knex('staff_members').count({ n: '*' }).first();
    expect(await seedDemoOrganisation(database.db.knex, clock, { env: 'development', passwordHashCost: 'low' })).toBe('already-present');
    expect(await database.db.knex('staff_members').count({ n: '*' }).first()).toEqual(before);
  });
});
