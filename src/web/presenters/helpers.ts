import type Handlebars from 'handlebars';
import { formatMoney } from '../../mail/templates';

/** Small formatting helpers for the pages. Every one returns plain text, so Handlebars escapes it. */
export function registerViewHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hbs.registerHelper('money', (value: unknown, currency: unknown) => {
    const amount = Number(value);
    if (value === null || value === undefined || Number.isNaN(amount)) return '';
    return formatMoney(amount, { locale: 'en-US', currency: typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD' });
  });
  hbs.registerHelper('percent', (value: unknown) => (value === null || value === undefined || Number.isNaN(Number(value)) ? '–' : `${Math.round(Number(value) * 1000) / 10}%`));
  hbs.registerHelper('words', (value: unknown) => String(value ?? '').replace(/_/g, ' '));
  hbs.registerHelper('dateTime', (value: unknown) => {
    if (!value) return '';
    const date = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  });
}
