import { randomUUID } from 'node:crypto';
import { playbookSettingsSchema } from '../../collections/settings';
import { Router, type Request, type Response } from 'express';
import type { BacktestReport } from '../../collections/backtest';
import { addDays, type LocalDate } from '../../collections/calendar';
import { localDateSchema } from '../../collections/local-date-schema';
import { DUNNING_KINDS, MESSAGE_NAMES } from '../../collections/message-kinds';
import type { MessageKind } from '../../collections/model';
import type { Uses } from '../../services';
import type { BacktestProgress } from '../../services/backtest';
import { NotFoundError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';
import { BacktestRuns, type BacktestRun, type Tried } from '../backtest-runs';

const LATE_SHOWN = 200;
const REFRESH_SECONDS = 1;
const CHART = { height: 120, bar: 14, gap: 4, top: 8, bottom: 4 };
/** Message kinds in the order their bars stack and their key reads. */
const KINDS: MessageKind[] = ['reminder', 'overdue_statement', 'second_notice', 'demand_letter', 'final_notice', 'thank_you', 'verification', 'promise_confirmation', 'plan_confirmation'];

interface FormValues {
  from: string;
  to: string;
  level1: string;
  level2: string;
  level3: string;
  level4: string;
  dunningGapDays: string;
  minDaysBetweenLevels: string;
}

function formOf(from: LocalDate, to: LocalDate, tried: Tried): FormValues {
  const [level1, level2, level3, level4] = tried.levelDays.map(String) as [string, string, string, string];
  return { from, to, level1, level2, level3, level4, dunningGapDays: String(tried.dunningGapDays), minDaysBetweenLevels: String(tried.minDaysBetweenLevels) };
}

const TRIED_SCHEMA = playbookSettingsSchema.pick({ levelDays: true, dunningGapDays: true, minDaysBetweenLevels: true });

/** The posted form, judged: a window and the settings to try, or what is wrong, field by field. */
function readForm(body: Record<string, unknown>): { values: FormValues; errors: Record<string, string>; parsed?: { from: LocalDate; to: LocalDate; tried: Tried } } {
  const text = (name: keyof FormValues) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, 20) : '');
  const values: FormValues = { from: text('from'), to: text('to'), level1: text('level1'), level2: text('level2'), level3: text('level3'), level4: text('level4'), dunningGapDays: text('dunningGapDays'), minDaysBetweenLevels: text('minDaysBetweenLevels') };
  const errors: Record<string, string> = {};
  const day = (name: 'from' | 'to', label: string) => {
    const parsed = localDateSchema.safeParse(values[name]);
    if (!parsed.success) errors[name] = `${label} must be a date, for example 2026-01-31.`;
    return parsed.success ? parsed.data : null;
  };
  const whole = (name: keyof FormValues, label: string, max: number) => {
    const n = /^\d{1,4}$/.test(values[name]) ? Number(values[name]) : Number.NaN;
    if (!Number.isInteger(n) || n > max) errors[name] = `${label} must be a whole number of days from 0 to ${max}.`;
    return n;
  };
  const from = day('from', 'The first day');
  const to = day('to', 'The last day');
  if (from && to && from > to) errors.to = 'The last day must be on or after the first day.';
  if (from && to && from <= to && to > addDays(from, 3 * 366)) errors.to = 'Try at most three years at a time.';
  const levels = (['level1', 'level2', 'level3', 'level4'] as const).map((name, i) => whole(name, `Level ${i + 1}`, 3650));
  if (levels.every(Number.isInteger)) {
    levels.forEach((days, i) => {
      if (i > 0 && days <= levels[i - 1]!) errors[`level${i + 1}`] = `Level ${i + 1} must come later than level ${i} (more days overdue).`;
    });
    if (levels[0]! < 1) errors.level1 = 'Level 1 must be at least 1 day overdue.';
  }
  const dunningGapDays = whole('dunningGapDays', 'The days between emails', 365);
  const minDaysBetweenLevels = whole('minDaysBetweenLevels', 'The days between levels', 365);
  if (Object.keys(errors).length || !from || !to) return { values, errors };
  // The settings' own limits (SPEC §4's ranges), in the schema's words: one rule, one place.
  const tried = { levelDays: levels as Tried['levelDays'], dunningGapDays, minDaysBetweenLevels };
  const checked = TRIED_SCHEMA.safeParse(tried);
  if (!checked.success) {
    for (const issue of checked.error.issues) errors[issue.path[0] === 'levelDays' ? 'level1' : String(issue.path[0])] ??= issue.message;
    return { values, errors };
  }
  return { values, errors, parsed: { from, to, tried } };
}

const sameSettings = (a: Tried, b: Tried) => a.levelDays.join() === b.levelDays.join() && a.dunningGapDays === b.dunningGapDays && a.minDaysBetweenLevels === b.minDaysBetweenLevels;
const daysText = (n: number | null) => (n === null ? '–' : `${n} ${n === 1 ? 'day' : 'days'}`);
const dunning = (report: BacktestReport) => Object.entries(report.totals.messages).reduce((n, [kind, count]) => n + (DUNNING_KINDS.has(kind) ? count ?? 0 : 0), 0);

/** The messages of each week as stacked bars: rectangles with their sizes, coloured by class. */
function weeklyChart(report: BacktestReport) {
  const largest = Math.max(1, ...report.weeks.map((w) => w.totalMessages));
  const inner = CHART.height - CHART.top - CHART.bottom;
  const bars = report.weeks.map((week, index) => {
    const x = index * (CHART.bar + CHART.gap);
    let y = CHART.height - CHART.bottom;
    const parts = KINDS.filter((kind) => week.messages[kind]).map((kind) => {
      const height = Math.max(1, Math.round((week.messages[kind]! / largest) * inner));
      y -= height;
      return { kind, x, y, width: CHART.bar, height };
    });
    return { week: week.week, total: week.totalMessages, parts };
  });
  return { width: Math.max(CHART.bar, report.weeks.length * (CHART.bar + CHART.gap)), height: CHART.height, largest, bars };
}

/** One column of the report: the figures a person reads, in plain words. */
function summaryOf(report: BacktestReport) {
  const t = report.totals;
  return {
    levels: report.settings.levelDays.join(', '),
    dunningGapDays: daysText(report.settings.dunningGapDays),
    minDaysBetweenLevels: daysText(report.settings.minDaysBetweenLevels),
    sentMessages: t.sentMessages,
    dunningMessages: dunning(report),
    callsOpened: t.callsOpened,
    lateInvoices: t.lateInvoices,
    lateDollars: t.lateDollars,
    paidAfterFirstContact: t.paidAfterFirstContact,
    paidAfterFirstContactShare: t.paidAfterFirstContactShare,
    medianDaysDueToFirstReminder: daysText(t.medianDaysDueToFirstReminder),
    medianDaysFirstContactToPaid: daysText(t.medianDaysFirstContactToPaid),
    escalations: report.escalations.length,
  };
}

function reportView(report: BacktestReport, other?: BacktestReport) {
  const otherFirst = new Map(other?.lateInvoices.map((i) => [i.invoiceId, i.firstReminderOn]) ?? []);
  return {
    summary: summaryOf(report),
    chart: weeklyChart(report),
    kindsUsed: KINDS.filter((kind) => report.totals.messages[kind]).map((kind) => ({ kind, name: MESSAGE_NAMES[kind], count: report.totals.messages[kind] })),
    weeks: report.weeks.map((w) => ({
      week: w.week,
      total: w.totalMessages,
      byKind: KINDS.filter((kind) => w.messages[kind]).map((kind) => `${MESSAGE_NAMES[kind]} ${w.messages[kind]}`).join(', '),
      callsOpened: w.callsOpened,
      callsRaised: w.callsRaised,
      listMax: w.listMax,
    })),
    busiestDays: report.busiestDays,
    lateShown: Math.min(LATE_SHOWN, report.lateInvoices.length),
    lateInvoices: report.lateInvoices.slice(0, LATE_SHOWN).map((i) => ({
      number: i.docNumber ? `No. ${i.docNumber}` : `Invoice ${i.invoiceId}`,
      dueDate: i.dueDate,
      lateBalance: i.lateBalance,
      firstReminderOn: i.firstReminderOn,
      firstReminderKind: i.firstReminderKind ? MESSAGE_NAMES[i.firstReminderKind] : null,
      otherFirstReminderOn: other ? otherFirst.get(i.invoiceId) ?? null : undefined,
      laterSteps: i.steps.filter((s) => s.kind !== 'level').slice(1).map((s) => `${s.on} ${MESSAGE_NAMES[s.kind as MessageKind]}`),
      paidOn: i.paidOn,
    })),
    escalations: report.escalations,
    unexplainedBalances: report.totals.unexplainedBalances,
  };
}

/**
 * *Try the playbook on your history* (issue 25): a window and the settings to try, the back-test
 * run in this process under an id of its own (its page shows a progress bar and refreshes itself
 * until the report is there), and the report, side by side with the company's settings when
 * others were tried. Nothing is sent and nothing is saved; a run is its company's only.
 */
export function backtestPages(context: Uses<'companyAccess' | 'backtest' | 'settings'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));
  const { backtest, settings } = context.services;
  const runs = new BacktestRuns();

  const companySettings = async (req: Request): Promise<Tried & { today: LocalDate }> => {
    const stored = await settings.settingsOf(req.company!.realm_id, req.company!.timezone);
    return { levelDays: stored.levelDays, dunningGapDays: stored.dunningGapDays, minDaysBetweenLevels: stored.minDaysBetweenLevels, today: settings.todayIn(stored) };
  };

  const showForm = (req: Request, res: Response, values: FormValues, errors: Record<string, string> = {}) => {
    if (Object.keys(errors).length) res.status(400);
    res.render('backtest', { title: 'Try the playbook on your history', company: req.company, form: values, errors, hasErrors: Object.keys(errors).length > 0 });
  };

  router.get('/companies/:realmId/backtest', requireSignIn, async (req, res) => {
    const { today, ...tried } = await companySettings(req);
    showForm(req, res, formOf(addDays(today, -364), today, tried));
  });

  router.post('/companies/:realmId/backtest', requireSignIn, async (req, res) => {
    const { values, errors, parsed } = readForm((req.body ?? {}) as Record<string, unknown>);
    if (!parsed) return showForm(req, res, values, errors);
    const realmId = req.company!.realm_id;
    // One back-test at a time per company: while one runs, its page is where the form leads.
    const running = runs.runningFor(realmId);
    if (running) return res.redirect(303, `/companies/${realmId}/backtest/${running.id}`);
    const { today: _today, ...own } = await companySettings(req);
    const changed = !sameSettings(own, parsed.tried);
    const run: BacktestRun = { id: randomUUID(), realmId, from: parsed.from, to: parsed.to, tried: parsed.tried, changed, progress: { phase: 'loading', done: 0, total: 0 }, startedAt: Date.now() };
    if (!runs.keep(run)) {
      const failed = 'Many back-tests are running at the moment. Try again in a minute.';
      return res.status(503).set('Retry-After', '60').render('backtest', { title: 'Try the playbook on your history', company: req.company, form: values, errors: {}, failed });
    }
    const request = { realmId, from: parsed.from, to: parsed.to, onProgress: (progress: BacktestProgress) => void (run.progress = progress) };
    const work = changed ? backtest.compare({ ...request, variant: parsed.tried }).then((c) => ({ baseline: c.baseline, variant: c.variant })) : backtest.run(request).then((baseline) => ({ baseline }));
    work.then(
      (result) => void (run.result = result),
      (error: unknown) => {
        run.failed = error instanceof RangeError ? error.message : 'The back-test could not finish. Try again, or a shorter window.';
        req.log?.error({ err: error, runId: run.id }, 'back-test failed');
      },
    );
    res.redirect(303, `/companies/${realmId}/backtest/${run.id}`);
  });

  router.get('/companies/:realmId/backtest/:runId', requireSignIn, (req, res) => {
    const run = runs.get(String(req.params.runId));
    // Another company's run, or one this process no longer keeps, is not there.
    if (!run || run.realmId !== req.company!.realm_id) throw new NotFoundError('No such back-test: it may have been cleared; run it again');
    const title = 'Try the playbook on your history';
    const form = formOf(run.from, run.to, run.tried);
    if (run.failed) return res.status(500).render('backtest', { title, company: req.company, form, errors: {}, failed: run.failed });
    if (!run.result) {
      const { phase, done, total } = run.progress;
      return res.render('backtest', { title, company: req.company, form, errors: {}, running: { loading: phase === 'loading' || !total, done, total, percent: total ? Math.floor((done / total) * 100) : 0 }, refresh: { seconds: REFRESH_SECONDS } });
    }
    const { baseline, variant } = run.result;
    // Each report's view once: the summary table and the columns below read the same one.
    const yours = reportView(baseline, variant);
    const tried = variant ? reportView(variant) : null;
    res.render('backtest', {
      title,
      company: req.company,
      form,
      errors: {},
      report: {
        from: run.from,
        to: run.to,
        days: baseline.days,
        compared: Boolean(variant),
        // The company's settings first; the tried ones beside them, and their details below.
        yours,
        tried,
        columns: [{ key: 'yours', heading: variant ? 'your settings' : 'with your settings', view: yours }, ...(tried ? [{ key: 'tried', heading: 'tried', view: tried }] : [])],
      },
    });
  });

  return router;
}
