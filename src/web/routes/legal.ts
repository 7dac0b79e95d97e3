import { Router } from 'express';
import type { WebDeps } from '../deps';

/**
 * The end-user licence agreement and the privacy policy Intuit's app listing asks for
 * ($PUBLIC_URL/eula and $PUBLIC_URL/privacy). Built-in text, unless the operator publishes its
 * own (EULA_URL, PRIVACY_URL): then these addresses redirect there, and every page links there.
 */
export function legalRoutes(context: Pick<WebDeps, 'config'>): Router {
  const router = Router();
  const { legal, retentionDays } = context.config;
  router.get('/eula', (_req, res) => {
    if (legal.eulaUrl) return res.redirect(302, legal.eulaUrl);
    res.render('eula', { title: 'End-user licence agreement', retentionDays });
  });
  router.get('/privacy', (_req, res) => {
    if (legal.privacyUrl) return res.redirect(302, legal.privacyUrl);
    res.render('privacy', { title: 'Privacy policy', retentionDays });
  });
  return router;
}
