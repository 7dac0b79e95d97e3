/**
 * Calendar arithmetic for the playbook, on local dates written 'YYYY-MM-DD'. Pure: the current
 * instant always comes in as an argument; time zones come from Intl, so daylight-saving changes
 * are the platform's, not ours.
 */
export type LocalDate = string;

const DAY_MS = 86_400_000;

/**
 * The dates a run meets are few (a few thousand) and asked for again and again (100,000 invoices,
 * each measured against today several times): each date's day number (days since 1970-01-01 UTC)
 * and each day number's date are remembered, a bounded number of them.
 */
const CACHED_DATES = 50_000;
const dayNumbers = new Map<string, number>();
const datesOfDays = new Map<number, LocalDate>();

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHED_DATES) cache.clear();
  cache.set(key, value);
  return value;
}

function dayNumber(date: LocalDate): number {
  return dayNumbers.get(date) ?? remember(dayNumbers, date, Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS);
}

function dateOfDay(day: number): LocalDate {
  return datesOfDays.get(day) ?? remember(datesOfDays, day, new Date(day * DAY_MS).toISOString().slice(0, 10));
}

function utcMidnight(date: LocalDate): number {
  return dayNumber(date) * DAY_MS;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return dateOfDay(Math.floor(dayNumber(date) + days));
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

/** The wall-clock date and time of `instant` in `timeZone`, from the platform's own rules. */
function wallClock(instant: Date, timeZone: string): LocalMoment {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Each zone's offset from UTC over a UTC day, where it is the same all through it; null where it is not. */
const offsets = new Map<string, Map<number, number | null>>();

/**
 * A zone's offset from UTC all through the UTC day of `ms`, or null on a day it changes (a
 * daylight-saving change, twice a year): one reading of the platform's rules then serves every
 * instant of the day. The reading is kept only where the day's first and last minute agree.
 */
function dayOffset(ms: number, timeZone: string): number | null {
  const day = Math.floor(ms / DAY_MS);
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const known = zone.get(day);
  if (known !== undefined) return known;
  const offsetAt = (at: number) => {
    const wall = wallClock(new Date(at), timeZone);
    return utcMidnight(wall.date) + wall.minutes * 60_000 - at;
  };
  const first = offsetAt(day * DAY_MS);
  return remember(zone, day, first === offsetAt((day + 1) * DAY_MS - 60_000) ? first : null);
}

/** The wall-clock date and time of `instant` in `timeZone`. */
export function localMoment(instant: Date, timeZone: string): LocalMoment {
  const ms = instant.getTime();
  const offset = Number.isFinite(ms) ? dayOffset(ms, timeZone) : null;
  if (offset === null) return wallClock(instant, timeZone);
  const wallMs = ms + offset;
  const day = Math.floor(wallMs / DAY_MS);
  return { date: dateOfDay(day), minutes: Math.floor((wallMs - day * DAY_MS) / 60_000) };
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
