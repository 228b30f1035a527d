import { agentFor, csrfToken, useTestApp, manualClock } from '../../helpers/app';
import { MAX_EMAIL_REQUESTS_PER_ADDRESS } from '../../../server/platform/auth/throttles';

describe('forms that send e-mail', () => {
  // A still clock: address pseudonyms change on the hour, which would reset throttle counters mid-test.
  const context = useTestApp({ clock: manualClock() });

  it('when one client asks for too many e-mails in an hour, then further sign-ups and resets are refused with 429', async () => {
    const agent = agentFor(context.app);
    const token = await csrfToken(agent, '/reset-password');
    for (let i = 0; i < MAX_EMAIL_REQUESTS_PER_ADDRESS; i++) {
      const res = await agent.post('/reset-password').type('form').send({ _csrf: token, email: `target${i}@example.test` });
      expect(res.status).toBe(200);
    }
    const reset = await agent.post('/reset-password').type('form').send({ _csrf: token, email: 'victim@example.test' });
    expect(reset.status).toBe(429);
    expect(reset.headers['retry-after']).toBeDefined();
    expect(reset.text).toContain('Too many attempts.');
    const signUp = await agent
      .post('/sign-up')
      .type('form')
      .send({ _csrf: token, displayName: 'Flood', email: 'victim@example.test', password: 'long enough password', passwordConfirmation: 'long enough password' });
    expect(signUp.status).toBe(429);
    expect(await context.database.db.knex('accounts').where({ email: 'victim@example.test' }).first()).toBeUndefined();
  });

  it('when a form is invalid while the limit holds, then the field message comes first (typos are not counted)', async () => {
    const agent = agentFor(context.app);
    const token = await csrfToken(agent, '/reset-password');
    const res = await agent.post('/reset-password').type('form').send({ _csrf: token, email: 'not an address' });
    expect(res.status).toBe(422);
  });
});
