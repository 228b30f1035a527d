import session, { type SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Actor } from './roles';

export const SESSION_COOKIE = 'accountable.sid';
const EIGHT_HOURS_MS = 8 * 3600_000;

/** Reads a stored, unexpired session with the account signed in to it (see passport.ts). */
export type SessionReader = (sid: string, at: Date) => Promise<{ sess: unknown; actor?: Actor | null } | undefined>;

// Carries the account read with the session from `get` to `createSession`, which has the request;
// a symbol, so express-session neither copies it into the session nor stores it.
const ACTOR = Symbol('actor');

/**
 * Sessions are read with their account in one statement (`readSession`); connect-session-knex
 * writes and deletes them.
 *
 * connect-session-knex reports a database error to express-session's callback and then rethrows it
 * from a promise nobody awaits; an unhandled rejection would stop the process. The callback is
 * the one channel that matters, so the rethrow is dropped here.
 */
class ResilientKnexStore extends ConnectSessionKnexStore {
  constructor(
    options: ConstructorParameters<typeof ConnectSessionKnexStore>[0],
    private readonly readSession: SessionReader,
  ) {
    super(options);
  }
  override async get(sid: string, callback: (err: unknown, session?: SessionData | null) => void) {
    try {
      const found = await this.readSession(sid, new Date());
      const data = found ? Object.assign(found.sess as SessionData, { [ACTOR]: found.actor }) : null;
      callback(null, data);
      return data;
    } catch (err) {
      callback(err);
      return null;
    }
  }
  override createSession(req: Request, data: SessionData) {
    req.sessionActor = (data as SessionData & { [ACTOR]?: Actor | null })[ACTOR];
    return super.createSession(req, data);
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
export function createSessionMiddleware(options: { knex: Knex; secret: string; secure: boolean; readSession: SessionReader }): RequestHandler {
  const store = new ResilientKnexStore({ knex: options.knex, tableName: 'sessions', createTable: false, cleanupInterval: 0 }, options.readSession);
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
