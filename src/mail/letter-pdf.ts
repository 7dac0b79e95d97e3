import PDFDocument from 'pdfkit';
import { unicodeText } from './pdf-fonts';
import { formatDate, formatMoney, type MergeData, type PrintedLetter } from './templates';

/**
 * A letter as a PDF to print and post: the company's letterhead, the date, the customer's address
 * where a window envelope shows it, the letter's text, and the invoices drawn as a table. Text is
 * set in embedded Unicode fonts (pdf-fonts.ts), so any customer's name prints as written.
 */

/** The letter page's margin (the letterhead is set against it), and the ink of text, of muted text and of rules. */
export const MARGIN = 64;
export const INK = '#1f2933';
export const MUTED = '#6b7785';
export const RULE = '#c5ccd6';

/** What a PDF is laid out from: the letter's kind and name, its merge data and its printed text. */
export interface PdfLetter {
  kind: string;
  title: string;
  data: MergeData;
  printed: PrintedLetter;
}

type Writer = ReturnType<typeof unicodeText>;

export function letterPdf(letter: PdfLetter): Promise<Buffer> {
  const { data } = letter;
  const doc = new PDFDocument({ size: 'LETTER', margins: { top: 56, bottom: 56, left: MARGIN, right: MARGIN }, info: { Title: `${letter.title}: ${data.customer.name}`, Author: data.company.name, Subject: letter.printed.subject, Creator: 'Ardesk' } });
  const done = pdfBuffer(doc);
  const t = unicodeText(doc);

  letterhead(doc, t, data);
  doc.moveDown(2).fillColor(INK).fontSize(11);
  for (const line of data.customer.address ?? [data.customer.name]) t.write(line);
  doc.moveDown(1.5);

  letter.printed.textAroundTable.forEach((text, index) => {
    if (index > 0) invoiceTable(doc, t, data, letter.kind !== 'verification');
    if (text.trim()) t.write(text, 'regular', { lineGap: 2, paragraphGap: 4 });
  });
  doc.end();
  return done;
}

/** The document's bytes once it has ended (call before drawing). */
export function pdfBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** The company's name, return address and contact across the top, ruled off. */
export function letterhead(doc: PDFKit.PDFDocument, t: Writer, data: MergeData): void {
  const width = doc.page.width - MARGIN * 2;
  doc.fontSize(16).fillColor('#1b4f72');
  t.write(data.company.name, 'bold', { width }, { x: MARGIN, y: 56 });
  // The return address: a posted letter says where to answer.
  const returnAddress = (data.company.address ?? []).join(', ');
  if (returnAddress) {
    doc.fontSize(9).fillColor(MUTED);
    t.write(returnAddress, 'regular', { width });
  }
  const contact = [data.company.phone, data.company.email].filter(Boolean).join('  ·  ');
  if (contact) {
    doc.fontSize(9).fillColor(MUTED);
    t.write(contact, 'regular', { width });
  }
  const y = doc.y + 6;
  doc.moveTo(MARGIN, y).lineTo(MARGIN + width, y).lineWidth(1.5).strokeColor('#1b4f72').stroke();
  doc.y = y + 4;
  doc.x = MARGIN;
  doc.fillColor(INK);
}

function invoiceTable(doc: PDFKit.PDFDocument, t: Writer, data: MergeData, showOverdue: boolean): void {
  const width = doc.page.width - MARGIN * 2;
  const columns = [
    { title: 'Invoice', width: 0.14, align: 'left' as const, value: (i: MergeData['invoices'][number]) => i.number },
    { title: 'Date', width: 0.2, align: 'left' as const, value: (i: MergeData['invoices'][number]) => formatDate(i.txnDate, data) },
    { title: 'Due', width: 0.2, align: 'left' as const, value: (i: MergeData['invoices'][number]) => formatDate(i.dueDate, data) },
    { title: 'Amount', width: 0.16, align: 'right' as const, value: (i: MergeData['invoices'][number]) => formatMoney(i.amount, data) },
    { title: 'Balance', width: 0.16, align: 'right' as const, value: (i: MergeData['invoices'][number]) => formatMoney(i.balance, data) },
    ...(showOverdue ? [{ title: 'Days late', width: 0.14, align: 'right' as const, value: (i: MergeData['invoices'][number]) => String(i.daysOverdue) }] : []),
  ];
  const scale = width / columns.reduce((sum, c) => sum + c.width, 0);
  const row = (cells: string[], bold: boolean) => {
    if (doc.y > doc.page.height - 100) doc.addPage();
    const top = doc.y;
    let x = MARGIN;
    doc.fontSize(10).fillColor(INK);
    cells.forEach((cell, index) => {
      const w = columns[index]!.width * scale;
      t.write(cell, bold ? 'bold' : 'regular', { width: w - 6, align: columns[index]!.align, lineBreak: false, ellipsis: true }, { x: x + 3, y: top + 4 });
      x += w;
    });
    doc.y = top + 18;
    doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).lineWidth(0.5).strokeColor(RULE).stroke();
  };
  doc.moveDown(0.5);
  row(columns.map((c) => c.title), true);
  for (const invoice of data.invoices) row(columns.map((c) => c.value(invoice)), false);
  row(columns.map((c, index) => (index === 0 ? 'Total' : c.title === 'Balance' ? formatMoney(data.total, data) : '')), true);
  doc.x = MARGIN;
  doc.moveDown(1);
}
