import { addDays, daysBetween, type LocalDate } from './calendar';
import type { Cents } from './money';

export interface PaidInvoice {
  id: string;
  dueDate: LocalDate;
  /** Paid in full when nothing is left: 0 (or less, overpaid). */
  balance: Cents;
}

export interface AppliedPayment {
  txnDate: LocalDate;
  invoiceIds: string[];
}

export interface PaymentHistory {
  /** Invoices paid in full within the last 12 months. */
  paidInvoices: number;
  /** Average days past due when paid (early payments count as 0); null with nothing paid. */
  averageDaysLate: number | null;
  /** Share of those paid on or before their due date, 0..1; null with nothing paid. */
  onTimeShare: number | null;
  lastPaymentOn: LocalDate | null;
}

/**
 * How a customer has paid over the last 12 months, for the call sheet: an invoice counts once it
 * is paid in full, on the date of the last payment applied to it.
 */
export function paymentHistory(invoices: PaidInvoice[], payments: AppliedPayment[], today: LocalDate): PaymentHistory {
  const since = addDays(today, -365);
  const paidOn = new Map<string, LocalDate>();
  let lastPaymentOn: LocalDate | null = null;
  for (const payment of payments) {
    if (!lastPaymentOn || payment.txnDate > lastPaymentOn) lastPaymentOn = payment.txnDate;
    for (const id of payment.invoiceIds) {
      const known = paidOn.get(id);
      if (!known || payment.txnDate > known) paidOn.set(id, payment.txnDate);
    }
  }
  const lateness = invoices
    .filter((invoice) => invoice.balance <= 0 && paidOn.has(invoice.id) && paidOn.get(invoice.id)! >= since)
    .map((invoice) => Math.max(0, daysBetween(invoice.dueDate, paidOn.get(invoice.id)!)));
  if (lateness.length === 0) return { paidInvoices: 0, averageDaysLate: null, onTimeShare: null, lastPaymentOn };
  return {
    paidInvoices: lateness.length,
    averageDaysLate: Math.round((lateness.reduce((sum, days) => sum + days, 0) / lateness.length) * 10) / 10,
    onTimeShare: Math.round((lateness.filter((days) => days === 0).length / lateness.length) * 1000) / 1000,
    lastPaymentOn,
  };
}
