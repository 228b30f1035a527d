import helmet from 'helmet';
import { doubleCsrf } from 'csrf-csrf';
import type { RequestHandler } from 'express';

// No inline script or style anywhere: page code lives in public/js and reads data attributes.
export function securityHeaders(options: { secure: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(options.secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.secure,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/** Double-submit CSRF tokens bound to the session id; the token travels in the `_csrf` field or the X-CSRF-Token header. */
export function createCsrf(options: { secret: string; secure: boolean }) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => options.secret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: options.secure ? '__Host-accountable.csrf' : 'accountable.csrf',
    cookieOptions: { sameSite: 'lax', secure: options.secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? req.headers['x-csrf-token'],
  });
  const exposeToken: RequestHandler = (req, res, next) => {
    res.locals.csrfToken = generateCsrfToken(req, res);
    next();
  };
  return { protect: doubleCsrfProtection, exposeToken };
}
