import type { Actor } from './platform/auth/roles';
import type { Translate } from './platform/i18n';

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
    interface Request {
      t: Translate;
      locale: string;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    flash?: { kind: 'success' | 'info'; key: string };
  }
}

export {};
