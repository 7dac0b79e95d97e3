import { ContactsRepository } from '../../src/db/contacts-repository';
import { mergeDataFor } from '../../src/mail/merge-data';
import { connect, startConnectedApp, type ConnectedApp } from '../support/connected-app';
import { HttpClient } from '../support/http';

const REALM = '9341962';
const NOW = '2026-11-23T15:00:00Z';

/** Issue 20: the call sheet names the person to ask for with their role (never the business as the contact); emails greet the person they reach. */
describe('the people on a call sheet', () => {
  let app: ConnectedApp;
  let http: HttpClient;
  let taskId: string;
  let customerId: string;
  let business: { display_name: string; company_name: string | null; given_name: string | null; family_name: string | null; email: string | null };

  beforeAll(async () => {
    app = await startConnectedApp({ realms: [{ realmId: REALM, name: 'Contact Lumber', customers: 15, invoices: 70 }], env: { ARDESK_NOW: NOW } });
    http = new HttpClient(app.web.url);
    await connect(app, http, REALM);
    await app.test.context.sync.run(REALM, 'full');
    await app.test.context.services.cadence.runDay(REALM);
    // A business customer with a contact person in QuickBooks, and a call to make.
    const task = await app.test.context.db
      .selectFrom('call_tasks')
      .innerJoin('qbo_customers', (j) => j.onRef('qbo_customers.id', '=', 'call_tasks.customer_id').onRef('qbo_customers.realm_id', '=', 'call_tasks.realm_id'))
      .select(['call_tasks.id', 'call_tasks.customer_id', 'display_name', 'company_name', 'given_name', 'family_name', 'email'])
      .where('call_tasks.realm_id', '=', REALM)
      .where('status', '=', 'open')
      .where('company_name', 'is not', null)
      .where('given_name', 'is not', null)
      .executeTakeFirstOrThrow();
    taskId = task.id;
    customerId = task.customer_id;
    business = task;
  });
  afterAll(() => app.stop());

  const sheet = async () => (await http.get(`/companies/${REALM}/tasks/${taskId}`)).text();
  const people = (html: string) => [...(/<ul class="people-to-ask"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());

  it('asks for QuickBooks\' contact person, with their role, not the business', async () => {
    const person = `${business.given_name} ${business.family_name}`;
    const listed = people(await sheet());
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain(`Ask for ${person}, Contact at ${business.company_name} in QuickBooks`);
    expect(listed.join(' ')).not.toMatch(new RegExp(`Ask for ${business.company_name!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[, ]`));
  });

  it('lists first whoever the collector found that approves payments, with their role and phone', async () => {
    const contacts = new ContactsRepository(app.test.context.db);
    await contacts.insert(REALM, { customerId, name: 'Dana Ruiz', role: 'Accounts payable', phone: '(555) 010-4242', email: 'dana.ruiz@example.test', approvesPayment: true });
    await contacts.insert(REALM, { customerId, name: 'Lee Park', role: null, phone: null, email: null, approvesPayment: false });
    const listed = people(await sheet());
    expect(listed[0]).toBe('Ask for Dana Ruiz, Accounts payable · approves payments · (555) 010-4242 · dana.ruiz@example.test');
    expect(listed[1]).toBe('Lee Park, Contact you found');
    expect(listed[2]).toContain(`${business.given_name} ${business.family_name}, Contact at ${business.company_name} in QuickBooks`);
  });

  it('greets the found contact an email goes to by name, with their role; else QuickBooks\' contact person', async () => {
    const invoice = await app.test.context.db.selectFrom('qbo_invoices').select('id').where('realm_id', '=', REALM).where('customer_id', '=', customerId).where('balance', '>', '0').executeTakeFirstOrThrow();
    const message = { id: 'm', realm_id: REALM, customer_id: customerId, kind: 'dunning_1', to_address: 'Dana.Ruiz@example.test', invoice_ids: [invoice.id], key: 'test:contact' };
    const toDana = await mergeDataFor(app.test.context.db, message, new Map(), new Date(NOW), [invoice.id]);
    expect(toDana.greeting).toBe('Dear Dana Ruiz,');
    expect(toDana.contact).toEqual({ name: 'Dana Ruiz', role: 'Accounts payable', email: 'Dana.Ruiz@example.test' });
    const toBilling = await mergeDataFor(app.test.context.db, { ...message, to_address: business.email ?? 'billing@example.test' }, new Map(), new Date(NOW), [invoice.id]);
    expect(toBilling.greeting).toBe(`Dear ${business.given_name} ${business.family_name},`);
    expect(toBilling.contact.role).toBeNull();
  });
});
