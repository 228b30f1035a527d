import type { Actor } from './platform/auth/roles';
import type { MalformedUploadError } from './platform/errors';
import type { Translate } from './platform/i18n';

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
    interface Request {
      t: Translate;
      locale: string;
      /** Set by csrf.acceptUpload when the multipart body could not be read. */
      uploadProblem?: MalformedUploadError;
      /** The account the session store read with the session: null when it is gone or unverified. */
      sessionActor?: Actor | null;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    flash?: { kind: 'success' | 'info'; key: string };
    /** Set when a page rendered a form, so the session exists for the form's CSRF token. */
    formsIssued?: true;
  }
}

export {};
