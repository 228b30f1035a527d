import { agentFor, csrfToken, deliverAll, manualClock, useTestApp, type Agent } from '../../helpers/app';
import { linkIn } from '../../helpers/mail';
import { factories } from '../../factories';
import { DEVICE_COOKIE } from '../../../server/features/accounts/accounts.routes';
import {
  FAILURE_NOTICE_WINDOW_MS,
  FAILURE_WINDOW_MS,
  FAILURES_PER_DEVICE,
  FREE_FAILURES_PER_NETWORK,
  MAX_NETWORK_PAUSE_MS,
  UNTRUSTED_FAILURES_PER_ACCOUNT,
} from '../../../server/features/accounts/sign-in.service';
import { digestToken } from '../../../server/platform/auth/tokens';

const FAILURES_SUBJECT = 'Failed sign-ins to your Accountable account';

describe('lockouts that do not lock out the owner', () => {
  // Address pseudonyms change on the hour; the clock starts early in one and moves by minutes.
  const clock = manualClock(Date.parse('2026-12-01T09:00:00Z'));
  const pauses: number[] = [];
  // Behind a trusted proxy, so each request can come from the network the test names.
  const context = useTestApp({ smtp: true, clock, env: { TRUST_PROXY: 'loopback' }, pause: async (ms) => void pauses.push(ms) });
  const knex = () => context.database.db.knex;

  async function attempt(agent: Agent, from: string, email: string, password: string) {
    const token = await csrfToken(agent);
    return agent.post('/sign-in').set('X-Forwarded-For', from).type('form').send({ email, password, _csrf: token });
  }

  /** A browser that has signed in to the account once (and signed out again), keeping its device cookie. */
  async function knownBrowser(who: { email: string; password: string }, from: string): Promise<Agent> {
    const agent = agentFor(context.app);
    expect((await attempt(agent, from, who.email, who.password)).status).toBe(303);
    const token = await csrfToken(agent, '/account');
    await agent.post('/sign-out').type('form').send({ _csrf: token }).expect(303);
    return agent;
  }

  async function mailsTo(email: string) {
    await deliverAll(context.app);
    return context.smtp.to(email).filter((m) => m.subject === FAILURES_SUBJECT);
  }

  it('when a sign-in succeeds, then the browser gets a long-lived HttpOnly device cookie of which the database keeps only a digest', async () => {
    const owner = await factories(knex()).account();
    const res = await attempt(agentFor(context.app), '192.0.2.10', owner.email, owner.password);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${DEVICE_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Path=\/sign-in/);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(Number(cookie.match(/Max-Age=(\d+)/)![1])).toBeGreaterThan(300 * 86_400);
    const token = decodeURIComponent(cookie.split(';')[0]!.slice(DEVICE_COOKIE.length + 1));
    const rows = await knex()('sign_in_devices').where({ account_id: owner.id });
    expect(rows.map((r) => r.token_hash)).toEqual([digestToken(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);

    // Each sign-in replaces the cookie, so a copy of an old one earns nothing.
    const again = agentFor(context.app);
    again.jar.setCookie(`${DEVICE_COOKIE}=${token}; Path=/sign-in`);
    await attempt(again, '192.0.2.10', owner.email, owner.password);
    expect((await knex()('sign_in_devices').where({ account_id: owner.id })).map((r) => r.token_hash)).not.toContain(digestToken(token));
  });

  it('when guesses lock the account, then the owner still signs in from a known browser while strangers and the known browser past its own budget stay refused, and the owner gets one e-mail', async () => {
    const owner = await factories(knex()).account();
    await knex()('accounts').where({ id: owner.id }).update({ locale: 'fr' });
    const known = await knownBrowser(owner, '198.51.100.7');

    // Guesses from many networks, each a new client: the first few are checked, then refused unchecked.
    const guesses = [];
    for (let i = 1; i <= 12; i++) guesses.push((await attempt(agentFor(context.app), `203.0.${i}.9`, owner.email, `guess ${i}`)).status);
    expect(guesses).toEqual([...Array(UNTRUSTED_FAILURES_PER_ACCOUNT).fill(401), ...Array(12 - UNTRUSTED_FAILURES_PER_ACCOUNT).fill(429)]);
    // A stranger with the right password is refused too: it could be the attacker.
    const stranger = await attempt(agentFor(context.app), '198.51.100.8', owner.email, owner.password);
    expect(stranger.status).toBe(429);
    expect(stranger.headers['retry-after']).toBeDefined();

    // The owner's browser is not locked out, and signs in again after each failure of its own.
    expect((await attempt(known, '198.51.100.7', owner.email, owner.password)).status).toBe(303);
    await known.get('/account').expect(200);
    await known.post('/sign-out').type('form').send({ _csrf: await csrfToken(known, '/account') });
    expect((await attempt(known, '198.51.100.7', owner.email, 'a typo')).status).toBe(401);
    expect((await attempt(known, '198.51.100.7', owner.email, owner.password)).status).toBe(303);
    await known.post('/sign-out').type('form').send({ _csrf: await csrfToken(known, '/account') });

    // Wrong passwords from the known browser have their own small budget; past it, the browser is refused.
    const own = [];
    for (let i = 1; i <= FAILURES_PER_DEVICE + 2; i++) own.push((await attempt(known, '198.51.100.7', owner.email, `wrong ${i}`)).status);
    expect(own).toEqual([...Array(FAILURES_PER_DEVICE).fill(401), 429, 429]);
    expect((await attempt(known, '198.51.100.7', owner.email, owner.password)).status).toBe(429);
    // Strangers are still refused meanwhile.
    expect((await attempt(agentFor(context.app), '203.0.99.9', owner.email, owner.password)).status).toBe(429);

    // Two budgets ran out, yet the owner hears about it once.
    const mails = await mailsTo(owner.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('You can still sign in from a browser you have used for this account before.');
    expect(mails[0]!.text).not.toMatch(/203\.0\.|198\.51\./);
    // In the owner's stored language, not the attacker's.
    expect(mails[0]!.html).toContain('<html lang="fr">');
  });

  it('when the window has passed, then strangers may try again, and the owner hears about a new attack once per notice window', async () => {
    const owner = await factories(knex()).account();
    const lockOut = async (network: string) => {
      for (let i = 0; i <= UNTRUSTED_FAILURES_PER_ACCOUNT; i++) await attempt(agentFor(context.app), `${network}.${i + 1}`, owner.email, `guess ${i}`);
    };
    await lockOut('203.1.1');
    expect((await attempt(agentFor(context.app), '198.51.101.1', owner.email, owner.password)).status).toBe(429);
    clock.advance(FAILURE_WINDOW_MS);
    await lockOut('203.1.2');
    expect(await mailsTo(owner.email)).toHaveLength(1);
    clock.advance(FAILURE_NOTICE_WINDOW_MS);
    // A stranger with the right password gets in once the window is over.
    expect((await attempt(agentFor(context.app), '198.51.101.1', owner.email, owner.password)).status).toBe(303);
    await lockOut('203.1.3');
    expect(await mailsTo(owner.email)).toHaveLength(2);
    // Counters whose window is over are cleared away as new failures arrive.
    expect(await knex()('sign_in_counters').where('window_ends_at', '<=', clock.now())).toEqual([]);
  });

  it('when a locked-out owner on a new browser resets their password, then the new password works at once', async () => {
    const owner = await factories(knex()).account();
    for (let i = 0; i <= UNTRUSTED_FAILURES_PER_ACCOUNT; i++) await attempt(agentFor(context.app), `203.3.${i}.1`, owner.email, `guess ${i}`);
    const browser = agentFor(context.app);
    const resetToken = await csrfToken(browser, '/reset-password');
    await browser.post('/reset-password').set('X-Forwarded-For', '198.51.105.1').type('form').send({ email: owner.email, _csrf: resetToken }).expect(200);
    await deliverAll(context.app);
    const path = new URL(linkIn(context.smtp.to(owner.email).find((m) => m.subject === 'Reset your Accountable password')!, 'http://accountable.test/reset/')).pathname;
    const token = await csrfToken(browser, path);
    await browser.post(path).type('form').send({ password: 'a brand new passphrase', passwordConfirmation: 'a brand new passphrase', _csrf: token }).expect(303);
    expect((await attempt(browser, '198.51.105.1', owner.email, 'a brand new passphrase')).status).toBe(303);
  });

  it('when a device cookie belongs to another account, then it earns no trust for this one', async () => {
    const f = factories(knex());
    const mine = await f.account();
    const victim = await f.account();
    const browser = await knownBrowser(mine, '198.51.102.1');
    for (let i = 0; i < UNTRUSTED_FAILURES_PER_ACCOUNT; i++) await attempt(agentFor(context.app), `203.2.${i}.1`, victim.email, `guess ${i}`);
    expect((await attempt(browser, '198.51.102.1', victim.email, victim.password)).status).toBe(429);
    // A made-up cookie is no better.
    const forged = agentFor(context.app);
    forged.jar.setCookie(`${DEVICE_COOKIE}=forged-token; Path=/sign-in`);
    expect((await attempt(forged, '198.51.102.1', victim.email, victim.password)).status).toBe(429);
  });

  it('when one network sends many wrong passwords, then its sign-ins are slowed, not refused: a colleague on it signs in with the right password', async () => {
    const f = factories(knex());
    const colleague = await f.account();
    const pausesBefore = pauses.length;
    // Spraying: one guess each at many addresses, so no account's own budget runs out.
    for (let i = 0; i < FREE_FAILURES_PER_NETWORK; i++) expect((await attempt(agentFor(context.app), `192.0.2.${(i % 200) + 1}`, `nobody${i}@example.test`, 'guess')).status).toBe(401);
    expect(pauses.length).toBe(pausesBefore);
    const slowed = [];
    for (let i = 0; i < 5; i++) slowed.push((await attempt(agentFor(context.app), '192.0.2.77', `nobody-more${i}@example.test`, 'guess')).status);
    expect(slowed).toEqual([401, 401, 401, 401, 401]);
    // Each further guess waits longer than the last.
    expect(pauses.slice(pausesBefore)).toEqual([500, 1000, 2000, 4000, 8000]);

    // Held back at most ten seconds, then let in.
    expect((await attempt(agentFor(context.app), '192.0.2.200', colleague.email, colleague.password)).status).toBe(303);
    expect(pauses.slice(pausesBefore + 5)).toEqual([MAX_NETWORK_PAUSE_MS]);
    // Another network is not slowed at all.
    expect((await attempt(agentFor(context.app), '198.51.103.1', 'someone@example.test', 'guess')).status).toBe(401);
    expect(pauses.length).toBe(pausesBefore + 6);
  });

  it('when many wrong passwords arrive at once from a known browser, then no more than its budget is checked', async () => {
    const owner = await factories(knex()).account();
    const known = await knownBrowser(owner, '198.51.104.1');
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(known, '198.51.104.1', owner.email, `parallel ${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(FAILURES_PER_DEVICE);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(12 - FAILURES_PER_DEVICE);
  });
});
