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
  passport.deserializeUser<number>((id, done) => {
    // An account that vanished or lost verification simply ends up signed out.
    accounts.findActor(Number(id)).then((actor) => done(null, actor ?? false), done);
  });
  return passport;
}
