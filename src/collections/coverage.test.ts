import { contactStopped, coverage, coversInWords, type CoverFacts } from './coverage';
import type { PromiseToPay } from './model';

const TODAY = '2026-03-04';
const payerOf = (customerId: string) => (customerId === 'acme-east' ? 'acme' : customerId);
const promise = (overrides: Partial<PromiseToPay>): PromiseToPay => ({ id: 'p', customerId: 'acme', invoiceIds: ['a'], amount: 100_00, dueOn: '2026-03-02', madeOn: '2026-02-25', status: 'open', ...overrides });
const coverOf = (facts: Partial<CoverFacts>, graceDays = 2) => coverage({ promises: [], disputes: [], pauses: [], ...facts }, TODAY, graceDays, payerOf);

describe('what covers an invoice', () => {
  it('an open promise until its date plus the grace days, and not a day longer', () => {
    expect(coverOf({ promises: [promise({})] })({ id: 'a', customerId: 'acme' })).toBe('promised');
    expect(coverOf({ promises: [promise({})] }, 1)({ id: 'a', customerId: 'acme' })).toBeNull();
    expect(coverOf({ promises: [promise({ status: 'kept' })] })({ id: 'a', customerId: 'acme' })).toBeNull();
    expect(coverOf({ promises: [promise({})] })({ id: 'b', customerId: 'acme' })).toBeNull();
  });

  it('an open dispute, not a resolved one', () => {
    expect(coverOf({ disputes: [{ id: 'd', customerId: 'acme', invoiceIds: ['a'], status: 'open' }] })({ id: 'a', customerId: 'acme' })).toBe('disputed');
    expect(coverOf({ disputes: [{ id: 'd', customerId: 'acme', invoiceIds: ['a'], status: 'resolved' }] })({ id: 'a', customerId: 'acme' })).toBeNull();
  });

  it('a pause of the invoice, its customer or the account that pays for it, through its last day', () => {
    const paused = (pause: CoverFacts['pauses'][number]) => coverOf({ pauses: [pause] })({ id: 'e1', customerId: 'acme-east' });
    expect(paused({ customerId: null, invoiceId: 'e1', until: TODAY })).toBe('paused');
    expect(paused({ customerId: 'acme-east', invoiceId: null, until: null })).toBe('paused');
    expect(paused({ customerId: 'acme', invoiceId: null, until: null })).toBe('paused');
    expect(paused({ customerId: 'acme', invoiceId: null, until: '2026-03-03' })).toBeNull();
    expect(paused({ customerId: 'other', invoiceId: 'e2', until: null })).toBeNull();
  });

  it('says the covers of a message in words, each once', () => {
    expect(coversInWords(['paused', 'disputed', 'paused'])).toBe('disputed or paused');
    expect(coversInWords(['do_not_contact'])).toBe('marked do not contact');
  });

  it('do not contact: the customer and its sub-customers, before any other cover; the paying account of a stopped sub-customer is not stopped', () => {
    const stopped = contactStopped(['acme'], payerOf);
    expect([stopped('acme'), stopped('acme-east'), stopped('other')]).toEqual([true, true, false]);
    expect(contactStopped(['acme-east'], payerOf)('acme')).toBe(false);
    const facts = { doNotContact: ['acme-east'], disputes: [{ id: 'd', customerId: 'acme', invoiceIds: ['e1'], status: 'open' as const }] };
    expect(coverOf(facts)({ id: 'e1', customerId: 'acme-east' })).toBe('do_not_contact');
    expect(coverOf(facts)({ id: 'a', customerId: 'acme' })).toBeNull();
  });
});
