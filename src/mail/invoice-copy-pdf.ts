import PDFDocument from 'pdfkit';
import { centsOrNothing, type Cents } from '../collections/money';
import { INK, letterhead, MARGIN, MUTED, pdfBuffer, RULE } from './letter-pdf';
import { postalLines } from './merge-data';
import { unicodeText } from './pdf-fonts';
import { formatDate, formatMoney, type MergeData } from './templates';

/**
 * A copy of one invoice as a PDF, drawn from the invoice as QuickBooks returned it a moment ago
 * (the balance check before a send reads every listed invoice whole): its number, dates, terms,
 * billing and shipping addresses, lines, tax, total, what has been paid or credited and the
 * balance due. It costs no read of its own: QuickBooks' own PDF would be one metered read per
 * invoice (SPEC §3), which a company can choose instead (`quickBooksInvoicePdfs`).
 */

/** The fields of a QuickBooks invoice a copy shows (the rest of the entity is ignored). */
interface QuickBooksInvoice {
  DocNumber?: string;
  TxnDate?: string;
  DueDate?: string;
  SalesTermRef?: { name?: string };
  CurrencyRef?: { value?: string };
  BillAddr?: Parameters<typeof postalLines>[0];
  ShipAddr?: Parameters<typeof postalLines>[0];
  CustomerRef?: { name?: string };
  CustomerMemo?: { value?: string };
  Line?: QuickBooksLine[];
  TxnTaxDetail?: { TotalTax?: number | string };
  TotalAmt?: number | string;
  Balance?: number | string;
}

interface QuickBooksLine {
  DetailType?: string;
  Description?: string;
  Amount?: number | string;
  SalesItemLineDetail?: { ItemRef?: { name?: string }; Qty?: number; UnitPrice?: number | string };
  GroupLineDetail?: { GroupItemRef?: { name?: string }; Quantity?: number; Line?: QuickBooksLine[] };
  DiscountLineDetail?: { PercentBased?: boolean; DiscountPercent?: number };
}

/** One row of the copy's table: what was sold, how many, at what price, for how much. */
interface CopyRow {
  description: string;
  quantity: string;
  rate: Cents | null;
  amount: Cents;
}

/** The invoice's lines as rows: items and groups as sold, discounts as negative amounts; subtotal lines are left to the totals. */
export function copyRows(invoice: QuickBooksInvoice): CopyRow[] {
  const rows: CopyRow[] = [];
  for (const line of invoice.Line ?? []) {
    const item = line.SalesItemLineDetail;
    if (line.DetailType === 'SalesItemLineDetail' && item) {
      rows.push({ description: line.Description?.trim() || item.ItemRef?.name || '', quantity: item.Qty === undefined ? '' : String(item.Qty), rate: item.UnitPrice === undefined ? null : centsOrNothing(item.UnitPrice), amount: centsOrNothing(line.Amount) });
    } else if (line.DetailType === 'GroupLineDetail' && line.GroupLineDetail) {
      const group = line.GroupLineDetail;
      const amount = line.Amount !== undefined ? centsOrNothing(line.Amount) : (group.Line ?? []).reduce((sum, inner) => sum + centsOrNothing(inner.Amount), 0);
      rows.push({ description: line.Description?.trim() || group.GroupItemRef?.name || '', quantity: group.Quantity === undefined ? '' : String(group.Quantity), rate: null, amount });
    } else if (line.DetailType === 'DiscountLineDetail') {
      const percent = line.DiscountLineDetail?.PercentBased && line.DiscountLineDetail.DiscountPercent !== undefined ? ` (${line.DiscountLineDetail.DiscountPercent}%)` : '';
      rows.push({ description: `${line.Description?.trim() || 'Discount'}${percent}`, quantity: '', rate: null, amount: -Math.abs(centsOrNothing(line.Amount)) });
    } else if (line.DetailType === 'DescriptionOnly' && line.Description?.trim()) {
      rows.push({ description: line.Description.trim(), quantity: '', rate: null, amount: centsOrNothing(line.Amount) });
    }
  }
  return rows;
}

/** The copy of `invoice` (a QuickBooks Invoice entity) for the letter whose merge data is `data`. */
export function invoiceCopyPdf(invoice: QuickBooksInvoice, data: MergeData): Promise<Buffer> {
  const money = { locale: data.locale, currency: invoice.CurrencyRef?.value || data.currency };
  const number = invoice.DocNumber || '';
  const doc = new PDFDocument({ size: 'LETTER', margins: { top: 56, bottom: 56, left: MARGIN, right: MARGIN }, info: { Title: `Invoice ${number}: ${data.customer.name}`, Author: data.company.name, Subject: `Copy of invoice ${number}`, Creator: 'Ardesk' } });
  const done = pdfBuffer(doc);
  const t = unicodeText(doc);
  const width = doc.page.width - MARGIN * 2;

  letterhead(doc, t, data);
  doc.moveDown(1).fontSize(18).fillColor(INK);
  t.write(number ? `Invoice ${number}` : 'Invoice', 'bold');
  doc.fontSize(9).fillColor(MUTED);
  t.write(`Copy, as recorded in QuickBooks on ${formatDate(data.today, data)}`);
  doc.moveDown(1);

  // Who it is billed (and shipped) to, beside its dates and terms.
  const top = doc.y;
  const column = width / 3;
  const block = (title: string, lines: string[], x: number) => {
    doc.fontSize(9).fillColor(MUTED);
    t.write(title, 'bold', { width: column - 8 }, { x, y: top });
    doc.fontSize(10).fillColor(INK);
    for (const line of lines) t.write(line, 'regular', { width: column - 8 });
    return doc.y;
  };
  const billTo = postalLines(invoice.BillAddr);
  const shipTo = postalLines(invoice.ShipAddr);
  const bottoms = [
    block('Bill to', billTo.length ? billTo : (data.customer.address ?? [invoice.CustomerRef?.name ?? data.customer.name]), MARGIN),
    ...(shipTo.length ? [block('Ship to', shipTo, MARGIN + column)] : []),
    block('Details', [`Date: ${formatDate(invoice.TxnDate, data)}`, `Due: ${formatDate(invoice.DueDate, data)}`, ...(invoice.SalesTermRef?.name ? [`Terms: ${invoice.SalesTermRef.name}`] : [])], MARGIN + column * 2),
  ];
  doc.x = MARGIN;
  doc.y = Math.max(...bottoms) + 14;

  // The lines.
  const columns = [
    { title: 'Description', width: 0.52, align: 'left' as const },
    { title: 'Qty', width: 0.1, align: 'right' as const },
    { title: 'Rate', width: 0.18, align: 'right' as const },
    { title: 'Amount', width: 0.2, align: 'right' as const },
  ];
  const row = (cells: string[], weight: 'regular' | 'bold', rule = true) => {
    if (doc.y > doc.page.height - 100) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    let bottom = y;
    doc.fontSize(10).fillColor(INK);
    cells.forEach((cell, index) => {
      const w = columns[index]!.width * width;
      t.write(cell, weight, { width: w - 6, align: columns[index]!.align }, { x: x + 3, y: y + 4 });
      bottom = Math.max(bottom, doc.y);
      x += w;
    });
    doc.y = bottom + 4;
    if (rule) doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).lineWidth(0.5).strokeColor(RULE).stroke();
  };
  row(columns.map((c) => c.title), 'bold');
  for (const line of copyRows(invoice)) row([line.description, line.quantity, line.rate === null ? '' : formatMoney(line.rate, money), formatMoney(line.amount, money)], 'regular');

  // The totals: what was charged, what has been paid or credited, what is left.
  const total = centsOrNothing(invoice.TotalAmt);
  const balance = centsOrNothing(invoice.Balance);
  const tax = centsOrNothing(invoice.TxnTaxDetail?.TotalTax);
  doc.moveDown(0.5);
  type Total = [label: string, amount: Cents, weight: 'regular' | 'bold'];
  const totals: Total[] = [];
  if (tax !== 0) totals.push(['Subtotal', total - tax, 'regular'], ['Tax', tax, 'regular']);
  totals.push(['Total', total, 'bold']);
  if (total !== balance) totals.push(['Payments and credits', balance - total, 'regular']);
  totals.push(['Balance due', balance, 'bold']);
  // Each total's label runs across the first three columns, right-aligned against its amount.
  const labelWidth = (1 - columns[3]!.width) * width;
  for (const [label, amount, weight] of totals) {
    const y = doc.y;
    doc.fontSize(10).fillColor(INK);
    t.write(label, weight, { width: labelWidth - 6, align: 'right' }, { x: MARGIN + 3, y: y + 4 });
    t.write(formatMoney(amount, money), weight, { width: width - labelWidth - 6, align: 'right' }, { x: MARGIN + labelWidth + 3, y: y + 4 });
    doc.y += 4;
  }

  const memo = invoice.CustomerMemo?.value?.trim();
  if (memo) {
    doc.x = MARGIN;
    doc.moveDown(1).fontSize(10).fillColor(INK);
    t.write(memo, 'regular', { width });
  }
  doc.end();
  return done;
}
