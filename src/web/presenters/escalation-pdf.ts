import PDFDocument from 'pdfkit';
import type { Cents } from '../../collections/money';
import { INK, MUTED, pdfBuffer, RULE } from '../../mail/letter-pdf';
import { unicodeText } from '../../mail/pdf-fonts';
import { formatMoney } from '../../mail/templates';
import type { EscalationFile, SentInFile } from './escalation-file';

const MARGIN = 56;

/** A message's kept copy in a line: its SHA-256 and the files it carried. */
function sentLine(message: SentInFile): string {
  const digest = message.sha256 ? `As sent; SHA-256 ${message.sha256}` : 'No copy was kept when it was sent';
  return message.attachments.length ? `${digest}; attached: ${message.attachments.join(', ')}` : digest;
}

/** The escalation file as a PDF: one document to print or send to an agency or the small-claims court. */
export function escalationPdf(file: EscalationFile): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'LETTER', margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN }, info: { Title: `Collection file: ${file.customer.name}`, Author: file.company.name, Creator: 'Ardesk' } });
  const done = pdfBuffer(doc);
  const money = (cents: Cents) => formatMoney(cents, { locale: 'en-US', currency: /^[A-Z]{3}$/.test(file.currency) ? file.currency : 'USD' });
  const width = doc.page.width - MARGIN * 2;
  // Embedded Unicode fonts: a customer's name in any script prints as written.
  const t = unicodeText(doc);

  doc.fontSize(16).fillColor(INK);
  t.write(`Collection file: ${file.customer.name}`, 'bold');
  doc.fontSize(10).fillColor(MUTED);
  t.write(`Prepared ${file.generatedOn}`);
  // Who is owed and who owes, side by side as a claim form asks for them.
  const top = doc.moveDown().y;
  const half = (width - 12) / 2;
  doc.fillColor(INK).fontSize(9);
  t.write('Creditor', 'bold', { width: half }, { x: MARGIN, y: top });
  doc.fontSize(10.5);
  for (const line of [file.company.name, ...(file.company.address ?? []), [file.company.phone, file.company.email].filter(Boolean).join(' · ')].filter(Boolean)) t.write(line, 'regular', { width: half });
  const creditorBottom = doc.y;
  doc.fontSize(9);
  t.write('Customer', 'bold', { width: half }, { x: MARGIN + half + 12, y: top });
  doc.fontSize(10.5);
  for (const line of [...file.customer.address, [file.customer.email, file.customer.phone].filter(Boolean).join(' · ')].filter(Boolean)) t.write(line, 'regular', { width: half }, { x: MARGIN + half + 12, y: doc.y });
  doc.x = MARGIN;
  doc.y = Math.max(creditorBottom, doc.y);
  doc.moveDown();
  t.write(file.summary, 'bold', { width }, { x: MARGIN, y: doc.y });

  const heading = (text: string) => {
    doc.moveDown().fontSize(12).fillColor(INK);
    t.write(text, 'bold', {}, { x: MARGIN, y: doc.y });
    doc.moveTo(MARGIN, doc.y + 2).lineTo(MARGIN + width, doc.y + 2).strokeColor(RULE).stroke();
    doc.moveDown(0.5).fontSize(10);
    t.font('regular');
  };
  const row = (cells: string[], widths: number[], bold = false) => {
    const top = doc.y;
    let x = MARGIN;
    let bottom = top;
    doc.fontSize(9.5).fillColor(INK);
    cells.forEach((cell, index) => {
      t.write(cell, bold ? 'bold' : 'regular', { width: widths[index]! - 6 }, { x, y: top });
      bottom = Math.max(bottom, doc.y);
      x += widths[index]!;
    });
    doc.x = MARGIN;
    doc.y = bottom + 3;
    if (doc.y > doc.page.height - MARGIN - 40) doc.addPage();
  };

  heading('Open invoices');
  const invoiceWidths = [70, 75, 75, 85, 85, width - 390].map((w) => w);
  row(['Invoice', 'Date', 'Due', 'Amount', 'Balance', 'Days overdue'], invoiceWidths, true);
  for (const invoice of file.openInvoices) row([`#${invoice.number}`, invoice.txnDate, invoice.dueDate, money(invoice.total), money(invoice.balance), String(invoice.daysOverdue)], invoiceWidths);

  heading('Customer satisfaction verification');
  if (file.verifications.length === 0) t.write('No verification letter was sent for the open invoices.');
  for (const letter of file.verifications) {
    t.write(`Sent ${letter.sentOn} to ${letter.to}: ${letter.subject}`, 'bold');
    doc.fontSize(8).fillColor(MUTED);
    t.write(letter.sha256 ? `As sent; SHA-256 ${letter.sha256}` : "No copy was kept when this letter was sent: rendered again from today's records");
    doc.fontSize(10);
    t.write(letter.text.trim(), 'regular', { lineGap: 1 });
    doc.fillColor(INK).moveDown(0.5);
  }
  for (const confirmation of file.confirmations) t.write(`The customer confirmed on its page that everything is in order on ${confirmation.on} (${confirmation.at}), for invoices ${confirmation.invoices}.`, 'bold');
  const replies = file.disputes.filter((d) => d.category);
  t.write(replies.length ? `Replies recorded as disputes: ${replies.length} (see the chronology).` : 'No reply disputing the goods, services or invoices was recorded.');

  heading('Chronology: every contact, promise, dispute, email and letter');
  const eventWidths = [70, 110, width - 180];
  row(['Date', 'Channel', 'What happened'], eventWidths, true);
  for (const event of file.events) row([event.on, event.channel, [event.what, event.outcome ? `Outcome: ${event.outcome}` : '', event.notes ? `Notes: ${event.notes}` : '', event.message ? sentLine(event.message) : ''].filter(Boolean).join('\n')], eventWidths);

  heading('Promises to pay');
  if (file.promises.length === 0) t.write('None.');
  for (const promise of file.promises) t.write(`${promise.madeOn}: ${money(promise.amount)} by ${promise.dueOn}${promise.invoices ? ` for #${promise.invoices}` : ''}: ${promise.fate}`);

  heading('Letters sent');
  if (file.letters.length === 0) t.write('None.');
  for (const letter of file.letters) t.write(`${letter.on}: ${letter.title} to ${letter.to}${letter.printed ? `; printed ${letter.printed}` : ''}${letter.sha256 ? `; SHA-256 ${letter.sha256}` : ''}`);

  doc.end();
  return done;
}
