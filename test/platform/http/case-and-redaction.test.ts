import { Writable } from 'node:stream';
import type { Application } from 'express';
import { agentFor, signedIn, useTestApp, type Agent } from '../../helpers/app';
import { factories } from '../../factories';
import { createLogger, pathWithoutQuery } from '../../../server/platform/logger';

interface Layer {
  name?: string;
  handle?: { stack?: Layer[]; caseSensitive?: boolean };
}

/** Every Router mounted in the app, with whether it matches paths in their letter case. */
function routers(app: Application): Array<{ at: number; caseSensitive: boolean | undefined }> {
  const found: Array<{ at: number; caseSensitive: boolean | undefined }> = [];
  const walk = (stack: Layer[]) =>
    stack.forEach((layer, at) => {
      if (layer.handle?.stack) {
        found.push({ at, caseSensitive: layer.handle.caseSensitive });
        walk(layer.handle.stack);
      }
    });
  const root = (app as unknown as { router: { stack: Layer[]; caseSensitive?: boolean } }).router;
  found.push({ at: -1, caseSensitive: root.caseSensitive });
  walk(root.stack);
  return found;
}

const TOKEN = 'Zq3xN8vK1pR7sT2wY5bC9dF4gH6jL0mQ2nV8aE1uI7o';

describe('route matching and log redaction in any letter case', () => {
  const context = useTestApp();
  let hr: Agent;

  beforeAll(async () => {
    hr = await signedIn(context.app, await factories(context.database.db.knex).account({ roles: ['hr'] }));
  });

  it('when the route table is walked, then the app and every Router in it match paths case-sensitively', () => {
    const all = routers(context.app.app);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((r) => r.caseSensitive !== true)).toEqual([]);
  });

  it('when a path is sent in another letter case, then it reaches no route', async () => {
    expect((await hr.get('/inbox')).status).toBe(200);
    expect((await hr.get('/public/css/app.css')).status).toBe(200);
    for (const path of ['/Inbox', '/INBOX', '/Audit', '/Directory/import', '/HEALTHZ', '/Sign-In', '/Public/css/app.css']) {
      const res = await hr.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('when token-bearing paths arrive in any letter case, then the logged line keeps the shape and loses the token', async () => {
    const before = context.app.logLines.length;
    const agent = agentFor(context.app);
    for (const path of [`/S/${TOKEN}`, `/s/${TOKEN}`, `/RECEIPT/${TOKEN}`, `/Verify/${TOKEN}`, `/RESET/${TOKEN}`, `/feedback/REQUESTED/${TOKEN}`, `/anything/${TOKEN}/more`, `/receipt?Code=${TOKEN}&TOKEN=${TOKEN}`]) {
      await agent.get(path).set('COOKIE', `accountable.sid=${TOKEN}`).set('Authorization', `Bearer ${TOKEN}`);
    }
    const lines = context.app.logLines.slice(before).join('\n');
    expect(lines).toContain('"path":"/S/[token]"');
    expect(lines).toContain('"path":"/RECEIPT/[token]"');
    expect(lines).toContain('"path":"/feedback/REQUESTED/[token]"');
    expect(lines).toContain('"path":"/anything/[token]/more"');
    expect(lines).not.toContain(TOKEN);
  });

  it('when a log line holds secret keys in any letter case, then their values are masked', () => {
    const written: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (written.push(String(chunk)), done()) }));
    logger.child({ Email: 'ada@example.org' }).info({ headers: { Cookie: 'sid=one', COOKIE: 'sid=two', 'X-CSRF-Token': 'csrf-three' }, PASSWORD: 'four', Url: '/S/five-five-five-five-five-five-five-five?token=six' }, 'probe');
    const line = written.join('');
    for (const secret of ['ada@example.org', 'sid=one', 'sid=two', 'csrf-three', 'four', 'five-five', 'six']) expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ Email: '[redacted]', headers: { Cookie: '[redacted]', COOKIE: '[redacted]' }, PASSWORD: '[redacted]', Url: '/S/[token]', msg: 'probe' });
  });

  it('when a path has no secret, then it is logged as it is, without its query', () => {
    expect(pathWithoutQuery('/reviews/cycles/3?page=2')).toBe('/reviews/cycles/3');
    expect(pathWithoutQuery('/public/js/solicitation-suggestions.js')).toBe('/public/js/solicitation-suggestions.js');
  });
});
