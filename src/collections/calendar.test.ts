import fc from 'fast-check';
import { addDays, daysBetween, localMoment, weekday, zonedInstant } from './calendar';

/** The wall clock as the platform's rules give it, read afresh every time: what localMoment must agree with. */
function platformWallClock(instant: Date, timeZone: string) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

// Zones with half- and quarter-hour offsets, half-hour daylight saving, both hemispheres, none.
const ZONES = ['America/New_York', 'America/St_Johns', 'Europe/London', 'Europe/Warsaw', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo', 'Australia/Lord_Howe', 'Australia/Adelaide', 'Pacific/Chatham', 'Pacific/Kiritimati', 'America/Sao_Paulo', 'UTC'];

describe('calendar arithmetic', () => {
  it('tells the wall clock of any instant in any zone as the platform does, around daylight-saving changes too', () => {
    const instants = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(fc.property(instants, fc.constantFrom(...ZONES), (instant, zone) => {
      expect(localMoment(instant, zone)).toEqual(platformWallClock(instant, zone));
    }), { numRuns: 3000 });
    // Every minute either side of New York's and Lord Howe's changes of 2026, and Chatham's.
    for (const [zone, around] of [['America/New_York', '2026-03-08T07:00:00Z'], ['America/New_York', '2026-11-01T06:00:00Z'], ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], ['Pacific/Chatham', '2026-04-04T14:00:00Z']] as const) {
      for (let minute = -90; minute <= 90; minute++) {
        const instant = new Date(Date.parse(around) + minute * 60_000);
        expect({ zone, at: instant.toISOString(), ...localMoment(instant, zone) }).toEqual({ zone, at: instant.toISOString(), ...platformWallClock(instant, zone) });
      }
    }
  });

  it('adds days and counts them as the calendar does, the same answer every time it is asked', () => {
    const dates = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(dates, fc.integer({ min: -4000, max: 4000 }), (date, days) => {
      const expected = new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
      expect(addDays(date, days)).toBe(expected);
      expect(addDays(date, days)).toBe(expected);
      expect(daysBetween(date, expected)).toBe(days);
      expect(weekday(date)).toBe(new Date(`${date}T00:00:00Z`).getUTCDay());
    }), { numRuns: 3000 });
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('finds the instant of a wall-clock time across a daylight-saving change', () => {
    expect(zonedInstant('2026-03-08', 7 * 60, 'America/New_York').toISOString()).toBe('2026-03-08T11:00:00.000Z');
    expect(zonedInstant('2026-03-07', 7 * 60, 'America/New_York').toISOString()).toBe('2026-03-07T12:00:00.000Z');
  });
});
