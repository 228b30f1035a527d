import type { Request } from 'express';
import { Passport } from 'passport';

export type PassportInstance = InstanceType<typeof Passport>;
import type { Actor } from './roles';

export interface PassportAccounts {
  findActor(accountId: number): Promise<Actor | undefined>;
}

// A Passport instance per app (not the module singleton), so tests can build several apps side by side.
// It keeps the signed-in account in the session; passwords are checked by the accounts feature.
export function createPassport(accounts: PassportAccounts): PassportInstance {
  const passport = new Passport();
  passport.serializeUser<number>((user, done) => done(null, (user as Actor).accountId));
  passport.deserializeUser<number, Request>((req: Request, id: number, done: (err: unknown, user?: Actor | false) => void) => {
    // An account that vanished or lost verification simply ends up signed out. The session store
    // has read the account with the session (session.ts); a session it did not read is looked up.
    const read = req.sessionActor;
    if (read === null || (read !== undefined && read.accountId === Number(id))) return done(null, read ?? false);
    accounts.findActor(Number(id)).then((actor) => done(null, actor ?? false), done);
  });
  return passport;
}
