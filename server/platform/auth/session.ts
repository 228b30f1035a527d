import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';

export const SESSION_COOKIE = 'accountable.sid';
const EIGHT_HOURS_MS = 8 * 3600_000;

// Sessions live in the database so any app process can serve any request.
export function createSessionMiddleware(options: { knex: Knex; secret: string; secure: boolean; cleanup: boolean }): RequestHandler {
  const store = new ConnectSessionKnexStore({
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
