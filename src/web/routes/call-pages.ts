import { Router, type Request, type Response } from 'express';
import { z, ZodError } from 'zod';
import { peopleToAsk } from '../presenters/call-contacts';
import { amountFromForm, DATE_HORIZON_YEARS, yearsAfter } from '../../collections/collector-input';
import { optionalLocalDate } from '../../collections/local-date-schema';
import type { Uses } from '../../services';
import { OutcomeConflictError, type OutcomeResult, type ShownOutcome } from '../../services/call-outcomes';
import { FILTER_FLAGS } from '../../collections/worklist';
import { AppError, NotFoundError } from '../../errors';
import { loadCompany, requireSignIn } from '../access';
import { stoppedCallNotice } from '../../collections/do-not-contact';
import { NOTICES, noticeCode } from '../notices';
import { inboundReplies } from '../presenters/inbound-replies';
import { recordId } from '../route-params';
import { callFormErrors, type FormErrors } from '../presenters/form-errors';

const PAGE_SIZE = 50;
const FLAG_LABELS: Record<string, string> = { a_account: 'A account', tough: 'Tough customer', difficult_customer: 'Difficult customer', problem_reported: 'Problem reported', broken_promise: 'Broken promise', find_email: 'Find an email', call_back: 'Call back', best_time: 'Best time to call now', carried_over: 'Carried over' };

const GROUP_HEADINGS = { best_time_today: 'Best time to call is today', other: 'Also due: best called on another day' } as const;

const listQuery = z
  .object({
    date: optionalLocalDate,
    type: z.enum(['commercial', 'personal']).optional().or(z.literal('').transform(() => undefined)),
    // The form sends an empty level for "Any": it must not be read as level 0.
    level: z.literal('').transform(() => undefined).or(z.coerce.number().int().min(0).max(4).optional()),
    flag: z.enum(FILTER_FLAGS).optional().or(z.literal('').transform(() => undefined)),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    done: z.string().optional(),
    customer: z.string().optional(),
  })
  .strict();

/** The call form as posted: every field a string (or a list of invoice ids), turned into the outcome the API takes. */
export function outcomeFromForm(form: Record<string, unknown>): unknown {
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const optional = (name: string) => text(name) || undefined;
  // An amount is taken as typed, untrimmed: only a plain decimal becomes a number.
  const promiseAmount = typeof form.promiseAmount === 'string' ? form.promiseAmount : '';
  const invoiceIds = ([] as unknown[]).concat(form.invoiceIds ?? []).filter((id): id is string => typeof id === 'string' && id !== '');
  const covering = invoiceIds.length ? { invoiceIds } : {};
  const notes = optional('notes');
  // What the form was shown with: the task's last outcome (or the one it corrects).
  const stamp = Object.fromEntries((['lastOutcomeId', 'corrects'] as const).filter((name) => text(name)).map((name) => [name, text(name)]));
  const base = { outcome: text('outcome'), ...(notes ? { notes } : {}), ...stamp };
  switch (base.outcome) {
    case 'promised':
      return { ...base, promise: { amount: amountFromForm(promiseAmount), dueOn: text('promiseDueOn'), ...covering } };
    case 'cannot_pay':
      return {
        ...base,
        plan: {
          installments: text('installments')
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter(Boolean)
            .map((line) => {
              // A line is a date and an amount; more parts (`1,600` split at its comma) is no plain amount.
              const [dueOn = '', ...amount] = line.split(/[\s,;]+/);
              return { dueOn, amount: amountFromForm(amount.join(' ')) };
            }),
          ...covering,
        },
      };
    case 'disputes':
      return { ...base, dispute: { category: text('disputeCategory'), text: text('disputeText'), ...covering } };
    case 'wrong_person':
      return { ...base, contact: { name: text('contactName'), role: optional('contactRole'), phone: optional('contactPhone'), email: optional('contactEmail'), approvesPayment: form.approvesPayment === 'on' } };
    case 'email_found':
      return { ...base, contact: { email: text('foundEmail'), name: optional('foundName'), role: optional('foundRole'), phone: optional('foundPhone'), approvesPayment: form.foundApproves === 'on' } };
    case 'call_back':
      return { ...base, callBackOn: text('callBackOn') };
    default:
      return base;
  }
}

/**
 * The collector's day: the work list (largest first, with its flags, filters, counts and money)
 * and the call sheet of each task, whose one form records the outcome and moves to the next call.
 */
export function callPages(context: Uses<'companyAccess' | 'callTasks' | 'workList' | 'customerFiles' | 'callScripts' | 'callOutcomes' | 'sendReview' | 'inboundReplies' | 'doNotContact'>): Router {
  const router = Router();
  router.param('realmId', loadCompany(context));

  /**
   * The notice after a call: a known one (`?done=call`), naming this company's customer whose id
   * the address carries, as QuickBooks names it; never text from the address.
   */
  const doneNotice = async (realmId: string, query: { done?: unknown; customer?: unknown }): Promise<string | undefined> => {
    const code = noticeCode(query.done);
    if (code !== 'call' && code !== 'call-not-to-contact') return code && NOTICES[code];
    const customerId = typeof query.customer === 'string' && /^\d{1,32}$/.test(query.customer) ? query.customer : undefined;
    const name = customerId ? await context.services.callTasks.customerName(realmId, customerId) : undefined;
    if (!name || !customerId) return NOTICES[code];
    if (code === 'call') return `Saved the call with ${name}.`;
    // Saved for a customer not to be contacted: why nothing follows, in the words the stop was given in.
    const mark = await context.services.doNotContact.statusOf(realmId, customerId);
    return mark ? `Saved the call. ${stoppedCallNotice(name, mark)}` : NOTICES[code];
  };

  router.get('/companies/:realmId/worklist', requireSignIn, async (req, res) => {
    const query = listQuery.parse(req.query);
    const realmId = req.company!.realm_id;
    const filter = { type: query.type, level: query.level, flag: query.flag };
    const list = await context.services.workList.forDay(realmId, query.date, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE }, filter);
    const search = (changes: Record<string, string | number | undefined>) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries({ date: query.date, type: query.type, level: query.level, flag: query.flag, page: query.page, ...changes })) {
        if (value !== undefined && value !== '' && !(key === 'page' && value === 1)) params.set(key, String(value));
      }
      return params.toString();
    };
    const offset = (query.page - 1) * PAGE_SIZE;
    const review = await context.services.sendReview.review(realmId);
    res.render('worklist', {
      title: `Work list ${list.date}`,
      company: req.company,
      review,
      list,
      items: list.items.map((item, index) => ({
        ...item,
        rank: offset + index + 1,
        flagLabels: item.flags.map((flag) => ({ flag, label: FLAG_LABELS[flag] ?? flag })),
        // The day's list in two groups: the accounts whose best time is today, then the others.
        groupHeading: index === 0 || list.items[index - 1]!.group !== item.group ? GROUP_HEADINGS[item.group] : null,
        bestToday: item.group === 'best_time_today',
      })),
      query,
      done: await doneNotice(realmId, query),
      filtered: Boolean(query.type || query.level !== undefined || query.flag),
      levels: [0, 1, 2, 3, 4].map((level) => ({ level, selected: query.level === level })),
      flags: FILTER_FLAGS.map((flag) => ({ flag, label: FLAG_LABELS[flag], selected: query.flag === flag })),
      types: ['commercial', 'personal'].map((type) => ({ type, selected: query.type === type })),
      previous: query.page > 1 ? search({ page: query.page - 1 }) : null,
      next: offset + list.items.length < list.total ? search({ page: query.page + 1 }) : null,
    });
  });

  const sheetQuery = z.object({ date: optionalLocalDate });
  const CONFLICT_STATUS = 409;

  const loadTask = async (req: Request) => {
    const taskId = recordId(req, 'taskId', 'uuid', 'call task');
    const task = await context.services.callTasks.task(req.company!.realm_id, taskId);
    if (!task) throw new NotFoundError('No such call task');
    return task;
  };

  // A call sheet opened from a day's list shows that day's figures (the list links with ?date=).
  const dayOf = (req: Request) => (req.method === 'GET' ? sheetQuery.parse({ date: req.query.date }).date : undefined);

  /**
   * The call sheet. Its form carries the task's last outcome as shown, so saving it twice (the
   * Back button, a second tab) is refused with what was recorded; the day's last outcome may be
   * corrected from here (`?correct=1`, or the refusal itself).
   */
  const showCallSheet = async (req: Request, res: Response, extra: { form?: Record<string, unknown>; errors?: FormErrors; done?: string; conflict?: OutcomeConflictError; correct?: boolean } = {}) => {
    const realmId = req.company!.realm_id;
    const task = await loadTask(req);
    const file = await context.services.customerFiles.fileOf(realmId, task.customer_id, dayOf(req));
    const script = await context.services.callScripts.scriptFor(realmId, file, task);
    const lastOutcome: ShownOutcome | null = await context.services.callOutcomes.lastOutcome(realmId, task);
    const replies = inboundReplies(await context.services.inboundReplies.forAccount(realmId, file.customer.id));
    const form = extra.form ?? {};
    const chosenIds = new Set(([] as unknown[]).concat(form.invoiceIds ?? []).map(String));
    // Correcting: asked for, or offered with the refusal; only the same day's last outcome.
    const correcting = Boolean(lastOutcome?.correctable && (extra.correct || extra.conflict || (extra.errors && form.corrects)));
    if (extra.errors) res.status(400);
    if (extra.conflict) res.status(CONFLICT_STATUS);
    res.render('call-sheet', {
      title: `Call ${file.customer.name}`,
      company: req.company,
      task: { ...task, open: task.status === 'open', reasonLabel: task.reasons.map((r) => r.replace(/_/g, ' ')).join(', ') || task.reason.replace(/_/g, ' '), findsEmail: task.reasons.includes('find_email') },
      lastOutcome,
      replies,
      stamp: lastOutcome?.id ?? 'none',
      correcting,
      showForm: task.status === 'open' || correcting,
      conflict: extra.conflict ? { message: extra.conflict.message } : null,
      file,
      people: peopleToAsk(file.customer, file.contacts),
      script,
      form,
      outcome: String(form.outcome ?? ''),
      invoiceChoices: file.openInvoices.map((invoice) => ({ ...invoice, checked: chosenIds.has(invoice.id) })),
      categories: ['pricing', 'not_received', 'quality', 'missing_po', 'billing_contact', 'other'].map((category) => ({ category, selected: form.disputeCategory === category })),
      // A refusal: each problem next to its field, the rest at the top; what was typed is kept.
      error: extra.errors ? { others: extra.errors.others, marked: Object.keys(extra.errors.fields).length > 0 } : null,
      errors: extra.errors?.fields ?? {},
      done: extra.done,
      // The browser's date pickers stop where the server's range does.
      latest: { callBack: yearsAfter(file.today, DATE_HORIZON_YEARS.callBack), promise: yearsAfter(file.today, DATE_HORIZON_YEARS.promise) },
    });
  };

  router.get('/companies/:realmId/tasks/:taskId', requireSignIn, async (req, res) => {
    await showCallSheet(req, res, { done: await doneNotice(req.company!.realm_id, req.query), correct: req.query.correct === '1' });
  });

  router.post('/companies/:realmId/tasks/:taskId/outcome', requireSignIn, async (req, res) => {
    const realmId = req.company!.realm_id;
    const task = await loadTask(req);
    const form = (req.body ?? {}) as Record<string, unknown>;
    let result: OutcomeResult;
    try {
      result = await context.services.callOutcomes.record(realmId, task.id, outcomeFromForm(form));
    } catch (error) {
      if (error instanceof OutcomeConflictError) return showCallSheet(req, res, { form, conflict: error });
      if (error instanceof ZodError || (error instanceof AppError && error.status === 400)) return showCallSheet(req, res, { form, errors: callFormErrors(error, form) });
      throw error;
    }
    await context.services.callOutcomes.after(realmId, result, req.log);
    if (result.doNotContact) return res.redirect(303, `/companies/${realmId}/worklist?${new URLSearchParams({ done: 'call-not-to-contact', customer: task.customer_id })}`);
    const done = new URLSearchParams({ done: 'call', customer: task.customer_id });
    if (result.taskStatus === 'open' && (form.outcome === 'wrong_person' || result.corrected)) return res.redirect(303, `/companies/${realmId}/tasks/${task.id}?${done}`);
    const next = (await context.services.workList.forDay(realmId, undefined, { limit: 2 })).items.find((item) => item.taskId !== task.id);
    res.redirect(303, next ? `/companies/${realmId}/tasks/${next.taskId}?${done}` : `/companies/${realmId}/worklist?${done}`);
  });
  return router;
}
