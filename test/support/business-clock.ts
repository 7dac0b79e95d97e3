import type { Clock } from '../../src/clock';
import { localMoment, zonedInstant, type LocalDate } from '../../src/collections/calendar';

/**
 * The business clock of SPEC §4, steered by a test: every part of the app that shares this
 * context (web, worker, sync, playbook) reads the instant the test set; real time keeps running
 * for tokens, locks, retries and timeouts. Nothing waits for time to pass.
 */
export interface BusinessClock {
  /** Stands the clock on `day` at `time` ("HH:MM") in the company's time zone. */
  set(day: LocalDate, time: string): Date;
  now(): Date;
  /** Today in the company's time zone. */
  today(): LocalDate;
}

export function steerBusinessClock(clock: Clock, timeZone: string, start: Date): BusinessClock {
  let current = new Date(start);
  (clock as { businessNow: () => Date }).businessNow = () => new Date(current);
  return {
    set(day, time) {
      const [hours, minutes] = time.split(':').map(Number);
      current = zonedInstant(day, hours! * 60 + minutes!, timeZone);
      return new Date(current);
    },
    now: () => new Date(current),
    today: () => localMoment(current, timeZone).date,
  };
}
