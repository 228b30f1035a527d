import helmet from 'helmet';
import { doubleCsrf } from 'csrf-csrf';
import multer from 'multer';
import type { Request, RequestHandler } from 'express';
import { MalformedUploadError } from '../errors';

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

/**
 * Every response the app builds (everything but static files) may show feedback or be someone's
 * own page, so no cache, shared or the browser's, keeps a copy.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/**
 * Double-submit CSRF tokens bound to the session id; the token travels in the `_csrf` field or the
 * X-CSRF-Token header. A multipart body is parsed only on the upload routes listed in `uploadPaths`,
 * after their access check, so those routes run `protect` themselves once the body is read; every
 * other request is checked here.
 */
export function createCsrf(options: { secret: string; secure: boolean; uploadPaths: ReadonlyArray<string | RegExp> }) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => options.secret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: options.secure ? '__Host-accountable.csrf' : 'accountable.csrf',
    cookieOptions: { sameSite: 'lax', secure: options.secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? req.headers['x-csrf-token'],
  });
  // A pattern stands for a path with an id in it (/working-groups/7/members/import).
  const isUploadPath = (path: string) => options.uploadPaths.some((p) => (typeof p === 'string' ? p === path : p.test(path)));
  const isUpload = (req: Request) => !!req.is('multipart/form-data') && isUploadPath(req.path);
  const protectUnlessUpload: RequestHandler = (req, res, next) => (isUpload(req) ? next() : doubleCsrfProtection(req, res, next));
  const readFile = multer({ storage: multer.memoryStorage(), limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 20 } }).single('file');
  /**
   * A body multer cannot read (no or truncated boundary, too large, an unexpected field) goes on to
   * the route as `req.uploadProblem`, without the token check: its token may be what was lost, and
   * the route only renders its form again with the message (uploadedText throws), changing nothing.
   */
  const readUpload: RequestHandler = (req, res, next) =>
    readFile(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      req.uploadProblem = new MalformedUploadError(uploadProblemKey(err));
      req.body ??= {};
      next();
    });
  const protectUnlessUploadProblem: RequestHandler = (req, res, next) => (req.uploadProblem ? next() : doubleCsrfProtection(req, res, next));
  /** For an upload route: reads at most one file (5 MB) into memory, then checks the token. */
  const acceptUpload: RequestHandler[] = [readUpload, protectUnlessUploadProblem];
  /**
   * Views read `csrfToken` as a function, so a token (and the session it is bound to) is made only
   * for a page that renders a form: a visitor without a cookie reading a public page leaves no
   * session row behind. One token per response, so every form on a page carries the same one.
   */
  const exposeToken: RequestHandler = (req, res, next) => {
    let token: string | undefined;
    res.locals.csrfToken = () => {
      if (token === undefined) {
        // A change to an empty session is what makes express-session store it and send its cookie.
        // A session holding anything is stored already, and is left unchanged: saving it again
        // would record when its owner last opened a form.
        if (Object.keys(req.session).every((key) => key === 'cookie')) req.session.formsIssued = true;
        token = generateCsrfToken(req, res);
      }
      return token;
    };
    next();
  };
  return { protect: protectUnlessUpload, acceptUpload, exposeToken };
}

function uploadProblemKey(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') return 'errors.upload.tooLarge';
  if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') return 'errors.upload.unexpectedField';
  return 'errors.upload.malformed';
}
