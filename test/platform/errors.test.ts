import request from 'supertest';
import { createTestApp, useTestApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/database';
import { serializeError } from '../../server/platform/logger';

describe('errors and logging', () => {
  const context = useTestApp();

  it('when a page does not exist, then a translated 404 page is shown, or JSON for a JSON client', async () => {
    const html = await request(context.app.app).get('/no/such/page').expect(404);
    expect(html.text).toContain('There is nothing here.');
    const json = await request(context.app.app).get('/no/such/page').set('Accept', 'application/json').expect(404);
    expect(json.body).toEqual({ error: { status: 404, message: 'There is nothing here. The link may be wrong or out of date.' } });
  });

  it('when an id is not a number, then it is a 404 rather than a crash', async () => {
    const res = await request(context.app.app).get('/directory/staff/1%20OR%201=1');
    expect([303, 404]).toContain(res.status);
  });

  it('when a request fails inside, then the user sees no stack trace and the log has it with the request id', async () => {
    // A real failure: the session store's database goes away under a running app.
    const doomed = await createTestDatabase();
    const failing = await createTestApp({ db: doomed.db });
    const visitor = request.agent(failing.app);
    await visitor.get('/sign-in').expect(200);
    await doomed.destroy();
    const res = await visitor.get('/sign-in').expect(500);
    expect(res.text).toContain('Something went wrong on our side.');
    expect(res.text).not.toMatch(/knex|sqlite|mysql|\.ts:\d+|\.js:\d+/i);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = failing.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged.reqId).toBe(requestId);
    expect(logged.err.stack).toBeDefined();
  });

  it('when a request is logged, then the line has the request id and path but no query string', async () => {
    await request(context.app.app).get('/sign-in?next=%2Faccount&email=leak%40example.test').expect(200);
    const line = context.app.logLines.map((l) => JSON.parse(l)).find((l) => l.req?.path === '/sign-in');
    expect(line.req.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.app.logLines.join('')).not.toContain('leak');
  });

  it('when a database error is logged, then its message (which may quote a value) is left out', () => {
    const duplicate = Object.assign(new Error("Duplicate entry 'someone@example.test' for key 'email'"), { code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry 'someone@example.test'" });
    const logged = JSON.stringify(serializeError(duplicate));
    expect(logged).not.toContain('someone@example.test');
    expect(logged).toContain('ER_DUP_ENTRY');
    expect(serializeError(new Error('plain failure')).message).toBe('plain failure');
  });

  it('when a body is far too large, then it is refused with 413', async () => {
    const res = await request(context.app.app).post('/sign-in').type('form').send({ email: 'x'.repeat(300_000) });
    expect(res.status).toBe(413);
  });
});
