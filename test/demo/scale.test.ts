import { countsFor, seedScale, SCALE_INBOX_MANAGER, SCALE_PASSWORD, type ScaleSummary } from '../../server/demo/scale';
import { NOTIFICATION_DELAY_MINUTES } from '../../server/platform/privacy/times';
import { createTestApp, signedIn, type TestApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const SCALE = 0.01;
const NOW = Date.parse('2026-11-22T09:00:00Z');

describe('generated organisation (seed:scale)', () => {
  let database: TestDatabase;
  let summary: ScaleSummary;
  let app: TestApp;
  const counts = countsFor(SCALE);
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await database.db.knex(table).where(where).count({ n: '*' }).first())!.n);

  beforeAll(async () => {
    database = await createTestDatabase();
    summary = await seedScale(database.db.knex, { scale: SCALE, now: NOW, passwordHashCost: 'low' });
    app = await createTestApp({ db: database.db, clock: { now: () => NOW } });
  });
  afterAll(() => database.destroy());

  it('when asked for a scale, then every count is that share of scale 1, and scale 10 is ten times scale 1', () => {
    expect(countsFor(1)).toEqual({ staff: 400, managers: 60, communityMembers: 20_000, feedbackItems: 100_000, cycles: 6, surveys: 200, surveyResponses: 20_000, inboxItems: 10_000 });
    const ten = countsFor(10);
    expect(ten).toEqual({ staff: 4000, managers: 600, communityMembers: 200_000, feedbackItems: 1_000_000, cycles: 6, surveys: 2000, surveyResponses: 200_000, inboxItems: 100_000 });
    expect(counts).toMatchObject({ communityMembers: 200, feedbackItems: 1000, surveys: 2, surveyResponses: 200, inboxItems: 100 });
  });

  it('when generated, then the tables hold exactly the counts, and closed cycles have their frozen populations', async () => {
    expect(await count('staff_members')).toBe(counts.staff);
    expect(await count('account_roles', { role: 'member' })).toBe(counts.communityMembers);
    expect(await count('feedback_items')).toBe(counts.feedbackItems);
    expect(await count('routed_items')).toBe(counts.feedbackItems);
    expect(await count('surveys', { status: 'closed' })).toBe(counts.surveys);
    expect(await count('survey_responses')).toBe(counts.surveyResponses);
    expect(await count('survey_invitations', { has_responded: true })).toBe(counts.surveyResponses);
    const cycles = await database.db.knex('review_cycles').select('id', 'status').orderBy('starts_on');
    expect(cycles.map((c) => c.status)).toEqual(['closed', 'closed', 'closed', 'closed', 'closed', 'open']);
    for (const cycle of cycles) expect(await count('cycle_population_members', { cycle_id: cycle.id })).toBe(cycle.status === 'closed' ? counts.staff : 0);
  });

  it('when generated, then anonymous items have no identity, the others have one, and all three modes are there', async () => {
    const byMode = await database.db.knex('feedback_items as f').leftJoin('feedback_identities as i', 'i.feedback_item_id', 'f.id').groupBy('f.attribution').select('f.attribution', database.db.knex.raw('count(*) as items'), database.db.knex.raw('count(i.feedback_item_id) as identities'), database.db.knex.raw('count(f.receipt_code_hash) as receipts'));
    const mode = (a: string) => byMode.find((r) => r.attribution === a)!;
    expect(Number(mode('anonymous').identities)).toBe(0);
    expect(Number(mode('anonymous').receipts)).toBe(Number(mode('anonymous').items));
    for (const a of ['named', 'confidential']) {
      expect(Number(mode(a).identities)).toBe(Number(mode(a).items));
      expect(Number(mode(a).receipts)).toBe(0);
    }
    expect(byMode.reduce((sum, r) => sum + Number(r.items), 0)).toBe(counts.feedbackItems);
  });

  it('when generated, then references and public ids are random codes, and unattributed items show only after their delay', async () => {
    const rows = await database.db.knex('routed_items as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').select('f.reference', 'r.public_id', 'f.attribution', 'r.received_at', 'r.visible_at', 'r.acknowledge_due_at', 'r.respond_due_at');
    const { min, max } = NOTIFICATION_DELAY_MINUTES;
    for (const r of rows) {
      expect(r.reference).toMatch(/^F-\d{4}-[0-9A-Z]{8}$/);
      expect(r.public_id).toMatch(/^[0-9A-Z]{12}$/);
      const delay = (Number(r.visible_at) - Number(r.received_at)) / 60_000;
      if (r.attribution === 'named') expect(delay).toBe(0);
      else expect(delay >= min && delay <= max).toBe(true);
      expect(Number(r.acknowledge_due_at)).toBeGreaterThan(Number(r.received_at));
      expect(Number(r.respond_due_at)).toBeGreaterThan(Number(r.acknowledge_due_at));
      expect(Number(r.received_at)).toBeLessThan(NOW);
    }
    // Ids in insertion order would be sequential; random ones sort differently from it.
    const references = rows.map((r) => String(r.reference).slice(7));
    expect(references).not.toEqual([...references].sort());
  });

  it('when generated, then every item went where the routing rules send it, and the inbox manager received the inbox share', async () => {
    expect(await count('routed_items', { recipient_staff_member_id: summary.inboxManagerStaffId })).toBe(counts.inboxItems);
    const pairs = await database.db.knex('routed_items').distinct('subject_staff_member_id', 'recipient_staff_member_id');
    for (const pair of pairs) {
      const decided = await app.services.routing.decideRecipient({ subjectStaffMemberId: Number(pair.subject_staff_member_id), kind: 'appreciation', escalationRequested: false });
      expect(decided?.recipientStaffMemberId).toBe(Number(pair.recipient_staff_member_id));
    }
  });

  it('when generated, then survey responses carry only the day they were sent and answer every question of the template', async () => {
    const responses = await database.db.knex('survey_responses').select('submitted_on', 'answers');
    for (const r of responses) expect(r.submitted_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const survey = await database.db.knex('surveys').first('id');
    const { results } = await app.services.surveys.results(await hrActor(), Number(survey.id));
    expect(results.responses).toBe(counts.surveyResponses / counts.surveys);
    expect(results.questions.length).toBeGreaterThan(5);
  });

  it("when the inbox manager signs in, then the app renders their inbox and a report's packet from the last closed cycle", async () => {
    const manager = await signedIn(app, { email: SCALE_INBOX_MANAGER, password: SCALE_PASSWORD });
    const inbox = await manager.get('/inbox').expect(200);
    expect(inbox.text).toMatch(/F-\d{4}-[0-9A-Z]{8}/);
    const cycle = await database.db.knex('review_cycles').where({ id: summary.cycleIds[summary.cycleIds.length - 2] }).first('id', 'starts_on', 'ends_on');
    const [from, to] = [Date.parse(`${cycle.starts_on}T00:00:00Z`), Date.parse(`${cycle.ends_on}T00:00:00Z`) + 86_400_000];
    const subject = await database.db.knex('routed_items as r').join('feedback_items as f', 'f.id', 'r.feedback_item_id').where('r.recipient_staff_member_id', summary.inboxManagerStaffId).andWhere('f.created_at', '>=', from).andWhere('f.created_at', '<', to)
      .groupBy('f.staff_member_id').orderBy('items', 'desc').first('f.staff_member_id', database.db.knex.raw('count(*) as items'));
    expect(Number(subject.items)).toBeGreaterThanOrEqual(5);
    const packet = await manager.get(`/reviews/${cycle.id}/packets/${subject.staff_member_id}`).expect(200);
    expect(packet.text).toContain(`data-figure="total">${Number(subject.items)}<`);
  });

  async function hrActor() {
    const account = await database.db.knex('account_roles').where({ role: 'hr' }).first('account_id');
    return (await app.services.accounts.findActor(Number(account.account_id)))!;
  }
});
