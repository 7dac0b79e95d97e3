import { Router } from 'express';
import type { AppContext } from '../../app-context';
import type { Company } from '../../db/schema';
import { loadCompany, requireSignIn } from '../access';

function present(company: Company) {
  return {
    realmId: company.realm_id,
    name: company.name,
    status: company.status,
    statusReason: company.status_reason,
    timezone: company.timezone,
    currency: company.currency,
    connectedAt: company.connected_at,
  };
}

/** The JSON API: a session or `Authorization: Bearer $API_TOKEN`; companies isolated per person. */
export function apiRoutes(context: AppContext): Router {
  const router = Router();
  router.use('/api', requireSignIn);
  router.param('realmId', loadCompany(context));

  router.get('/api/realms', async (req, res) => {
    const companies = req.operator
      ? [...(await context.repos.companies.listByStatus('connected')), ...(await context.repos.companies.listByStatus('needs_reconnect')), ...(await context.repos.companies.listByStatus('disconnected'))]
      : await context.repos.companies.listForUser(req.session.userId!);
    res.json({ realms: companies.map(present) });
  });

  router.get('/api/realms/:realmId', (req, res) => {
    res.json(present(req.company!));
  });
  return router;
}
