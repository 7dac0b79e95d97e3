import { Router } from 'express';
import type { Uses } from '../../services';
import { z } from 'zod';
import { localDateSchema } from '../../collections/local-date-schema';
import type { Company } from '../../db/schema';
import type { SyncState } from '../../services/company-sync';
import { playbookSettingsSchema } from '../../collections/settings';
import { workListJson } from '../presenters/money-json';
import { FILTER_FLAGS } from '../../collections/worklist';
import type { DifficultCustomersReport, ResultsReport } from '../../services/reports';
import { centsToNumber } from '../../collections/money';
import { loadCompany, requireSignIn, visibleCompanies } from '../access';
import { recordId } from '../route-params';

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

export function presentSync(state: SyncState) {
  if (!state) return { lastSuccessAt: null, lastMode: null, counts: {}, lastError: null, skipped: [] };
  return {
    lastSuccessAt: state.last_success_at,
    lastFullAt: state.last_full_at,
    // When the open part of the first sync was in (the work list could be made); the history follows.
    worklistReadyAt: state.worklist_ready_at,
    lastMode: state.last_mode,
    counts: state.counts,
    skipped: state.skipped,
    lastError: state.last_error,
    lastErrorAt: state.last_error_at,
  };
}

/** The results in the API's shape: amounts as JSON numbers of currency units (15231.89). */
function presentResults(results: ResultsReport) {
  const aging = Object.fromEntries(Object.entries(results.aging).map(([bucket, cents]) => [bucket, centsToNumber(cents)]));
  const weekly = results.weekly.map((w) => ({ ...w, collected: centsToNumber(w.collected), promisedAmountDue: centsToNumber(w.promisedAmountDue), promisedAmountKept: centsToNumber(w.promisedAmountKept) }));
  return { ...results, aging, weekly, collectedAfterContact: centsToNumber(results.collectedAfterContact) };
}

function presentDifficultCustomers(report: DifficultCustomersReport) {
  return { ...report, customers: report.customers.map((customer) => ({ ...customer, balance: centsToNumber(customer.balance), overdueBalance: centsToNumber(customer.overdueBalance) })) };
}

/** The JSON API: a session or `Authorization: Bearer $API_TOKEN`; companies isolated per person. */
export function apiRoutes(context: Uses<'companyAccess' | 'companySync' | 'workList' | 'callOutcomes' | 'settings' | 'reports' | 'cadence'>): Router {
  const router = Router();
  router.use('/api', requireSignIn);
  router.param('realmId', loadCompany(context));

  router.get('/api/realms', async (req, res) => {
    const companies = await visibleCompanies(context, req);
    res.json({ realms: companies.map(present) });
  });

  router.get('/api/realms/:realmId', async (req, res) => {
    res.json({ ...present(req.company!), sync: presentSync(await context.services.companySync.status(req.company!.realm_id)) });
  });

  // Metered QuickBooks reads (SPEC §3) of one month, by kind and day; this month by default.
  const readsQuery = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM').optional() });
  router.get('/api/realms/:realmId/quickbooks-reads', async (req, res) => {
    const { month } = readsQuery.parse(req.query);
    res.json(await context.services.companySync.reads(req.company!.realm_id, month));
  });

  const cadenceQuery = z.object({
    date: localDateSchema.optional(),
  });
  const worklistQuery = cadenceQuery
    .extend({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      type: z.enum(['commercial', 'personal']).optional(),
      level: z.coerce.number().int().min(0).max(4).optional(),
      flag: z.enum(FILTER_FLAGS).optional(),
    })
    .strict();
  router.get('/api/realms/:realmId/worklist', async (req, res) => {
    const { date, limit, offset, ...filter } = worklistQuery.parse(req.query);
    res.json(workListJson(await context.services.workList.forDay(req.company!.realm_id, date, { limit, offset }, filter)));
  });

  router.post('/api/realms/:realmId/tasks/:taskId/outcome', async (req, res) => {
    const taskId = recordId(req, 'taskId', 'uuid', 'call task');
    const result = await context.services.callOutcomes.record(req.company!.realm_id, taskId, req.body);
    await context.services.callOutcomes.after(req.company!.realm_id, result, req.log);
    res.json(result);
  });

  const period = z.object({ from: cadenceQuery.shape.date, to: cadenceQuery.shape.date }).refine((p) => !p.from || !p.to || p.from <= p.to, { message: 'from must not be after to', path: ['from'] });
  router.get('/api/realms/:realmId/settings', async (req, res) => {
    res.json(await context.services.settings.settingsOf(req.company!.realm_id, req.company!.timezone));
  });
  // Every field may be sent on its own; what is sent replaces the stored value, and the whole
  // result must be valid before anything is saved.
  router.put('/api/realms/:realmId/settings', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = playbookSettingsSchema.partial().strict().parse(body);
    // zod fills defaults even in a partial schema: keep only what was actually sent.
    const changes = Object.fromEntries(Object.entries(parsed).filter(([key]) => key in body));
    res.json(await context.services.settings.change(req.company!.realm_id, changes));
  });

  router.get('/api/realms/:realmId/results', async (req, res) => {
    res.json(presentResults(await context.services.reports.results(req.company!.realm_id, period.parse(req.query))));
  });
  router.get('/api/realms/:realmId/difficult-customers', async (req, res) => {
    res.json(presentDifficultCustomers(await context.services.reports.difficultCustomers(req.company!.realm_id)));
  });
  router.get('/api/realms/:realmId/systems-log', async (req, res) => {
    res.json(await context.services.reports.systemsLog(req.company!.realm_id));
  });

  router.post('/api/realms/:realmId/cadence/run', async (req, res) => {
    const { date } = cadenceQuery.parse(req.query);
    res.json(await context.services.cadence.runDay(req.company!.realm_id, date));
  });

  const syncBody = z.object({ mode: z.enum(['full', 'incremental', 'auto']).default('auto') }).strict();
  router.post('/api/realms/:realmId/sync', async (req, res) => {
    const { mode } = syncBody.parse(req.body ?? {});
    if (req.company!.status !== 'connected') {
      res.status(409).json({ error: { code: 'not_connected', message: `The company is ${req.company!.status.replace('_', ' ')}; reconnect it first` } });
      return;
    }
    const jobId = await context.services.companySync.requestNow(req.company!.realm_id, mode, 'api');
    res.status(202).json({ queued: true, jobId, mode });
  });
  return router;
}
