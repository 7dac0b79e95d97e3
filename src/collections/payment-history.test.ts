import { paymentHistory } from './payment-history';

const TODAY = '2026-11-20';

describe('a customer\'s payment history', () => {
  it('averages the days late of invoices paid in full in the last 12 months, early ones counting 0', () => {
    const history = paymentHistory(
      [
        { id: '1', dueDate: '2026-09-01', balance: 0 }, // paid 10 days late
        { id: '2', dueDate: '2026-10-01', balance: 0 }, // paid 5 days early
        { id: '3', dueDate: '2026-10-15', balance: 0 }, // paid in two parts, the last 30 days late
        { id: '4', dueDate: '2026-11-01', balance: 120 }, // partly paid: not counted
        { id: '5', dueDate: '2025-06-01', balance: 0 }, // paid more than a year ago: not counted
      ],
      [
        { txnDate: '2026-09-11', invoiceIds: ['1'] },
        { txnDate: '2026-09-26', invoiceIds: ['2'] },
        { txnDate: '2026-10-20', invoiceIds: ['3'] },
        { txnDate: '2026-11-14', invoiceIds: ['3', '4'] },
        { txnDate: '2025-06-20', invoiceIds: ['5'] },
      ],
      TODAY,
    );
    expect(history).toEqual({ paidInvoices: 3, averageDaysLate: 13.3, onTimeShare: 0.333, lastPaymentOn: '2026-11-14' });
  });

  it('says nothing rather than zero when nothing was paid', () => {
    expect(paymentHistory([{ id: '1', dueDate: '2026-10-01', balance: 50 }], [], TODAY)).toEqual({ paidInvoices: 0, averageDaysLate: null, onTimeShare: null, lastPaymentOn: null });
  });
});
