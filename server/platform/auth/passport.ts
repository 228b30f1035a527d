import { Passport } from 'passport';

export type PassportInstance = InstanceType<typeof Passport>;
import { Strategy as LocalStrategy } from 'passport-local';
import type { Actor } from './roles';

export interface PassportAccounts {
  signIn(email: string, password: string): Promise<{ outcome: 'ok'; actor: Actor } | { outcome: 'invalid' }>;
  findActor(accountId: number): Promise<Actor | undefined>;
}

// A Passport instance per app (not the module singleton), so tests can build several apps side by side.
export function createPassport(accounts: PassportAccounts): PassportInstance {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      accounts.signIn(email, password).then(
        (result) => (result.outcome === 'ok' ? done(null, result.actor) : done(null, false, { message: result.outcome })),
        (err) => done(err),
      );
    }),
  );
  passport.serializeUser<number>((user, done) => done(null, (user as Actor).accountId));
  passport.deserializeUser<number>((id, done) => {
    // An account that vanished or lost verification simply ends up signed out.
    accounts.findActor(Number(id)).then((actor) => done(null, actor ?? false), done);
  });
  return passport;
}
