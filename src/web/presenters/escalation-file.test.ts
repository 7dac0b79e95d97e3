import type { SentMessageRow } from '../../db/outbox-repository';
import type { CustomerFile } from '../../services/customer-file';
import { escalationFile } from './escalation-file';

const file = {
  today: '2026-04-01',
  company: { name: 'Seller Co', email: 'ar@seller.test', phone: null, timezone: 'America/New_York', address: ['100 Market Street', 'Springfield, IL 62701'] },
  currency: 'USD',
  customer: { id: 'c1', name: 'Slow Payer', address: ['Slow Payer', '1 Main St'], email: 'ap@slow.test', phone: null },
  openInvoices: [{ id: 'i1', number: '1001', txnDate: '2026-01-01', dueDate: '2026-01-31', total: 50000, balance: 42000, daysOverdue: 61, level: 3, escalation: true }],
  openBalance: 42000,
  overdueBalance: 42000,
  // Newest first, as the customer file gives them.
  promises: [
    { id: 'p2', amount: 42000, dueOn: '2026-03-20', madeOn: '2026-03-10', status: 'broken', paid: null, inPlan: false, invoices: '1001' },
    { id: 'p1', amount: 8000, dueOn: '2026-02-20', madeOn: '2026-02-10', status: 'kept', paid: 8000, inPlan: false, invoices: '1001' },
  ],
  disputes: [{ id: 'd1', category: 'wrong_amount', text: 'billed twice', status: 'resolved', resolution: 'explained', openedOn: '2026-02-15', resolvedOn: '2026-02-18', invoices: '1001' }],
  contacts: [],
  invoices: [
    { id: 'i1', number: '1001' },
    { id: 'i2', number: '1002' },
  ],
  timeline: [
    { id: 'a5', kind: 'level_change', summary: 'moved to collection level 2', occurredOn: '2026-03-01', invoiceIds: ['i1'], notes: null, noteStatus: 'written' },
    { id: 'a4', kind: 'level_change', summary: 'moved to collection level 1', occurredOn: '2026-02-01', invoiceIds: ['i2'], notes: null, noteStatus: 'written' },
    { id: 'a4b', kind: 'level_change', summary: 'moved to collection level 1', occurredOn: '2026-02-01', invoiceIds: ['i1'], notes: null, noteStatus: 'written' },
    { id: 'a3', kind: 'call', summary: 'called: promised to pay', occurredOn: '2026-03-10', notes: 'says cash is tight', noteStatus: 'written' },
    { id: 'a2', kind: 'message_queued', summary: 'demand letter queued', occurredOn: '2026-03-01', notes: null, noteStatus: 'written' },
    { id: 'a1', kind: 'letter_sent', summary: 'verification emailed', occurredOn: '2026-02-05', notes: null, noteStatus: 'written', messageId: 'm1' },
  ],
} as unknown as CustomerFile;

const message = (id: string, kind: string, sentAt: string, printedAt: string | null = null): SentMessageRow => ({ id, kind, to_address: 'ap@slow.test', subject: null, sent_at: new Date(sentAt), send_at: new Date(sentAt), status: 'sent', printed_at: printedAt ? new Date(printedAt) : null }) as SentMessageRow;
const verification = message('m1', 'verification', '2026-02-06T02:00:00Z');
const sent = [verification, message('m2', 'reminder', '2026-02-20T15:00:00Z'), message('m3', 'demand_letter', '2026-03-02T15:00:00Z', '2026-03-03T14:00:00Z')];

describe('the escalation file, laid out from its records', () => {
  const kept = { messageId: 'm3', kind: 'demand_letter', subject: 'Demand for payment', sha256: 'ab'.repeat(32), parts: {}, dated: '2026-03-02', sentAt: new Date('2026-03-02T15:00:00Z'), attachments: [] };
  const keptVerification = { ...kept, messageId: 'm1', kind: 'verification', subject: 'Please confirm invoice 1001', sha256: 'cd'.repeat(32), attachments: [{ position: 1, filename: 'invoice-1001.pdf', contentType: 'application/pdf', size: 1200, sha256: 'ef'.repeat(32) }] };
  const keptReminder = { ...kept, messageId: 'm2', kind: 'reminder', subject: 'A friendly reminder: invoice 1001', sha256: '12'.repeat(32) };
  const copies = new Map([
    ['m1', keptVerification],
    ['m2', keptReminder],
    ['m3', kept],
  ]);
  const laidOut = escalationFile({ file, sent, verifications: [{ message: verification, rendered: { subject: 'Please confirm invoice 1001', html: '<p>…</p>', text: 'Was everything right?' }, sha256: 'cd'.repeat(32), reRendered: false }], copies });

  it('puts every contact, promise, dispute and message sent in date order, without the queued steps', () => {
    expect(laidOut.events.map((e) => [e.on, e.channel])).toEqual([
      ['2026-02-01', 'Collection level'],
      ['2026-02-05', 'Letter (emailed; printable for post)'],
      ['2026-02-10', 'Promise'],
      ['2026-02-15', 'Dispute'],
      ['2026-02-20', 'Email'],
      ['2026-03-01', 'Collection level'],
      ['2026-03-02', 'Letter (emailed; printable for post)'],
      ['2026-03-10', 'Phone'],
      ['2026-03-10', 'Promise'],
    ]);
    expect(laidOut.events[3]).toMatchObject({ what: 'wrong amount: billed twice (invoices 1001)', outcome: 'resolved 2026-02-18: explained' });
    expect(laidOut.events[7]!.notes).toBe('says cash is tight');
  });

  it('lists every message sent, emails and letters, with its kind, recipient, subject and the SHA-256 of its kept copy and its attachments', () => {
    const messages = laidOut.events.filter((e) => e.message);
    expect(messages.map((e) => [e.on, e.what, e.message!.sha256, e.message!.attachments])).toEqual([
      ['2026-02-05', 'Customer satisfaction verification letter to ap@slow.test: "Please confirm invoice 1001"', 'cd'.repeat(32), ['invoice-1001.pdf']],
      ['2026-02-20', 'Friendly reminder to ap@slow.test: "A friendly reminder: invoice 1001"', '12'.repeat(32), []],
      ['2026-03-02', 'Demand letter to ap@slow.test: "Demand for payment"', 'ab'.repeat(32), []],
    ]);
    expect(messages[2]!.outcome).toBe('printed 2026-03-03');
    // The verification's send was recorded in the timeline: it is there once, where it was recorded.
    expect(laidOut.events.filter((e) => /verification/i.test(e.what))).toHaveLength(1);
    // A message whose copy was not kept (sent before copies were) is listed, saying it has no digest.
    const old = escalationFile({ file, sent, verifications: [], copies: new Map() });
    expect(old.events.filter((e) => e.message).map((e) => e.message!.sha256)).toEqual([null, null, null]);
  });

  it('lists each promise on the day it was made, with its fate', () => {
    expect(laidOut.events.filter((e) => e.channel === 'Promise').map((e) => [e.on, e.what, e.outcome])).toEqual([
      ['2026-02-10', 'promised $80.00 by 2026-02-20 for #1001', 'kept'],
      ['2026-03-10', 'promised $420.00 by 2026-03-20 for #1001', 'broken: nothing paid by 2026-03-20'],
    ]);
  });

  it('names the invoices of each level change, one event per day and level', () => {
    expect(laidOut.events.filter((e) => e.channel === 'Collection level').map((e) => e.what)).toEqual(['moved to collection level 1: invoices #1001, #1002', 'moved to collection level 2: invoice #1001']);
  });

  it('shows the verification letter as sent, on the company\'s day, and the letters with when they were printed', () => {
    // 02:00 UTC on Feb 6 is still Feb 5 in New York.
    expect(laidOut.verifications).toEqual([{ sentOn: '2026-02-05', to: 'ap@slow.test', subject: 'Please confirm invoice 1001', text: 'Was everything right?', sha256: 'cd'.repeat(32), reRendered: false }]);
    expect(laidOut.letters).toEqual([
      { on: '2026-02-05', title: expect.stringMatching(/verification/i), to: 'ap@slow.test', status: 'sent', printed: null, sha256: 'cd'.repeat(32) },
      { on: '2026-03-02', title: expect.stringMatching(/demand/i), to: 'ap@slow.test', status: 'sent', printed: '2026-03-03', sha256: 'ab'.repeat(32) },
    ]);
  });

  it('lists promises oldest first and counts the broken ones; money stays in cents', () => {
    expect(laidOut.promises.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(laidOut.brokenPromises).toBe(1);
    expect(laidOut.promises.map((p) => p.fate)).toEqual(['kept', 'broken: nothing paid by 2026-03-20']);
    expect(laidOut.summary).toBe('Owed: $420.00 open, $420.00 overdue; 1 broken promise; 1 dispute.');
    const clean = escalationFile({ file: { ...file, promises: [], disputes: [] } as CustomerFile, sent: [], verifications: [], copies: new Map() });
    expect(clean.summary).toBe('Owed: $420.00 open, $420.00 overdue; no broken promises; no disputes.');
    expect([laidOut.openBalance, laidOut.overdueBalance, laidOut.generatedOn]).toEqual([42000, 42000, '2026-04-01']);
  });
});
