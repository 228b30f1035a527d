import session, { type SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';

export const SESSION_COOKIE = 'accountable.sid';
const EIGHT_HOURS_MS = 8 * 3600_000;

/**
 * connect-session-knex reports a database error to express-session's callback and then rethrows it
 * from a promise nobody awaits; an unhandled rejection would stop the process. The callback is
 * the one channel that matters, so the rethrow is dropped here.
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
  // Deliberately not refreshing the stored expiry on every request: it would record when a signed-in
  // member last made any request, such as sending anonymous feedback. A session ends eight hours
  // after it was last changed (signing in, or an action that leaves a message).
  override async touch(_sid: string, _data: SessionData, callback?: (err?: unknown) => void) {
    callback?.();
  }
}

// Sessions live in the database so any app process can serve any request. Expired ones are deleted
// by the retention sweep (server/jobs/retention.ts), not by a timer of the store's own.
export function createSessionMiddleware(options: { knex: Knex; secret: string; secure: boolean }): RequestHandler {
  const store = new ResilientKnexStore({
    knex: options.knex,
    tableName: 'sessions',
    createTable: false,
    cleanupInterval: 0,
  });
  return session({
    name: SESSION_COOKIE,
    secret: options.secret,
    store,
    resave: false,
    // No row for a visitor who only reads: a session is stored once it holds something, which
    // signing in or rendering a form (csrf-csrf binds its token to the session id) gives it.
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: EIGHT_HOURS_MS, path: '/' },
  });
}
