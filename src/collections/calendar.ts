/**
 * Calendar arithmetic for the playbook, on local dates written 'YYYY-MM-DD'. Pure: the current
 * instant always comes in as an argument; time zones come from Intl, so daylight-saving changes
 * are the platform's, not ours.
 */
export type LocalDate = string;

const DAY_MS = 86_400_000;

function utcMidnight(date: LocalDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(utcMidnight(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(utcMidnight(date)).getUTCDay();
}

export function isBusinessDay(date: LocalDate): boolean {
  const day = weekday(date);
  return day >= 1 && day <= 5;
}

export interface LocalMoment {
  date: LocalDate;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and time of `instant` in `timeZone`. */
export function localMoment(instant: Date, timeZone: string): LocalMoment {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The instant at which it is `minutes` past midnight of `date` in `timeZone` (DST-aware). */
export function zonedInstant(date: LocalDate, minutes: number, timeZone: string): Date {
  const wanted = utcMidnight(date) + minutes * 60_000;
  let guess = wanted;
  // Two corrections settle the offset, including across a daylight-saving change.
  for (let i = 0; i < 3; i++) {
    const seen = localMoment(new Date(guess), timeZone);
    const seenMs = utcMidnight(seen.date) + seen.minutes * 60_000;
    if (seenMs === wanted) break;
    guess += wanted - seenMs;
  }
  return new Date(guess);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
