import { Router, type NextFunction, type Request, type Response } from 'express';
import type { PassportInstance } from '../../platform/auth/passport';
import type { Actor } from '../../platform/auth/roles';
import { ASSIGNABLE_ROLES } from '../../platform/auth/roles';
import { SESSION_COOKIE } from '../../platform/auth/session';
import type { AddressThrottle, SignInThrottle } from '../../platform/auth/throttles';
import { TooManyRequestsError, ValidationError } from '../../platform/errors';
import { access } from '../../platform/http/access';
import { idParam, pageNumber, paginationView, parseForm, renderFormErrors } from '../../platform/http/forms';
import { NewPasswordSchema, ResetRequestSchema, RolesFormSchema, safeNextPath, SignInSchema, SignUpSchema, VerifySchema } from './accounts.schema';
import type { AccountsService } from './accounts.service';

const ACCOUNTS_PAGE_SIZE = 25;

function authenticate(passport: PassportInstance, req: Request, res: Response, next: NextFunction) {
  return new Promise<{ user: Actor | false }>((resolve, reject) => {
    passport.authenticate('local', (err: unknown, user: Actor | false) => {
      if (err) reject(err);
      else resolve({ user });
    })(req, res, next);
  });
}

function logIn(req: Request, user: Actor): Promise<void> {
  // Passport 0.7 regenerates the session here, so an id planted before sign-in is worthless after it.
  return new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
}

function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.logout((err) => {
      if (err) return reject(err);
      req.session.destroy((destroyErr) => (destroyErr ? reject(destroyErr) : resolve()));
    }),
  );
}

interface AccountRouteDeps {
  service: AccountsService;
  passport: PassportInstance;
  throttle: SignInThrottle;
  emailRequests: AddressThrottle;
}

export function createAccountRoutes({ service, passport, throttle, emailRequests }: AccountRouteDeps): Router {
  const router = Router({ caseSensitive: true });

  /** Refuses the request when this client has asked for too many e-mails lately. */
  const limitEmailRequests = async (req: Request) => {
    const wait = await emailRequests.take(req.ip ?? 'unknown');
    if (wait > 0) throw new TooManyRequestsError(wait);
  };

  router.get('/sign-in', access.public(), (req, res) => {
    res.render('accounts/sign-in', { title: req.t('accounts.signIn.title'), values: {}, next: safeNextPath(req.query.next) });
  });

  router.post('/sign-in', access.public(), async (req, res, next) => {
    const nextPath = safeNextPath(req.body?.next);
    const locals = { title: req.t('accounts.signIn.title'), values: { email: req.body?.email ?? '' }, next: nextPath };
    let email: string;
    try {
      email = parseForm(SignInSchema, req.body).email;
    } catch (err) {
      return renderFormErrors(req, res, 'accounts/sign-in', locals, err);
    }
    const address = req.ip ?? 'unknown';
    // The attempt is counted before the password is checked, so parallel guesses cannot all slip in.
    const wait = await throttle.beginAttempt(email, address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      res.status(429).render('accounts/sign-in', { ...locals, formError: req.t('accounts.signIn.locked', { minutes: Math.ceil(wait / 60) }) });
      return;
    }
    const { user } = await authenticate(passport, req, res, next);
    if (!user) {
      // The same words whether or not the e-mail has an account.
      res.status(401).render('accounts/sign-in', { ...locals, formError: req.t('accounts.signIn.invalid') });
      return;
    }
    await throttle.recordSuccess(email, address);
    await logIn(req, user);
    res.redirect(303, nextPath);
  });

  router.post('/sign-out', access.signedIn(), async (req, res) => {
    await endSession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/');
  });

  router.get('/sign-up', access.public(), (req, res) => {
    res.render('accounts/sign-up', { title: req.t('accounts.signUp.title'), values: {} });
  });

  router.post('/sign-up', access.public(), async (req, res) => {
    const kept = req.body;
    try {
      const input = parseForm(SignUpSchema, req.body);
      await limitEmailRequests(req);
      await service.register(input, req.locale);
      res.render('accounts/check-email', { title: req.t('accounts.signUp.checkTitle'), message: req.t('accounts.signUp.checkEmail') });
    } catch (err) {
      renderFormErrors(req, res, 'accounts/sign-up', { title: req.t('accounts.signUp.title'), values: kept }, err);
    }
  });

  router.get('/verify/:token', access.public(), async (req, res) => {
    const pending = await service.verificationFor(String(req.params.token));
    res.status(pending ? 200 : 400).render('accounts/verify', { title: req.t('accounts.verify.title'), token: req.params.token, failed: !pending, values: pending ?? {} });
  });

  router.post('/verify/:token', access.public(), async (req, res) => {
    const token = String(req.params.token);
    const { password: _p, passwordConfirmation: _c, ...kept } = req.body as Record<string, string>;
    let ok: boolean;
    try {
      ok = await service.verifyEmail(token, parseForm(VerifySchema, req.body));
    } catch (err) {
      return renderFormErrors(req, res, 'accounts/verify', { title: req.t('accounts.verify.title'), token, values: kept }, err);
    }
    if (!ok) {
      res.status(400).render('accounts/verify', { title: req.t('accounts.verify.title'), failed: true });
      return;
    }
    req.session.flash = { kind: 'success', key: 'accounts.verify.done' };
    res.redirect(303, '/sign-in');
  });

  router.get('/reset-password', access.public(), (req, res) => {
    res.render('accounts/reset-request', { title: req.t('accounts.reset.title'), values: {} });
  });

  router.post('/reset-password', access.public(), async (req, res) => {
    try {
      const { email } = parseForm(ResetRequestSchema, req.body);
      await limitEmailRequests(req);
      await service.requestPasswordReset(email);
      res.render('accounts/check-email', { title: req.t('accounts.reset.title'), message: req.t('accounts.reset.checkEmail') });
    } catch (err) {
      renderFormErrors(req, res, 'accounts/reset-request', { title: req.t('accounts.reset.title'), values: req.body }, err);
    }
  });

  router.get('/reset/:token', access.public(), async (req, res) => {
    const usable = await service.isResetTokenUsable(String(req.params.token));
    res.status(usable ? 200 : 400).render('accounts/reset-form', { title: req.t('accounts.reset.title'), token: req.params.token, failed: !usable });
  });

  router.post('/reset/:token', access.public(), async (req, res) => {
    const token = String(req.params.token);
    const locals = { title: req.t('accounts.reset.title'), token };
    try {
      const { password } = parseForm(NewPasswordSchema, req.body);
      if (!(await service.resetPassword(token, password))) {
        res.status(400).render('accounts/reset-form', { ...locals, failed: true });
        return;
      }
      req.session.flash = { kind: 'success', key: 'accounts.reset.done' };
      res.redirect(303, '/sign-in');
    } catch (err) {
      renderFormErrors(req, res, 'accounts/reset-form', locals, err);
    }
  });

  router.get('/account', access.signedIn(), (req, res) => {
    res.render('accounts/account', { title: req.t('accounts.account.title'), roles: req.user!.roles.map((r) => req.t(`roles.${r}`)) });
  });

  router.get('/admin/accounts', access.roles('admin'), async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const page = await service.listAccounts({ query, page: pageNumber(req.query.page), pageSize: ACCOUNTS_PAGE_SIZE });
    res.render('accounts/admin-list', {
      title: req.t('accounts.admin.title'),
      accounts: page.items.map((a) => ({ ...a, roleNames: a.roles.map((r) => req.t(`roles.${r}`)).join(', ') })),
      pagination: paginationView(page, '/admin/accounts', { q: query }),
      query,
    });
  });

  const roleChoices = (req: Request, selected: readonly string[]) =>
    ASSIGNABLE_ROLES.map((role) => ({ role, label: req.t(`roles.${role}`), checked: selected.includes(role) }));

  router.get('/admin/accounts/:id', access.roles('admin'), async (req, res) => {
    const account = await service.getAccountSummary(idParam(req.params.id));
    res.render('accounts/admin-account', { title: account.displayName, account, roleChoices: roleChoices(req, account.roles) });
  });

  router.post('/admin/accounts/:id/roles', access.roles('admin'), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { roles } = parseForm(RolesFormSchema, req.body);
      await service.setAssignedRoles(req.user!, id, roles);
      req.session.flash = { kind: 'success', key: 'accounts.admin.rolesSaved' };
      res.redirect(303, `/admin/accounts/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const account = await service.getAccountSummary(id);
      renderFormErrors(req, res, 'accounts/admin-account', { title: account.displayName, account, roleChoices: roleChoices(req, account.roles) }, err);
    }
  });

  return router;
}
