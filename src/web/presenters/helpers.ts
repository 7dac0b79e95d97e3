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
  hbs.registerHelper('money', function (cents: unknown, ...rest: unknown[]) {
    const options = rest.pop() as Handlebars.HelperOptions;
    const currency = rest[0];
    return formatMoney(cents, { locale: localeIn(options), currency: typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD' });
  });
  /** `{{date "2026-11-24"}}`: a calendar day as the company writes it ("Nov 24, 2026", "24 Nov 2026", "24.11.2026"), machine-readable in <time>. */
  hbs.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) => {
    const day = value instanceof Date ? value.toISOString().slice(0, 10) : typeof value === 'string' ? value.slice(0, 10) : '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return '';
    const shown = localDate(day, localeIn(options));
    return new hbs.SafeString(`<time datetime="${day}">${hbs.escapeExpression(shown)}</time>`);
  });
  hbs.registerHelper('percent', (value: unknown) => (value === null || value === undefined || Number.isNaN(Number(value)) ? '–' : `${Math.round(Number(value) * 1000) / 10}%`));
  hbs.registerHelper('companyStatus', (value: unknown) => COMPANY_STATUS_WORDS[String(value)] ?? String(value ?? '').replace(/_/g, ' '));
  hbs.registerHelper('words', (value: unknown) => String(value ?? '').replace(/_/g, ' '));
  /**
   * `{{dateTime at}}`: an instant in the company's time zone and its way of writing dates (with the
   * zone's short name); `{{dateTime at zone}}` in that zone; outside a company's pages, in UTC.
   */
  hbs.registerHelper('dateTime', (value: unknown, ...rest: unknown[]) => {
    const options = rest.pop() as Handlebars.HelperOptions;
    if (!value) return '';
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) return '';
    const zone = [rest[0], rootOf(options).companyTimeZone].find((z): z is string => typeof z === 'string' && isValidTimeZone(z));
    if (zone) return localDateTime(date, zone, localeIn(options));
    return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  });
}

function rootOf(options: Handlebars.HelperOptions | undefined): Record<string, unknown> {
  return ((options?.data as { root?: Record<string, unknown> } | undefined)?.root ?? {}) as Record<string, unknown>;
}

/** The company's locale on its pages (set with the company), else en-US. */
function localeIn(options: Handlebars.HelperOptions | undefined): string {
  const locale = rootOf(options).companyLocale;
  return typeof locale === 'string' && locale ? locale : 'en-US';
}

export function localDate(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
}

export function localDateTime(date: Date, timeZone: string, locale = 'en-US'): string {
  return new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
}
