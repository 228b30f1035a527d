import { Router } from 'express';
import type { Database } from '../../platform/db';
import { access } from '../../platform/http/access';

export function createHealthRoutes({ db }: { db: Database }): Router {
  const router = Router({ caseSensitive: true });
  router.get('/healthz', access.public(), async (_req, res) => {
    const reachable = await db.isReachable();
    res.status(reachable ? 200 : 503).json({ status: reachable ? 'ok' : 'unavailable', database: db.dialect });
  });
  return router;
}
