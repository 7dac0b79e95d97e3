import { Router, type Request, type Response } from 'express';
import { z, ZodError } from 'zod';
import { collectorText } from '../../collections/collector-input';
import { optionalLocalDate } from '../../collections/local-date-schema';
import type { Uses } from '../../services';
import { playbookSettingsSchema, type PlaybookSettings } from '../../collections/settings';
import type { AgingBucket } from '../../collections/reports';
import { formatMoney, sumCents } from '../../collections/money';
import type { WeekOfResults } from '../../collections/weekly-results';
import { barChart } from '../presenters/charts';
import { loadCompany, requireSignIn } from '../access';
import { recordId } from '../route-params';
import { toProblem } from '../error-handler';
import { postalLines } from '../../mail/merge-data';
import { sentence, settingsFormErrors, zodProblems, type FormErrors } from '../presenters/form-errors';

const periodQuery = z.object({ from: optionalLocalDate, to: optionalLocalDate }).strict().refine((p) => !p.from || !p.to || p.from <= p.to, { message: 'The start date must be on or before the end date', path: ['from'] });
const PERIOD_FIELDS: Record<string, string> = { from: 'The start date', to: 'The end date' };
const BUCKETS: Array<[AgingBucket, string]> = [['current', 'Current'], ['1-30', '1-30 days'], ['31-60', '31-60 days'], ['61-90', '61-90 days'], ['90+', 'Over 90']];
const resolveForm = z.object({ resolution: collectorText({ min: 1, max: 2000, trim: true, required: 'say how it was resolved' }), _csrf: z.string().optional() }).strict();
/** The sender identity form's fields, as the service names them. */
const SENDER_FIELDS = ['collectorName', 'collectorTitle', 'replyTo', 'directPhone', 'remitTo', 'bankTransfer', 'returnAddress', 'fromAddress'] as const;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const RECENT_DAYS = 60;

/** Results' pictures: money coming in each week, and the promises that fell due against those kept. */
function weeklyCharts(weeks: readonly WeekOfResults[], currency: string) {
  const money = (cents: number) => formatMoney(cents, currency);
  const label = (week: WeekOfResults) => week.weekOf.slice(5);
  return {
    weeks,
    collectedChart: barChart(weeks.map((w) => ({ label: label(w), values: [w.collected] })), [{ name: 'Collected', tone: 'chart-a' }], money),
    promisesChart: barChart(weeks.map((w) => ({ label: label(w), values: [w.promisesDue, w.promisesKept] })), [{ name: 'Promises due', tone: 'chart-b' }, { name: 'Kept', tone: 'chart-a' }], (n) => String(n)),
  };
}

/**
 * The settings form as posted (strings and checkbox lists) → the settings API's shape; zod judges
 * the values. Every setting is on the form: one left off would come back as its default on save.
 */
export function settingsFromForm(form: Record<string, unknown>): Partial<PlaybookSettings> {
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const number = (name: string) => (text(name) === '' ? Number.NaN : Number(text(name)));
  const days = (name: string) => ([] as unknown[]).concat(form[name] ?? []).map(Number);
  const window = (prefix: string) => ({ days: days(`${prefix}Days`), startHour: number(`${prefix}Start`), endHour: number(`${prefix}End`) });
  return {
    timezone: text('timezone'),
    levelDays: [number('level1'), number('level2'), number('level3'), number('level4')],
    minDaysBetweenLevels: number('minDaysBetweenLevels'),
    dunningGapDays: number('dunningGapDays'),
    verificationMaxAgeDays: number('verificationMaxAgeDays'),
    promiseGraceDays: number('promiseGraceDays'),
    customerPromiseMaxDays: number('customerPromiseMaxDays'),
    aAccountShare: number('aAccountPercent') / 100,
    sendWindow: window('send'),
    callWindows: { commercial: window('commercial'), personal: window('personal') },
    writeNotesToQuickBooks: form.writeNotesToQuickBooks === 'on',
    writeCustomersToQuickBooks: form.writeCustomersToQuickBooks === 'on',
    quickBooksInvoicePdfs: form.quickBooksInvoicePdfs === 'on',
    pauseOnReply: form.pauseOnReply === 'on',
    collectionAgency: text('collectionAgency'),
    filesSmallClaims: form.filesSmallClaims === 'on',
    collectionCharges: text('collectionCharges'),
    reportsToCreditBureaus: form.reportsToCreditBureaus === 'on',
  };
}

/**
 * The pages that look back and set the rules: promises (due today, broken, kept), the results
 * dashboard, disputes with the systems log, the month's difficult customers, and the settings.
 */
export function reportPages(context: Uses<'companyAccess' | 'settings' | 'promises' | 'reports' | 'disputes' | 'senderIdentity'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));

  router.get('/companies/:realmId/promises', requireSignIn, async (req, res) => {
    const { today, promises: shown } = await context.services.promises.recent(req.company!.realm_id, RECENT_DAYS);
    res.render('promises', {
      title: 'Promises to pay',
      company: req.company,
      today,
      recentDays: RECENT_DAYS,
      dueToday: shown.filter((p) => p.status === 'open' && p.due_on <= today),
      upcoming: shown.filter((p) => p.status === 'open' && p.due_on > today),
      broken: shown.filter((p) => p.status === 'broken' || p.status === 'partly_kept').reverse(),
      kept: shown.filter((p) => p.status === 'kept').reverse(),
    });
  });

  router.get('/companies/:realmId/results', requireSignIn, async (req, res) => {
    const parsed = periodQuery.safeParse(req.query);
    if (!parsed.success) {
      // The form again, as typed, with what is wrong next to its field.
      const typed = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : '');
      const errors = Object.fromEntries(zodProblems(parsed.error).map(({ field, message }) => {
        const name = field.split('.')[0] || 'form';
        return [name, sentence(PERIOD_FIELDS[name] ?? '', message)];
      }));
      res.status(400).render('results', { title: 'Results', company: req.company, period: { from: typed('from'), to: typed('to') }, errors });
      return;
    }
    const results = await context.services.reports.results(req.company!.realm_id, parsed.data);
    const largest = Math.max(1, ...Object.values(results.aging));
    const totalOpen = sumCents(Object.values(results.aging));
    res.render('results', {
      title: 'Results',
      company: req.company,
      period: { from: results.from, to: results.to },
      results,
      aging: BUCKETS.map(([bucket, label]) => {
        const amount = results.aging[bucket] ?? 0;
        return { bucket, label, amount, width: Math.round((amount / largest) * 100) };
      }),
      totalOpen,
      ...weeklyCharts(results.weekly, req.company!.currency),
    });
  });

  router.get('/companies/:realmId/disputes', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const [disputes, log] = await Promise.all([
      context.services.disputes.list(realmId, 500),
      context.services.reports.systemsLog(realmId),
    ]);
    res.render('disputes', { title: 'Disputes and the systems log', company: req.company, disputes: disputes.map((d) => ({ ...d, open: d.status === 'open' })), log: log.entries, resolved: req.query.resolved === '1' });
  });

  router.post('/companies/:realmId/disputes/:disputeId/resolve', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const disputeId = recordId(req, 'disputeId', 'uuid', 'dispute');
    const { resolution } = resolveForm.parse(req.body ?? {});
    await context.services.disputes.resolve(realmId, disputeId, resolution, req.log);
    res.redirect(303, `/companies/${realmId}/disputes?resolved=1`);
  });

  router.get('/companies/:realmId/difficult-customers', requireSignIn, async (req, res) => {
    const report = await context.services.reports.difficultCustomers(req.company!.realm_id);
    res.render('difficult-customers', { title: `Difficult customers, ${report.month}`, company: req.company, report });
  });

  const showSettings = async (req: Request, res: Response, extra: { form?: Record<string, unknown>; errors?: FormErrors; saved?: boolean; sender?: { form?: Record<string, unknown>; errors?: Record<string, string>; saved?: boolean } } = {}) => {
    const [settings, identity] = await Promise.all([context.services.settings.settingsOf(req.company!.realm_id, req.company!.timezone), context.services.senderIdentity.of(req.company!.realm_id)]);
    // The sender identity form: after a refusal what was typed, else what is stored; an empty
    // return address shows the company address QuickBooks gave as its placeholder.
    const senderForm = extra.sender?.form;
    const senderValue = (name: keyof typeof identity) => (senderForm ? String(senderForm[name] ?? '') : (identity[name] ?? ''));
    const sender = {
      saved: extra.sender?.saved,
      errors: extra.sender?.errors ?? {},
      refused: Boolean(extra.sender?.errors),
      values: Object.fromEntries(SENDER_FIELDS.map((name) => [name, senderValue(name)])),
      companyAddress: postalLines(req.company!.address as Parameters<typeof postalLines>[0]).join('\n'),
    };
    // After a refusal the form shows what was typed; otherwise what is stored.
    const form = extra.form;
    const typed = (name: string, stored: number | string) => (form ? String(form[name] ?? '') : String(stored));
    const window = (prefix: string, label: string, stored: PlaybookSettings['sendWindow']) => {
      const checked = form ? new Set(([] as unknown[]).concat(form[`${prefix}Days`] ?? []).map(Number)) : new Set(stored.days);
      const problem = (suffix: string) => extra.errors?.fields[`${prefix}${suffix}`];
      return { prefix, label, start: typed(`${prefix}Start`, stored.startHour), end: typed(`${prefix}End`, stored.endHour), days: WEEKDAYS.map((name, day) => ({ day, name, checked: checked.has(day) })), errors: { days: problem('Days'), start: problem('Start'), end: problem('End') } };
    };
    if (extra.errors || extra.sender?.errors) res.status(400);
    res.render('settings', {
      title: 'Playbook settings',
      company: req.company,
      sender,
      // A refusal: each problem next to its field, the rest at the top; what was typed is kept.
      error: extra.errors ? { others: extra.errors.others, marked: Object.keys(extra.errors.fields).length > 0 } : null,
      errors: extra.errors?.fields ?? {},
      saved: extra.saved,
      values: {
        timezone: typed('timezone', settings.timezone),
        levels: settings.levelDays.map((days, index) => ({ name: `level${index + 1}`, level: index + 1, value: typed(`level${index + 1}`, days) })),
        minDaysBetweenLevels: typed('minDaysBetweenLevels', settings.minDaysBetweenLevels),
        dunningGapDays: typed('dunningGapDays', settings.dunningGapDays),
        verificationMaxAgeDays: typed('verificationMaxAgeDays', settings.verificationMaxAgeDays),
        promiseGraceDays: typed('promiseGraceDays', settings.promiseGraceDays),
        customerPromiseMaxDays: typed('customerPromiseMaxDays', settings.customerPromiseMaxDays),
        aAccountPercent: typed('aAccountPercent', Math.round(settings.aAccountShare * 100)),
        writeNotes: form ? form.writeNotesToQuickBooks === 'on' : settings.writeNotesToQuickBooks,
        writeCustomers: form ? form.writeCustomersToQuickBooks === 'on' : settings.writeCustomersToQuickBooks,
        quickBooksInvoicePdfs: form ? form.quickBooksInvoicePdfs === 'on' : settings.quickBooksInvoicePdfs,
        pauseOnReply: form ? form.pauseOnReply === 'on' : settings.pauseOnReply,
        collectionAgency: typed('collectionAgency', settings.collectionAgency),
        filesSmallClaims: form ? form.filesSmallClaims === 'on' : settings.filesSmallClaims,
        collectionCharges: typed('collectionCharges', settings.collectionCharges),
        reportsToCreditBureaus: form ? form.reportsToCreditBureaus === 'on' : settings.reportsToCreditBureaus,
      },
      windows: [window('send', 'Emails and letters go out', settings.sendWindow), window('commercial', 'Call commercial customers', settings.callWindows.commercial), window('personal', 'Call personal customers', settings.callWindows.personal)],
    });
  };

  router.get('/companies/:realmId/settings', requireSignIn, async (req, res) => {
    await showSettings(req, res, { saved: req.query.saved === '1', sender: { saved: req.query.senderSaved === '1' } });
  });

  router.post('/companies/:realmId/settings', requireSignIn, async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      await context.services.settings.change(req.company!.realm_id, playbookSettingsSchema.partial().parse(settingsFromForm(form)));
    } catch (error) {
      if (error instanceof ZodError || toProblem(error).status === 400) return showSettings(req, res, { form, errors: settingsFormErrors(error) });
      throw error;
    }
    res.redirect(303, `/companies/${req.company!.realm_id}/settings?saved=1`);
  });

  router.post('/companies/:realmId/settings/sender', requireSignIn, async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      await context.services.senderIdentity.change(req.company!.realm_id, Object.fromEntries(SENDER_FIELDS.map((name) => [name, form[name]])));
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      // Each problem next to its field, in the words the schema gives it.
      const errors: Record<string, string> = {};
      for (const issue of error.issues) errors[String(issue.path[0] ?? 'collectorName')] ??= issue.message;
      return showSettings(req, res, { sender: { form, errors } });
    }
    res.redirect(303, `/companies/${req.company!.realm_id}/settings?senderSaved=1#sender`);
  });
  return router;
}
