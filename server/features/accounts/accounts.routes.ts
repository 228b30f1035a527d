import { Router, type Request } from 'express';
import type { Actor } from '../../platform/auth/roles';
import { ASSIGNABLE_ROLES } from '../../platform/auth/roles';
import { SESSION_COOKIE } from '../../platform/auth/session';
import type { AddressThrottle } from '../../platform/auth/throttles';
import { TooManyRequestsError, ValidationError } from '../../platform/errors';
import { access } from '../../platform/http/access';
import { idParam, pageNumber, paginationView, parseForm, renderFormErrors } from '../../platform/http/forms';
import { NewPasswordSchema, ResetRequestSchema, RolesFormSchema, safeNextPath, SignInSchema, SignUpSchema, VerifySchema } from './accounts.schema';
import type { AccountsService } from './accounts.service';
import type { RoleGrantsService } from './role-grants.service';
import { DEVICE_TTL_MS, type SignInService } from './sign-in.service';

const ACCOUNTS_PAGE_SIZE = 25;
/** Marks a browser that has signed in before (see sign-in.service.ts); only the sign-in form reads it. */
export const DEVICE_COOKIE = 'accountable.device';

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
  signIn: SignInService;
  roleGrants: RoleGrantsService;
  emailRequests: AddressThrottle;
  cookieSecure: boolean;
}

export function createAccountRoutes({ service, signIn, roleGrants, emailRequests, cookieSecure }: AccountRouteDeps): Router {
  const router = Router({ caseSensitive: true });

  /** Refuses the request when this client has asked for too many e-mails lately. */
  const limitEmailRequests = async (req: Request) => {
    const wait = await emailRequests.take(req.ip ?? 'unknown');
    if (wait > 0) throw new TooManyRequestsError(wait);
  };

  router.get('/sign-in', access.public(), (req, res) => {
    res.render('accounts/sign-in', { title: req.t('accounts.signIn.title'), values: {}, next: safeNextPath(req.query.next) });
  });

  router.post('/sign-in', access.public(), async (req, res) => {
    const nextPath = safeNextPath(req.body.next);
    const locals = { title: req.t('accounts.signIn.title'), values: { email: req.body.email ?? '' }, next: nextPath };
    let form: { email: string; password: string };
    try {
      form = parseForm(SignInSchema, req.body);
    } catch (err) {
      return renderFormErrors(req, res, 'accounts/sign-in', locals, err);
    }
    const deviceToken: unknown = req.cookies?.[DEVICE_COOKIE];
    const result = await signIn.signIn({ ...form, address: req.ip ?? 'unknown', deviceToken: typeof deviceToken === 'string' ? deviceToken : undefined });
    if (result.outcome === 'locked') {
      res.setHeader('Retry-After', String(result.retryAfterSeconds));
      res.status(429).render('accounts/sign-in', { ...locals, formError: req.t('accounts.signIn.locked', { minutes: Math.ceil(result.retryAfterSeconds / 60) }) });
      return;
    }
    if (result.outcome === 'invalid') {
      // The same words whether or not the e-mail has an account.
      res.status(401).render('accounts/sign-in', { ...locals, formError: req.t('accounts.signIn.invalid') });
      return;
    }
    res.cookie(DEVICE_COOKIE, result.deviceToken, { httpOnly: true, sameSite: 'lax', secure: cookieSecure, maxAge: DEVICE_TTL_MS, path: '/sign-in' });
    await logIn(req, result.actor);
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

  const accountPage = async (req: Request, id: number) => {
    const [account, pendingRoles] = await Promise.all([service.getAccountSummary(id), roleGrants.pendingRolesOf(id)]);
    return { title: account.displayName, account, roleChoices: roleChoices(req, account.roles), pendingRoles: pendingRoles.map((r) => req.t(`roles.${r}`)).join(', ') };
  };

  router.get('/admin/accounts/:id', access.roles('admin'), async (req, res) => {
    res.render('accounts/admin-account', await accountPage(req, idParam(req.params.id)));
  });

  router.post('/admin/accounts/:id/roles', access.roles('admin'), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { roles } = parseForm(RolesFormSchema, req.body);
      const proposed = await roleGrants.changeRoles(req.user!, id, roles);
      req.session.flash = { kind: 'success', key: proposed.length > 0 ? 'accounts.admin.rolesProposed' : 'accounts.admin.rolesSaved' };
      res.redirect(303, `/admin/accounts/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      renderFormErrors(req, res, 'accounts/admin-account', await accountPage(req, id), err);
    }
  });

  router.get('/admin/role-proposals', access.roles('admin'), async (req, res) => {
    const proposals = await roleGrants.pendingProposals();
    res.render('accounts/role-proposals', {
      title: req.t('accounts.proposals.title'),
      proposals: proposals.map((p) => ({
        ...p,
        roleName: req.t(`roles.${p.role}`),
        proposedOn: new Date(p.proposedAt).toISOString().slice(0, 10),
        expiresOn: new Date(p.expiresAt).toISOString().slice(0, 10),
        // The proposer and the recipient cannot approve; the form says so instead of failing.
        mayApprove: p.proposedBy !== req.user!.accountId && p.accountId !== req.user!.accountId,
      })),
    });
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/admin/role-proposals/:id/${decision}`, access.roles('admin'), async (req, res) => {
      await roleGrants[decision](req.user!, idParam(req.params.id));
      req.session.flash = { kind: 'success', key: decision === 'approve' ? 'accounts.proposals.approved' : 'accounts.proposals.rejected' };
      res.redirect(303, '/admin/role-proposals');
    });
  }

  return router;
}
