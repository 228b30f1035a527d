import { agentFor, signedIn, useTestApp } from '../../helpers/app';
import { testDialect } from '../../helpers/database';
import { feedbackOrganisation } from '../../helpers/feedback';
import { statementsOf } from '../../helpers/queries';

describe(`a session and its signed-in account are read in one statement (${testDialect})`, () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  let org: Awaited<ReturnType<typeof feedbackOrganisation>>;

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
  });

  /** The stored session the account is signed in to. */
  async function sessionOf(accountId: number): Promise<string> {
    const rows = await knex()('sessions').select('sid', 'sess');
    const row = rows.find((r) => JSON.parse(String(r.sess)).passport?.user === accountId);
    if (!row) throw new Error(`no session of account ${accountId}`);
    return String(row.sid);
  }

  it('when anyone signed in opens a page, then one statement reads the session and the account, giving the actor the account look-up gives', async () => {
    for (const who of [org.member, org.staff, org.manager, org.executive, org.complaints, org.hr, org.admin]) {
      const agent = await signedIn(context.app, who);
      const { statements } = await statementsOf(knex(), () => agent.get('/feedback/new').expect(200));
      expect(statements.filter((sql) => /\b(sessions|accounts)\b/.test(sql))).toEqual([expect.stringMatching(/^select s\.sess, .* from sessions s left join accounts a /)]);

      const read = await context.app.services.accounts.sessionWithActor(await sessionOf(who.id), new Date());
      expect(read?.actor).toEqual(await context.app.services.accounts.findActor(who.id));
      expect(read?.actor?.roles.length).toBeGreaterThan(0);
    }
  });

  it('when a session holds no sign-in, then it is read without an account', async () => {
    const visitor = agentFor(context.app);
    await visitor.get(`/feedback/new?staff=${org.staff.staffMemberId}`).expect(200);
    const row = (await knex()('sessions').select('sid', 'sess')).find((r) => !('passport' in JSON.parse(String(r.sess))))!;
    const read = await context.app.services.accounts.sessionWithActor(String(row.sid), new Date());
    expect(read).toEqual({ sess: JSON.parse(String(row.sess)) });
  });

  it('when a role is granted, verification is withdrawn or the session has expired, then the next request sees it', async () => {
    const member = await signedIn(context.app, org.member);
    await member.get('/admin/accounts').expect(403);
    await knex()('account_roles').insert({ account_id: org.member.id, role: 'admin' });
    await member.get('/admin/accounts').expect(200);
    await knex()('account_roles').where({ account_id: org.member.id, role: 'admin' }).delete();
    await member.get('/admin/accounts').expect(403);

    const staff = await signedIn(context.app, org.staff);
    await staff.get('/feedback/mine').expect(200);
    await knex()('accounts').where({ id: org.staff.id }).update({ email_verified_at: null });
    expect((await staff.get('/feedback/mine')).status).toBe(303);
    expect(await context.app.services.accounts.sessionWithActor(await sessionOf(org.staff.id), new Date())).toMatchObject({ actor: null });

    const hr = await signedIn(context.app, org.hr);
    const sid = await sessionOf(org.hr.id);
    expect((await context.app.services.accounts.sessionWithActor(sid, new Date()))?.actor?.accountId).toBe(org.hr.id);
    // Stored expiry is eight hours ahead: a moment past it reads nothing.
    expect(await context.app.services.accounts.sessionWithActor(sid, new Date(Date.now() + 9 * 3600_000))).toBeUndefined();
    await hr.get('/feedback/mine').expect(200);
  });
});
