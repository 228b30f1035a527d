import { Router } from 'express';
import { access } from '../../platform/http/access';

export function createHomeRoutes(): Router {
  const router = Router({ caseSensitive: true });
  router.get('/', access.public(), (req, res) => {
    res.render('home', { title: req.t('home.title') });
  });
  return router;
}
