import { Router } from 'express';
import type { Uses } from '../../services';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
  }
}

/** The front page: the signed-in person's companies, or the invitation to connect one. */
export function homeRoutes(context: Uses<'companies'>): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const userId = req.session.userId;
    const companies = userId ? await context.services.companies.forUser(userId) : [];
    res.render('home', { title: 'Ardesk', signedIn: Boolean(userId), companies });
  });
  return router;
}
