import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const GB = '9341971';
const DE = '9341972';
const NOW = '2026-11-24T15:00:00Z';

const day = (locale: string, iso: string) => new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T12:00:00Z`));
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\s+/g, ' ');

/** Issue 20: a company outside the US sees money and dates its own way, and times in its own zone, on every page. */
describe('money and dates in the company\'s locale and time zone', () => {
  let app: ConnectedApp;
  // One person per company (each signs in through its own consent).
  const http: Record<string, HttpClient> = {};

  beforeAll(async () => {
    app = await startConnectedApp({
      realms: [
        { realmId: GB, name: 'Thames Joinery', customers: 10, invoices: 40, edit: (seed) => void Object.assign(seed.CompanyInfo!, { Country: 'GB' }) },
        { realmId: DE, name: 'Rhein Holzbau', customers: 10, invoices: 40, edit: (seed) => void Object.assign(seed.CompanyInfo!, { Country: 'DE' }) },
      ],
      env: { ARDESK_NOW: NOW, SEND_REVIEW_DEFAULT: 'off' },
    });
    const { db, sync, services } = app.test.context;
    for (const [realm, zone, currency] of [[GB, 'Europe/London', 'GBP'], [DE, 'Europe/Berlin', 'EUR']] as const) {
      http[realm] = new HttpClient(app.web.url);
      await connect(app, http[realm], realm);
      await db.updateTable('companies').set({ timezone: zone, currency }).where('realm_id', '=', realm).execute();
      await sync.run(realm, 'full');
      await services.cadence.runDay(realm);
    }
  });
  afterAll(() => app.stop());

  const page = async (realm: string, path: string) => {
    const answer = await http[realm]!.get(`/companies/${realm}${path}`);
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    return answer.text();
  };

  it('writes amounts the German way in euros, and the British way in pounds, on every page with money', async () => {
    const owing = async (realm: string) => (await app.test.context.db.selectFrom('qbo_invoices').select('customer_id').where('realm_id', '=', realm).where('balance', '>', '0').orderBy('id').executeTakeFirstOrThrow()).customer_id;
    const [deCustomer, gbCustomer] = [await owing(DE), await owing(GB)];
    for (const [path, dePath, gbPath] of [['/outbox'], ['/results'], ['/worklist'], ['customer', `/customers/${deCustomer}`, `/customers/${gbCustomer}`]]) {
      const de = text(await page(DE, dePath ?? path!));
      expect(de).toMatch(/\d{1,3}(\.\d{3})*,\d{2} €/);
      expect(de).not.toMatch(/[$£]\s?\d/);
      const gb = text(await page(GB, gbPath ?? path!));
      expect(gb).toMatch(/£\d{1,3}(,\d{3})*\.\d{2}/);
      expect(gb).not.toMatch(/€|\$\d/);
    }
  });

  it('writes the days of the customer, invoice and results pages as the company does', async () => {
    const { db } = app.test.context;
    for (const [realm, locale] of [[DE, 'de-DE'], [GB, 'en-GB']] as const) {
      const invoice = await db.selectFrom('qbo_invoices').select(['id', 'customer_id', 'txn_date']).where('realm_id', '=', realm).where('balance', '>', '0').orderBy('id').executeTakeFirstOrThrow();
      const shown = day(locale, invoice.txn_date);
      expect(shown).not.toBe(invoice.txn_date);
      expect(text(await page(realm, `/customers/${invoice.customer_id}`))).toContain(shown);
      expect(text(await page(realm, `/invoices/${invoice.id}`))).toContain(shown);
      expect(text(await page(realm, '/results'))).toContain(`Aging of`);
    }
    // The same day, each its own way: 24. Nov. 2026 and 24 Nov 2026.
    expect(text(await page(DE, '/results'))).toMatch(/\d{1,2}\. [A-Z][a-zä]{2,3}\.? 2026/);
    expect(text(await page(GB, '/results'))).toMatch(/\d{1,2} [A-Z][a-z]{2,3} 2026/);
  });

  it('writes the outbox\'s times in the company\'s zone, not UTC', async () => {
    const de = text(await page(DE, '/outbox'));
    const gb = text(await page(GB, '/outbox'));
    expect(de).toMatch(/\d{2}:\d{2} MEZ/);
    expect(gb).toMatch(/\d{2}:\d{2} GMT/);
    expect(de + gb).not.toContain(' UTC');
  });
});
