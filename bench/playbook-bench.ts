import { addDays } from '../src/collections/calendar';
import { at } from '../src/collections/factories';
import type { CallTask, Customer, Invoice, InvoiceState, Level } from '../src/collections/model';
import { runPlaybook } from '../src/collections/playbook';
import { DEFAULT_SETTINGS } from '../src/collections/settings';
import { buildWorkList } from '../src/collections/worklist';
import type { Figure } from './run';
import { percentile } from './support';

const CUSTOMERS = 20_000;
const INVOICES = 100_000;
const TODAY = '2026-03-02';

/** The pure playbook and work list at the size of a large customer (issue #6 targets). */
export async function playbookBenchmark(): Promise<Figure[]> {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const customers: Customer[] = Array.from({ length: CUSTOMERS }, (_, i) => ({ id: `c${i}`, name: `Customer ${i}`, companyName: i % 3 ? `Company ${i}` : null, email: i % 12 ? `ap${i}@example.test` : null, parentId: null }));
  const invoices: Invoice[] = [];
  const states: InvoiceState[] = [];
  for (let i = 0; i < INVOICES; i++) {
    const overdue = Math.floor(random() * 120) - 30;
    const dueDate = addDays(TODAY, -overdue);
    invoices.push({ id: `i${i}`, customerId: `c${Math.floor(random() * CUSTOMERS)}`, docNumber: String(1000 + i), txnDate: addDays(dueDate, -30), dueDate, total: 100_000, balance: Math.round(random() * 100000) + 100, billEmail: null });
    const level = Math.max(0, Math.min(3, Math.floor(overdue / 12))) as Level;
    states.push({ invoiceId: `i${i}`, level, levelEnteredOn: level ? addDays(TODAY, -8) : null, level1On: level ? addDays(TODAY, -20) : null, firstSeenOn: '2026-01-01', verificationSentOn: null });
  }
  const input = { now: at(TODAY), connectedOn: '2026-01-01', customers, invoices, states, histories: [], promises: [], disputes: [], pauses: [], payments: [], openTasks: [] as CallTask[] };

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const actions = runPlaybook(input, DEFAULT_SETTINGS);
  const cadenceMs = performance.now() - started;
  const rss = process.memoryUsage().rss;
  const heapDelta = process.memoryUsage().heapUsed - heapBefore;

  const tasks: CallTask[] = customers.map((c) => ({ id: `t${c.id}`, customerId: c.id, level: 1, reason: 'level', reasons: ['level'], scheduledFor: TODAY, createdOn: TODAY }));
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    buildWorkList({ day: TODAY, tasks, customers, invoices, toughCustomerIds: new Set() }, DEFAULT_SETTINGS);
    times.push(performance.now() - t);
  }
  return [
    { benchmark: 'playbook', measure: `cadence decision over ${INVOICES.toLocaleString('en-US')} open invoices, ${CUSTOMERS.toLocaleString('en-US')} customers (${actions.length} actions)`, value: Math.round(cadenceMs), unit: 'ms', target: '< 2000 ms', met: cadenceMs < 2000 },
    { benchmark: 'playbook', measure: 'process memory after the run (rss)', value: Math.round(rss / 1e6), unit: 'MB', target: '< 512 MB', met: rss < 512e6 },
    { benchmark: 'playbook', measure: 'heap grown by the run', value: Math.round(heapDelta / 1e6), unit: 'MB' },
    { benchmark: 'playbook', measure: 'work list of 20,000 tasks computed in memory, p95 of 20 (the API adds the database read)', value: Math.round(percentile(times, 95)), unit: 'ms' },
  ];
}
