import { Router } from 'express';
import { access } from '../http/access';
import type { BackgroundJobs } from './index';

const PUBLIC_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * A job's progress page and its JSON (which the page's script polls), for the account that asked
 * for the job only. Each kind names its texts under `jobs.<kind>` and where to go back to.
 */
export function createJobRoutes(jobs: BackgroundJobs): Router {
  const router = Router({ caseSensitive: true });

  router.get('/jobs/:publicId.json', access.signedIn(), async (req, res) => {
    const job = await jobs.find(PUBLIC_ID.test(String(req.params.publicId)) ? String(req.params.publicId) : '', req.user!.accountId);
    res.json({ status: job.status, done: job.progressDone, total: job.progressTotal, percent: job.percent });
  });

  router.get('/jobs/:publicId', access.signedIn(), async (req, res) => {
    const job = await jobs.find(PUBLIC_ID.test(String(req.params.publicId)) ? String(req.params.publicId) : '', req.user!.accountId);
    const counts = { ...(job.state as Record<string, unknown>), done: job.progressDone, total: job.progressTotal };
    res.render('jobs/progress', {
      title: req.t(`jobs.${job.kind}.title`),
      job,
      statusLabel: req.t(`jobs.status.${job.status}`),
      finished: job.status === 'done' || job.status === 'failed',
      result: job.status === 'done' ? req.t(`jobs.${job.kind}.done`, counts) : null,
      failure: job.status === 'failed' ? { reason: req.t(job.errorKey ?? 'jobs.failed'), kept: req.t(`jobs.${job.kind}.failedKept`, counts) } : null,
      back: { url: jobs.backUrl(job.kind), label: req.t(`jobs.${job.kind}.back`) },
    });
  });

  return router;
}
