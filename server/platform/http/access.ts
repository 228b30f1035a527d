import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { hasAnyRole, type Role } from '../auth/roles';

// Every route declares who may call it with one of these as its first handler.
// createApp refuses to start if a route has none (see assertEveryRouteDeclaresAccess).
export type AccessRule =
  | { readonly kind: 'public' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'roles'; readonly roles: readonly Role[] };

export type AccessHandler = RequestHandler & { readonly accessRule: AccessRule };

function guard(rule: AccessRule): AccessHandler {
  const handler = (req: Request, _res: Response, next: NextFunction) => {
    if (rule.kind === 'public') return next();
    if (!req.user) return next(new UnauthenticatedError());
    if (rule.kind === 'roles' && !hasAnyRole(req.user, rule.roles)) return next(new ForbiddenError());
    next();
  };
  return Object.assign(handler, { accessRule: rule });
}

export const access = {
  public: () => guard({ kind: 'public' }),
  signedIn: () => guard({ kind: 'signed-in' }),
  roles: (...roles: Role[]) => guard({ kind: 'roles', roles }),
};

export interface DeclaredRoute {
  readonly method: string;
  readonly path: string;
  readonly rule: AccessRule | undefined;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: unknown; method?: string }> };
  handle?: { stack?: RouterLayer[] };
}

/** The application's route table with each route's declared access rule. */
export function listRoutes(app: Application): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  const walk = (stack: RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        // Only a rule in first place counts: nothing may run before the route's access check.
        const declared = (layer.route.stack[0]?.handle as Partial<AccessHandler> | undefined)?.accessRule;
        for (const method of Object.keys(layer.route.methods)) {
          routes.push({ method: method.toUpperCase(), path: layer.route.path, rule: declared });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return routes;
}

export function assertEveryRouteDeclaresAccess(app: Application): void {
  const undeclared = listRoutes(app).filter((r) => !r.rule);
  if (undeclared.length > 0) {
    throw new Error(`Routes without an access rule: ${undeclared.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  }
}
