import net from 'node:net';
import { freePort } from '../../bench/processes';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startServer as start } from '../helpers/process';

/**
 * A TCP proxy in front of the shared MariaDB that can be cut and restored: to the app it is a
 * database server going down and coming back, without touching the real one.
 */
async function startCuttableProxy(target: { host: string; port: number }, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  return {
    async up() {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async down() {
      const closing = server;
      server = undefined;
      for (const s of sockets) s.destroy();
      if (closing) await new Promise((resolve) => closing.close(resolve));
    },
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForStatus(url: string, status: number, ms = 30_000): Promise<Response> {
  for (const until = Date.now() + ms; Date.now() < until; await pause(100)) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === status) return res;
  }
  throw new Error(`${url} did not answer ${status}`);
}

describe('the server process and a database that goes away', () => {
  let database: TestDatabase;
  let child: ReturnType<typeof start>['child'] | undefined;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await database.destroy();
  });

  it('when the database is down at start, restarted later and cut mid-run, then the process waits, answers 503 meanwhile, and recovers by itself', async () => {
    if (database.config.client !== 'mysql') throw new Error('a MariaDB test');
    const real = new URL(database.config.url);
    const [appPort, proxyPort] = [await freePort(), await freePort()];
    const proxy = await startCuttableProxy({ host: real.hostname, port: Number(real.port || 3306) }, proxyPort);
    const viaProxy = new URL(database.config.url);
    viaProxy.host = `127.0.0.1:${proxyPort}`;
    const server = start([], { PORT: String(appPort), HOST: '127.0.0.1', DATABASE_URL: viaProxy.toString(), LOG_LEVEL: 'warn', NODE_ENV: 'development', PASSWORD_HASH_COST: 'low', OUTBOX_INTERVAL_MS: '200' });
    child = server.child;
    const url = `http://127.0.0.1:${appPort}`;

    // Down at start: the port answers 503 while the process keeps trying.
    await server.waitFor(/database unavailable at start; trying again/);
    expect((await waitForStatus(`${url}/healthz`, 503)).status).toBe(503);

    await proxy.up();
    await server.waitFor(/running at/);
    expect(await (await waitForStatus(`${url}/healthz`, 200)).json()).toMatchObject({ status: 'ok', database: 'mysql' });

    // Cut mid-run: health says unavailable, a page that needs the database answers the 503 error page.
    await proxy.down();
    const health = await waitForStatus(`${url}/healthz`, 503);
    expect(await health.json()).toEqual({ status: 'unavailable', database: 'mysql' });
    const form = await fetch(`${url}/sign-in`);
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = (await form.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    const signIn = () =>
      fetch(`${url}/sign-in`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, email: 'nobody@example.test', password: 'wrong password' }).toString() });
    const refused = await signIn();
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('The service is temporarily unavailable.');

    // Back: without a restart, the same process serves again.
    await proxy.up();
    await waitForStatus(`${url}/healthz`, 200);
    const answered = await signIn();
    expect(answered.status).toBeLessThan(500);
    expect(server.child.exitCode).toBeNull();

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await proxy.down();
  });
});
