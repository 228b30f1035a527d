import session, { type SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';

export const SESSION_COOKIE = 'accountable.sid';
const EIGHT_HOURS_MS = 8 * 3600_000;

/**
 * connect-session-knex reports a database error to express-session's callback and then rethrows it
 * from a promise nobody awaits; an unhandled rejection would stop the process. The callback is
 * the one channel that matters, so the rethrow is dropped here (and touch, which has no error
 * callback of its own, reports through it too).
 */
class ResilientKnexStore extends ConnectSessionKnexStore {
  override async get(sid: string, callback: (err: unknown, session?: SessionData | null) => void) {
    return super.get(sid, callback).catch(() => null);
  }
  override async set(sid: string, data: SessionData, callback?: (err?: unknown) => void) {
    await super.set(sid, data, callback).catch(() => undefined);
  }
  override async destroy(sid: string, callback?: (err?: unknown) => void) {
    return super.destroy(sid, callback).catch(() => 0);
  }
  override async touch(sid: string, data: SessionData, callback?: (err?: unknown) => void) {
    try {
      await super.touch(sid, data);
      callback?.();
    } catch (err) {
      callback?.(err);
    }
  }
}

// Sessions live in the database so any app process can serve any request.
export function createSessionMiddleware(options: { knex: Knex; secret: string; secure: boolean; cleanup: boolean }): RequestHandler {
  const store = new ResilientKnexStore({
    knex: options.knex,
    tableName: 'sessions',
    createTable: false,
    cleanupInterval: options.cleanup ? 15 * 60_000 : 0,
  });
  return session({
    name: SESSION_COOKIE,
    secret: options.secret,
    store,
    resave: false,
    // csrf-csrf binds tokens to the session id, so a visitor needs a session before the first form.
    saveUninitialized: true,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: EIGHT_HOURS_MS, path: '/' },
  });
}
