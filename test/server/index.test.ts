import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase } from '../../server/platform/db';
import { KEY_PURPOSES } from '../../server/platform/keys';
import { serverEntry as entry, startServer as start } from '../helpers/process';
import { freePort } from '../../bench/processes';

const production = { PORT: '0', NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), ACCOUNTABLE_SECRET_KEY: 'k'.repeat(48), PUBLIC_URL: 'https://accountable.example.org', LOG_LEVEL: 'silent' };

describe('the server process', () => {
  let dir: string;
  let running: ChildProcess | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accountable-server-'));
    if (!fs.existsSync(entry)) throw new Error('dist/ is missing: the test command builds it first (npm test)');
  });
  afterAll(() => {
    running?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when started in demo mode, then it prints its URL and the demo sign-ins, serves, and stops cleanly on SIGTERM', async () => {
    const server = start(['--demo'], { PORT: '0', SQLITE_FILE: path.join(dir, 'demo.sqlite'), MAIL_DIR: path.join(dir, 'mail'), LOG_LEVEL: 'info', PASSWORD_HASH_COST: 'low', NODE_ENV: 'development' });
    running = server.child;
    const [, url] = await server.waitFor(/running at (http:\/\/localhost:\d+)/);
    await server.waitFor(/member@demo\.example/);
    const { stdout } = server.output();
    for (const account of ['admin', 'hr', 'executive', 'manager', 'staff', 'complaints', 'member']) expect(stdout).toContain(`${account}@demo.example`);
    expect(stdout).toContain('accountable-demo');

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'sqlite' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output().stdout).toContain('"msg":"stopped"');
  });

  it('when demo mode is asked for in production, then the process refuses and exits non-zero', async () => {
    const server = start(['--demo'], { ...production, SQLITE_FILE: path.join(dir, 'prod.sqlite') });
    running = server.child;
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('Demo data is refused when NODE_ENV=production.');
  });

  it('when production is started without ACCOUNTABLE_SECRET_KEY, then it refuses before opening the database', async () => {
    const { ACCOUNTABLE_SECRET_KEY: _omitted, ...withoutKey } = production;
    const file = path.join(dir, 'no-key.sqlite');
    const server = start([], { ...withoutKey, SQLITE_FILE: file });
    running = server.child;
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('ACCOUNTABLE_SECRET_KEY: required when NODE_ENV=production');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('when production runs with its key, then no link or receipt key is written to the database', async () => {
    const file = path.join(dir, 'with-key.sqlite');
    const server = start([], { ...production, SQLITE_FILE: file });
    running = server.child;
    await server.waitFor(/running at/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const db = createDatabase({ client: 'sqlite', filename: file });
    try {
      const names = (await db.knex('app_secrets').select('name')).map((r) => r.name);
      for (const purpose of KEY_PURPOSES) expect(names).not.toContain(purpose);
    } finally {
      await db.close();
    }
  });

  it('when the database is down at start, then the process keeps trying, logs each attempt, and /healthz says the database is unavailable', async () => {
    const [port, databasePort] = [await freePort(), await freePort()];
    const server = start([], { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `mysql://root@127.0.0.1:${databasePort}/accountable`, LOG_LEVEL: 'warn', NODE_ENV: 'development' });
    running = server.child;
    await server.waitFor(/database unavailable at start; trying again/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', database: 'mysql' });
    const page = await fetch(`http://127.0.0.1:${port}/sign-in`);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('5');
    expect(await page.text()).toBe('The service is temporarily unavailable. Please try again shortly.');
    // Still trying (1 s, then 2 s between attempts), not exited.
    await server.waitFor(/"attempt":2/);
    expect(server.child.exitCode).toBeNull();
    // A process that never got its database still stops cleanly.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('when the configuration is invalid, then the process says which variable and exits non-zero', async () => {
    const server = start([], { PORT: 'eighty' });
    running = server.child;
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('PORT');
  });
});
