import { Router } from 'express';
import { z } from 'zod';
import type { Uses } from '../../services';
import { localDateSchema } from '../../collections/local-date-schema';
import { accountJson } from '../presenters/money-json';
import { loadCompany, requireSignIn } from '../access';
import { recordId } from '../route-params';

const accountQuery = z.object({ date: localDateSchema.optional() }).strict();

/** `GET /api/realms/:realmId/accounts/:customerId?date=`: one account's state, the call sheet's figures. */
export function accountRoutes(context: Uses<'companyAccess' | 'accounts'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  router.get('/api/realms/:realmId/accounts/:customerId', requireSignIn, async (req, res) => {
    const customerId = recordId(req, 'customerId', 'quickBooks', 'customer');
    const { date } = accountQuery.parse(req.query);
    res.json(accountJson(await context.services.accounts.view(req.company!.realm_id, customerId, date)));
  });
  return router;
}
