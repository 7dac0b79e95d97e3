import { toCents, type Cents } from '../collections/money';

/** One line of a payment: the invoice or credit memo it paid, and how much of it, in cents. */
export interface PaymentLine {
  id: string;
  type: string;
  amount: Cents;
}

/**
 * A payment's `applied_to` as stored (each line's amount in currency units, as QuickBooks gave
 * it) with its amounts in cents.
 */
export function paymentLines(appliedTo: unknown): PaymentLine[] {
  return (appliedTo as Array<{ id: string; type: string; amount: number | string }>).map((line) => ({ id: line.id, type: line.type, amount: toCents(line.amount) }));
}
