import { NOTE_MAX_CHARS, noteText } from './notes';

const invoices = [
  { number: '1043', balance: 250_000, currency: 'USD' },
  { number: '1057', balance: 171_000, currency: 'USD' },
];

describe('the note an activity leaves in QuickBooks', () => {
  it('reads as one line: date, customer, what happened, which invoices, how much', () => {
    expect(noteText({ kind: 'email_sent', summary: 'second notice emailed to ap@acme.test for invoices 1043, 1057 (USD 4,210.00 due)', occurredOn: '2026-03-02', details: {} }, 'Acme Builders', invoices)).toBe(
      'Ardesk 2026-03-02: Acme Builders: second notice emailed to ap@acme.test for invoices 1043, 1057 (USD 4,210.00 due)',
    );
    expect(noteText({ kind: 'level_change', summary: 'moved to collection level 2', occurredOn: '2026-03-02', details: {} }, 'Acme Builders', invoices.slice(0, 1))).toBe(
      'Ardesk 2026-03-02: Acme Builders: moved to collection level 2; invoice 1043 (USD 2,500.00 open)',
    );
  });

  it('says what a call agreed, and carries the collector’s notes', () => {
    const promise = noteText({ kind: 'call', summary: 'called: reached, promised to pay', occurredOn: '2026-03-02', details: { promise: { amount: 1200, dueOn: '2026-03-09' }, notes: 'Spoke to Sam in AP' } }, 'Acme', invoices);
    expect(promise).toBe('Ardesk 2026-03-02: Acme: called: reached, promised to pay; promised USD 1,200.00 by 2026-03-09; invoices 1043, 1057 (USD 4,210.00 open)\nNotes: Spoke to Sam in AP');
    const plan = noteText({ kind: 'call', summary: 'called: reached, cannot pay now; payment plan agreed', occurredOn: '2026-03-02', details: { plan: { installments: [{ amount: 100, dueOn: '2026-03-09' }, { amount: 100, dueOn: '2026-04-09' }] } } }, 'Acme', []);
    expect(plan).toBe('Ardesk 2026-03-02: Acme: called: reached, cannot pay now; payment plan agreed; plan of 2 payments, USD 200.00, first 2026-03-09');
    const dispute = noteText({ kind: 'call', summary: 'called: reached, disputes the invoice', occurredOn: '2026-03-02', details: { dispute: { category: 'not_received', text: 'Pallet 3 never arrived' } } }, 'Acme', []);
    expect(dispute).toContain('dispute (not received): Pallet 3 never arrived');
  });

  it('adds balances to the cent, and reads the amounts a call recorded as the collector gave them', () => {
    const cents = noteText({ kind: 'level_change', summary: 'moved to collection level 1', occurredOn: '2026-03-02', details: {} }, 'Acme', [{ number: '1', balance: 10, currency: 'USD' }, { number: '2', balance: 20, currency: 'USD' }]);
    expect(cents).toBe('Ardesk 2026-03-02: Acme: moved to collection level 1; invoices 1, 2 (USD 0.30 open)');
    const promise = noteText({ kind: 'call', summary: 'called: reached, promised to pay', occurredOn: '2026-03-02', details: { promise: { amount: 12.34, dueOn: '2026-03-09' } } }, 'Acme', []);
    expect(promise).toContain('promised USD 12.34 by 2026-03-09');
  });

  it('stays within QuickBooks’ limit and drops control characters', () => {
    const long = noteText({ kind: 'call', summary: 'called: no answer', occurredOn: '2026-03-02', details: { notes: `a\u0007${'x'.repeat(5000)}` } }, 'Acme', []);
    expect(long).toHaveLength(NOTE_MAX_CHARS);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toContain('\u0007');
  });
});
