import { defaultRepeatStrategy } from 'bullmq';
import { scheduleCompany } from '../../src/jobs/schedules';
import { spreadDaily } from '../../src/jobs/spread';
import { createTestContext, type TestContext } from '../support/context';
import { ALREADY_COLLECTING } from '../support/rows';

const REALM = '9341452000002511';
const ZONE = 'America/Chicago';

/** A company's daily jobs in Redis, as its schedulers say: the pattern and the time zone of each. */
async function dailySchedules(test: TestContext) {
  const found: Record<string, { pattern?: string; tz?: string }> = {};
  for (const queue of ['sync', 'cadence'] as const) {
    for (const scheduler of await test.context.queues.queue(queue).getJobSchedulers()) {
      if (scheduler.pattern && (scheduler.template?.data as { realmId?: string } | undefined)?.realmId === REALM) found[scheduler.key] = { pattern: scheduler.pattern, tz: scheduler.tz ?? undefined };
    }
  }
  return found;
}

/** The company's local times (HH:MM) of the next `days` runs of a daily pattern, as BullMQ's scheduler reckons them. */
function nextRuns(pattern: string, days: number): string[] {
  const times: string[] = [];
  let after = Date.parse('2026-03-06T12:00:00Z');
  for (let day = 0; day < days; day++) {
    after = defaultRepeatStrategy(after, { pattern, tz: ZONE })!;
    times.push(new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(after)));
  }
  return times;
}

/**
 * RECONCILE_WINDOW and CADENCE_WINDOW decide when each company's daily sync run and morning
 * playbook are scheduled: every worker registers the schedules from the configuration it runs
 * with (the schedule keeper, through the housekeeping service), and a connect does the same.
 */
describe('the daily jobs of a company, in the windows the settings give', () => {
  let test: TestContext;

  beforeAll(async () => {
    test = await createTestContext({ env: { RECONCILE_WINDOW: '01:00-02:00', CADENCE_WINDOW: '05:40-06:10' } });
    await test.context.repos.companies.upsert({ ...ALREADY_COLLECTING, realm_id: REALM, name: 'Windows Co', status: 'connected', timezone: ZONE });
  });
  afterAll(async () => {
    for (const queue of ['sync', 'cadence'] as const) await test.context.queues.queue(queue).obliterate({ force: true });
    await test.destroy();
  });

  it('registers the nightly reconcile and the playbook at the company\'s own moment of each configured window, in its time zone', async () => {
    await test.context.services.housekeeping.schedule();
    const schedules = await dailySchedules(test);
    expect(schedules).toEqual({
      [`reconcile:${REALM}`]: { pattern: spreadDaily(REALM, 60, 60), tz: ZONE },
      [`cadence:${REALM}`]: { pattern: spreadDaily(REALM, 5 * 60 + 40, 30), tz: ZONE },
    });
    // Day after day, across the night the clocks go forward (2026-03-08), inside the windows.
    for (const at of nextRuns(schedules[`reconcile:${REALM}`]!.pattern!, 4)) expect(at >= '01:00' && at < '02:00').toBe(true);
    for (const at of nextRuns(schedules[`cadence:${REALM}`]!.pattern!, 4)) expect(at >= '05:40' && at < '06:10').toBe(true);
  });

  it('moves a company\'s daily jobs when registered again with other windows, keeping one schedule each', async () => {
    const plan = test.context.config.syncSchedule;
    await scheduleCompany(test.context.queues, REALM, ZONE, { ...plan, windows: { reconcile: { startMinute: 2 * 60, windowMinutes: 90 }, cadence: { startMinute: 8 * 60, windowMinutes: 15 } } });
    expect(await dailySchedules(test)).toEqual({
      [`reconcile:${REALM}`]: { pattern: spreadDaily(REALM, 120, 90), tz: ZONE },
      [`cadence:${REALM}`]: { pattern: spreadDaily(REALM, 480, 15), tz: ZONE },
    });
    await test.context.services.housekeeping.schedule();
    expect((await dailySchedules(test))[`cadence:${REALM}`]!.pattern).toBe(spreadDaily(REALM, 5 * 60 + 40, 30));
  });
});
