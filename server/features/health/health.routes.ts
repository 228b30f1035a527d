import { Router } from 'express';
import type { Database } from '../../platform/db';
import { access } from '../../platform/http/access';
import type { JobHealth } from '../../jobs/heartbeats';

export function createHealthRoutes({ db, jobs }: { db: Database; jobs: { health(): Promise<JobHealth[]> } }): Router {
  const router = Router({ caseSensitive: true });
  router.get('/healthz', access.public(), async (_req, res) => {
    const reachable = await db.isReachable();
    if (!reachable) {
      res.status(503).json({ status: 'unavailable', database: db.dialect });
      return;
    }
    // A stale job does not make this process unhealthy (it may not be the one running it): it is
    // reported for whoever watches the jobs, while the status keeps saying whether to send requests here.
    res.json({ status: 'ok', database: db.dialect, jobs: await jobs.health() });
  });
  return router;
}
