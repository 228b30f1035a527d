import request from 'supertest';
import { agentFor, createTestApp, csrfToken, postForm, signIn, useTestApp, manualClock } from '../../helpers/app';
import { factories } from '../../factories';
import { SESSION_COOKIE } from '../../../server/platform/auth/session';

function sessionIdFrom(setCookie: string[] | string | undefined): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const cookie = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return cookie?.split(';')[0]!.slice(SESSION_COOKIE.length + 1);
}

describe('sign-in, sessions and CSRF', () => {
  // A still clock: address pseudonyms change on the hour, which would reset throttle counters mid-test.
  const context = useTestApp({ clock: manualClock() });

  it('when the password is wrong or the e-mail unknown, then the answer is the same', async () => {
    const account = await factories(context.database.db.knex).account();
    const wrong = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: account.email, password: 'not the password' });
    const unknown = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: 'ghost@example.test', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/value="[^"]*@example.test"/g, '');
    expect(strip(wrong.text)).toBe(strip(unknown.text));
    expect(wrong.text).toContain('The e-mail address or password is not right.');
  });

  it('when five sign-ins have failed, then the sixth is refused even with the right password and a new X-Forwarded-For each time', async () => {
    const account = await factories(context.database.db.knex).account();
    for (let i = 1; i <= 5; i++) {
      const agent = agentFor(context.app);
      const token = await csrfToken(agent);
      const res = await agent.post('/sign-in').set('X-Forwarded-For', `203.0.113.${i}`).type('form').send({ email: account.email, password: `wrong ${i}`, _csrf: token });
      expect(res.status).toBe(401);
    }
    const agent = agentFor(context.app);
    const token = await csrfToken(agent);
    const sixth = await agent.post('/sign-in').set('X-Forwarded-For', '198.51.100.77').type('form').send({ email: account.email, password: account.password, _csrf: token });
    expect(sixth.status).toBe(429);
    expect(sixth.headers['retry-after']).toBeDefined();
    expect(sixth.text).toContain('Too many failed sign-ins');
    await agent.get('/account').expect(303);
  });

  it('when many wrong passwords arrive at once, then no more than five are checked and the account locks', async () => {
    const account = await factories(context.database.db.knex).account();
    const attempts = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const agent = agentFor(context.app);
        const token = await csrfToken(agent);
        return agent.post('/sign-in').type('form').send({ email: account.email, password: `parallel guess ${i}`, _csrf: token });
      }),
    );
    const statuses = attempts.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7);
    const right = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: account.email, password: account.password });
    expect(right.status).toBe(429);
  });

  it('when a session id is planted before sign-in, then sign-in issues a new one and the planted id stays anonymous', async () => {
    const account = await factories(context.database.db.knex).account();
    const attacker = agentFor(context.app);
    const first = await attacker.get('/sign-in');
    const planted = sessionIdFrom(first.headers['set-cookie']);
    expect(planted).toBeDefined();

    // The victim signs in carrying the attacker's session cookie.
    const token = (first.text.match(/name="_csrf" value="([^"]+)"/) ?? [])[1]!;
    const csrfCookie = (first.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('accountable.csrf='))!.split(';')[0];
    const signedIn = await request(context.app.app)
      .post('/sign-in')
      .set('Cookie', [`${SESSION_COOKIE}=${planted}`, csrfCookie!])
      .type('form')
      .send({ email: account.email, password: account.password, _csrf: token });
    expect(signedIn.status).toBe(303);
    const issued = sessionIdFrom(signedIn.headers['set-cookie']);
    expect(issued).toBeDefined();
    expect(issued).not.toBe(planted);

    // The attacker's planted id did not become signed in.
    await attacker.get('/account').expect(303);
    await request(context.app.app).get('/account').set('Cookie', `${SESSION_COOKIE}=${planted}`).expect(303);
    await request(context.app.app).get('/account').set('Cookie', `${SESSION_COOKIE}=${issued}`).expect(200);
  });

  it('when signing out, then the stored session is destroyed and its cookie no longer works', async () => {
    const account = await factories(context.database.db.knex).account();
    const agent = agentFor(context.app);
    const res = await signIn(agent, account.email, account.password);
    const sid = sessionIdFrom(res.headers['set-cookie'])!;
    await agent.get('/account').expect(200);
    const out = await postForm(agent, '/account', '/sign-out', {});
    expect(out.status).toBe(303);
    await request(context.app.app).get('/account').set('Cookie', `${SESSION_COOKIE}=${sid}`).expect(303);
  });

  it('when a form is posted without a CSRF token, or with a forged one, then it is refused with 403', async () => {
    const account = await factories(context.database.db.knex).account();
    const agent = agentFor(context.app);
    await agent.get('/sign-in');
    const missing = await agent.post('/sign-in').type('form').send({ email: account.email, password: account.password });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired');
    const forged = await agent.post('/sign-in').type('form').send({ email: account.email, password: account.password, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    // A token from another visitor's session does not work either.
    const otherToken = await csrfToken(agentFor(context.app));
    const stolen = await agent.post('/sign-in').type('form').send({ email: account.email, password: account.password, _csrf: otherToken });
    expect(stolen.status).toBe(403);
  });

  it('when a multipart form is posted, then only the upload route reads it, and it still needs a CSRF token', async () => {
    const hr = await factories(context.database.db.knex).account({ roles: ['hr'] });
    const agent = agentFor(context.app);
    await signIn(agent, hr.email, hr.password);
    await agent.get('/account');
    // A multipart post elsewhere is not parsed, so its token is never seen: refused.
    const elsewhere = await agent.post('/sign-out').field('_csrf', await csrfToken(agent, '/account'));
    expect(elsewhere.status).toBe(403);
    await agent.get('/account').expect(200);
    // The upload route refuses a file without a token, and takes one with it.
    const csv = Buffer.from('email,name\nupload@org.test,Uploaded\n');
    const noToken = await agent.post('/directory/import').attach('file', csv, 'staff.csv');
    expect(noToken.status).toBe(403);
    const withToken = await agent.post('/directory/import').field('_csrf', await csrfToken(agent, '/directory/import')).attach('file', csv, 'staff.csv');
    expect(withToken.status).toBe(200);
    expect(withToken.text).toContain('Import complete: 1 added');
  });

  it('when a signed-in page is served, then cookies are httpOnly and same-site, and the CSP allows no inline script', async () => {
    const account = await factories(context.database.db.knex).account();
    const agent = agentFor(context.app);
    const res = await signIn(agent, account.email, account.password);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(SESSION_COOKIE))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const page = await agent.get('/account');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.headers['x-frame-options']).toBeDefined();
  });

  it('when cookies are configured secure behind a trusted TLS proxy, then the session cookie carries the Secure flag', async () => {
    const secureApp = await createTestApp({ db: context.database.db, env: { COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' } });
    const res = await request(secureApp.app).get('/sign-in').set('X-Forwarded-Proto', 'https');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(SESSION_COOKIE))!;
    expect(cookie).toMatch(/;\s*Secure/i);
  });

  it('when signing in with a next path, then only paths on this site are followed', async () => {
    const account = await factories(context.database.db.knex).account();
    const good = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: account.email, password: account.password, next: '/account' });
    expect(good.headers.location).toBe('/account');
    const evil = await postForm(agentFor(context.app), '/sign-in', '/sign-in', { email: account.email, password: account.password, next: '//evil.example/' });
    expect(evil.headers.location).toBe('/');
  });
});
