import type Handlebars from 'handlebars';
import { formatMoney } from '../../mail/templates';

/**
 * Small formatting helpers for the pages. Every one returns plain text, so Handlebars escapes it.
 * `{{money cents currency}}` takes an amount in cents, as the pages are given it.
 */
export function registerViewHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hbs.registerHelper('money', (cents: unknown, currency: unknown) => formatMoney(cents, { locale: 'en-US', currency: typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD' }));
  hbs.registerHelper('percent', (value: unknown) => (value === null || value === undefined || Number.isNaN(Number(value)) ? '–' : `${Math.round(Number(value) * 1000) / 10}%`));
  hbs.registerHelper('words', (value: unknown) => String(value ?? '').replace(/_/g, ' '));
  hbs.registerHelper('dateTime', (value: unknown) => {
    if (!value) return '';
    const date = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  });
}
