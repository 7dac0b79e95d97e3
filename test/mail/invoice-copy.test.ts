import fs from 'node:fs';
import path from 'node:path';
import { copyRows, invoiceCopyPdf } from '../../src/mail/invoice-copy-pdf';
import type { MergeData } from '../../src/mail/templates';
import { pdfText } from '../support/pdf';
import { REFERENCE_DIR } from '../support/reference';

type Invoice = Parameters<typeof invoiceCopyPdf>[0] & { Id: string; DocNumber: string; TotalAmt: number; Balance: number; Line: Array<{ DetailType: string; Description?: string; Amount: number }> };

/** The invoices of a real QuickBooks company, as Intuit's API returned them (shared/reference/qbo). */
function recordedInvoices(): Invoice[] {
  const lines = fs.readFileSync(path.join(REFERENCE_DIR, 'sandbox_company/airbyte_expected_records_AR_subset.jsonl'), 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as { stream: string; data: Invoice }).filter((record) => record.stream === 'invoices').map((record) => record.data);
}

const data = {
  locale: 'en-US',
  currency: 'USD',
  today: '2026-11-20',
  company: { name: 'Craig’s Design and Landscaping Services', email: 'ar@craigs.test', phone: '(650) 555-0100', address: ['123 Sierra Way', 'San Pablo, CA 87999'] },
  customer: { name: 'Mark Cho', address: ['Mark Cho', '36 Willow Rd', 'Menlo Park, CA 94304'] },
} as unknown as MergeData;

const text = async (invoice: Parameters<typeof invoiceCopyPdf>[0]) => pdfText(await invoiceCopyPdf(invoice, data)).replace(/\s+/g, ' ');

/** The copy a verification letter carries, drawn from the invoice as QuickBooks returned it. */
describe('an invoice copy drawn from the QuickBooks invoice', () => {
  const invoices = recordedInvoices();

  it('shows each recorded invoice as QuickBooks has it: number, dates, terms, addresses, lines, tax, total and balance due', async () => {
    expect(invoices.length).toBeGreaterThanOrEqual(5);
    for (const invoice of invoices) {
      const copy = await text(invoice);
      expect(copy).toContain(`Invoice ${invoice.DocNumber}`);
      expect(copy).toContain('Copy, as recorded in QuickBooks on November 20, 2026');
      expect(copy).toContain('Craig’s Design and Landscaping Services');
      for (const line of invoice.Line.filter((l) => l.DetailType === 'SalesItemLineDetail')) expect(copy).toContain(line.Description!);
      const dollars = (amount: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount);
      expect(copy).toContain(`Total ${dollars(invoice.TotalAmt)}`);
      expect(copy).toContain(`Balance due ${dollars(invoice.Balance)}`);
      if (invoice.TxnTaxDetail?.TotalTax) expect(copy).toContain(`Tax ${dollars(Number(invoice.TxnTaxDetail.TotalTax))}`);
      if (invoice.SalesTermRef?.name) expect(copy).toContain(`Terms: ${invoice.SalesTermRef.name}`);
    }
    const cho = invoices.find((i) => i.DocNumber === '1035')!;
    const copy = await text(cho);
    expect(copy).toContain('Rock Fountain 1 $275.00 $275.00');
    expect(copy).toContain('Sprinkler Pipes 4 $4.00 $16.00');
    expect(copy).toContain('Subtotal $291.00 Tax $23.28 Total $314.28 Balance due $314.28');
    expect(copy).toContain('Date: February 18, 2023 Due: March 20, 2023 Terms: Net 30');
    expect(copy).toContain('36 Willow Rd');
    expect(copy).toContain('Thank you for your business and have a great day!');
    expect(copy).not.toContain('Payments and credits');
  });

  it('shows what was paid or credited, discounts as negative amounts, and names in any script as written', async () => {
    const cho = invoices.find((i) => i.DocNumber === '1035')!;
    const paid = {
      ...cho,
      TotalAmt: 304.28,
      Balance: 100.5,
      BillAddr: { Line1: 'Łódź Spółka z o.o.', Line2: 'ul. Piotrkowska 12', City: 'Łódź', PostalCode: '90-001', Country: 'Poland' },
      Line: [...cho.Line.filter((l) => l.DetailType === 'SalesItemLineDetail'), { DetailType: 'DiscountLineDetail', Amount: 10, DiscountLineDetail: { PercentBased: true, DiscountPercent: 3.4 } }],
    };
    const copy = await text(paid);
    expect(copy).toContain('Subtotal $281.00 Tax $23.28 Total $304.28 Payments and credits -$203.78 Balance due $100.50');
    expect(copy).toMatch(/Discount \(3\.4%\) .*-\$10\.00/);
    expect(copy).toContain('Łódź Spółka z o.o.');
    expect(copyRows(paid).map((row) => row.amount)).toEqual([27500, 1600, -1000]);
  });
});
