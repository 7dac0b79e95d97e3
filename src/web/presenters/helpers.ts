import type Handlebars from 'handlebars';
import { formatMoney } from '../../mail/templates';
import { isValidTimeZone } from '../../collections/calendar';

/**
 * Small formatting helpers for the pages. Every one returns plain text, so Handlebars escapes it.
 * `{{money cents currency}}` takes an amount in cents, as the pages are given it.
 */
/** A company's connection status as the pages say it. */
const COMPANY_STATUS_WORDS: Readonly<Record<string, string>> = { connected: 'Connected', needs_reconnect: 'Needs reconnecting', disconnected: 'Disconnected' };

export function registerViewHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hbs.registerHelper('money', (cents: unknown, currency: unknown) => formatMoney(cents, { locale: 'en-US', currency: typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD' }));
  hbs.registerHelper('percent', (value: unknown) => (value === null || value === undefined || Number.isNaN(Number(value)) ? '–' : `${Math.round(Number(value) * 1000) / 10}%`));
  hbs.registerHelper('companyStatus', (value: unknown) => COMPANY_STATUS_WORDS[String(value)] ?? String(value ?? '').replace(/_/g, ' '));
  hbs.registerHelper('words', (value: unknown) => String(value ?? '').replace(/_/g, ' '));
  /** `{{dateTime at}}` in UTC, `{{dateTime at company.timezone}}` in the company's time (with the zone's short name). */
  hbs.registerHelper('dateTime', (value: unknown, zone: unknown) => {
    if (!value) return '';
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) return '';
    if (typeof zone === 'string' && isValidTimeZone(zone)) return localDateTime(date, zone);
    return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  });
}

function localDateTime(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}
