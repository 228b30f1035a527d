import request from 'supertest';
import { agentFor, csrfTokenFrom, signedIn, useTestApp } from '../../helpers/app';
import { feedbackOrganisation, submitFeedback } from '../../helpers/feedback';

const COOKIELESS_READS = ['/', '/healthz', '/public/css/app.css', '/service-levels', '/service-levels.json', '/complaints/register', '/complaints/register.json', '/complaints/report', '/no-such-page', '/inbox'];

describe('sessions are stored only when needed', () => {
  const context = useTestApp();
  const knex = () => context.database.db.knex;
  const sessionRows = async () => Number((await knex()('sessions').count({ n: '*' }).first())!.n);
  let org: Awaited<ReturnType<typeof feedbackOrganisation>>;

  beforeAll(async () => {
    org = await feedbackOrganisation(knex());
  });

  it('when visitors without a cookie read public pages, health, static files and public JSON, then no session row is created and no cookie is set', async () => {
    const before = await sessionRows();
    for (let round = 0; round < 3; round++) {
      for (const path of COOKIELESS_READS) {
        const res = await request(context.app.app).get(path);
        expect({ path, setCookie: res.headers['set-cookie'] }).toEqual({ path, setCookie: undefined });
      }
    }
    expect(await sessionRows()).toBe(before);
  });

  it('when a visitor opens a form, then a session is stored for its token, and the form works end to end', async () => {
    const before = await sessionRows();
    const visitor = agentFor(context.app);
    const { res } = await submitFeedback(visitor, org.staff.staffMemberId!, { attribution: 'anonymous', comment: 'Sent without signing in.' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-testid="receipt-code"');
    expect(await sessionRows()).toBe(before + 1);
  });

  it('when a signed-in page has several forms, then they share one token that the server accepts', async () => {
    const member = await signedIn(context.app, org.member);
    const page = await member.get('/feedback/new');
    const tokens = new Set([...page.text.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]));
    expect(tokens.size).toBe(1);
    const out = await member.post('/sign-out').type('form').send({ _csrf: csrfTokenFrom(page.text) });
    expect(out.status).toBe(303);
  });
});
