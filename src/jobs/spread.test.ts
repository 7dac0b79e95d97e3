import { defaultRepeatStrategy } from 'bullmq';
import { testEnv } from '../../test/support/env';
import { loadConfig } from '../config';
import { spreadDaily, spreadSecond } from './spread';

const realms = Array.from({ length: 1000 }, (_, i) => `4620816${String(i * 7919).padStart(9, '0')}`);

describe('spreading daily jobs over a window', () => {
  it('gives each company a fixed second of the window, spread evenly across companies', () => {
    expect(spreadSecond('9341452000000303', 10)).toBe(spreadSecond('9341452000000303', 10));
    const seconds = realms.map((realm) => spreadSecond(realm, 10));
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...seconds)).toBeLessThan(600);
    // Ten minutes of a thousand companies: no minute holds more than twice its share.
    const perMinute = new Array(10).fill(0);
    for (const second of seconds) perMinute[Math.floor(second / 60)]++;
    expect(Math.max(...perMinute)).toBeLessThanOrEqual(200);
    expect(Math.min(...perMinute)).toBeGreaterThanOrEqual(50);
  });

  it('writes a daily pattern that runs inside the window in the company\'s time zone, across a change of the clocks', () => {
    // The nightly reconcile's window by default: 03:30 over two hours, across 03:00 where the clocks go forward.
    const { startMinute, windowMinutes } = loadConfig(testEnv()).syncSchedule.windows.reconcile;
    expect({ startMinute, windowMinutes }).toEqual({ startMinute: 3 * 60 + 30, windowMinutes: 120 });
    for (const realm of realms.slice(0, 50)) {
      const pattern = spreadDaily(realm, startMinute, windowMinutes);
      // As BullMQ's scheduler reckons the next run, day after day over the night the clocks go forward.
      let after = Date.parse('2026-03-06T12:00:00Z');
      for (let day = 0; day < 4; day++) {
        const at = new Date(defaultRepeatStrategy(after, { pattern, tz: 'America/New_York' })!);
        after = at.getTime();
        const [hour, minute] = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at).split(':').map(Number);
        const minuteOfDay = hour! * 60 + minute!;
        expect(minuteOfDay).toBeGreaterThanOrEqual(startMinute);
        expect(minuteOfDay).toBeLessThan(startMinute + windowMinutes);
      }
    }
    expect(spreadDaily('1', 7 * 60, 10)).toMatch(/^\d{1,2} \d{1,2} 7 \* \* \*$/);
    expect(() => spreadDaily('1', 23 * 60 + 30, 60)).toThrow('crosses midnight');
  });
});
