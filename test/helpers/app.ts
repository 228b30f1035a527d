import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp, type AppInstance } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import type { Clock } from '../../server/platform/clock';
import type { Database } from '../../server/platform/db';
import { createLogger } from '../../server/platform/logger';
import type { MailTransport } from '../../server/platform/mail/transport';
import { createTestDatabase, type TestDatabase } from './database';
import { startSmtpServer, type TestSmtpServer } from './mail';

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse('2026-11-22T09:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  } satisfies Clock & { advance(ms: number): void };
}

export interface TestApp extends AppInstance {
  readonly config: Config;
  /** Every log line the app wrote, as text: leak tests search it. */
  readonly logLines: string[];
}

export async function createTestApp(options: { db: Database; clock?: Clock; mailTransport?: MailTransport; env?: Record<string, string>; pause?: (ms: number) => Promise<void> }): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: 'low', PUBLIC_URL: 'http://accountable.test', LOG_LEVEL: 'info', ...options.env });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const instance = await createApp({ config, db: options.db, logger, clock: options.clock ?? { now: () => Date.now() }, mailTransport: options.mailTransport, pause: options.pause });
  return { ...instance, config, logLines };
}

export type Agent = ReturnType<typeof request.agent>;

export function agentFor(app: TestApp): Agent {
  return request.agent(app.app);
}

/** The CSRF token of the first form on a page. */
export function csrfTokenFrom(html: string): string {
  const match = html.match(/name="_csrf" value="([^"]+)"/);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** GETs a page and returns its CSRF token (creating the session on the way). */
export async function csrfToken(agent: Agent, path = '/sign-in'): Promise<string> {
  const res = await agent.get(path);
  return csrfTokenFrom(res.text);
}

/** Posts a form with a fresh CSRF token read from `formPath`. */
export async function postForm(agent: Agent, formPath: string, action: string, fields: Record<string, string | string[]>) {
  const token = await csrfToken(agent, formPath);
  return agent.post(action).type('form').send({ ...fields, _csrf: token });
}

/** A new agent signed in as `who`. */
export async function signedIn(app: TestApp, who: { email: string; password: string }): Promise<Agent> {
  const agent = agentFor(app);
  await signIn(agent, who.email, who.password);
  return agent;
}

export async function signIn(agent: Agent, email: string, password: string) {
  const res = await postForm(agent, '/sign-in', '/sign-in', { email, password });
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed with ${res.status}`);
  return res;
}

/**
 * Registers beforeAll/afterAll hooks that give the file a fresh database and an app on it
 * (with an in-process SMTP server when `smtp` is true). Read the fields inside tests.
 */
export function useTestApp(options: { smtp?: boolean; clock?: Clock; env?: Record<string, string>; pause?: (ms: number) => Promise<void> } = {}) {
  const context = {} as { database: TestDatabase; app: TestApp; smtp: TestSmtpServer };
  beforeAll(async () => {
    context.database = await createTestDatabase();
    if (options.smtp) context.smtp = await startSmtpServer();
    context.app = await createTestApp({ db: context.database.db, clock: options.clock, mailTransport: context.smtp?.transport, env: options.env, pause: options.pause });
  });
  afterAll(async () => {
    await context.smtp?.close();
    await context.database?.destroy();
  });
  return context;
}

/** Runs the outbox sender until nothing is left to send; returns how many were sent. */
export async function deliverAll(app: TestApp): Promise<number> {
  let total = 0;
  for (;;) {
    const { sent, retried, failed } = await app.outboxSender.runOnce();
    total += sent;
    if (sent + retried + failed === 0) return total;
  }
}
