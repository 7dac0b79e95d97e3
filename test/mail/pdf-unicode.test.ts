import { execFileSync } from 'node:child_process';
import { letterPdf } from '../../src/mail/letter-pdf';
import { fontRuns, pdfFontCoverage } from '../../src/mail/pdf-fonts';
import { sampleMergeData, TemplateBook, type MergeData } from '../../src/mail/templates';
import { escalationFile } from '../../src/web/presenters/escalation-file';
import { escalationPdf } from '../../src/web/presenters/escalation-pdf';
import type { CustomerFile } from '../../src/services/customer-file';
import { pdfText } from '../support/pdf';

const POLISH = 'Łódź Spółka z o.o.';
const GREEK = 'Ελληνικά Εμπορική ΑΕ';
const JAPANESE = '株式会社やまだ商事';
const STREET = 'ul. Żółkiewskiego 7, Kraków';

/** The fonts a PDF embeds, as poppler's pdffonts lists them (name, type, embedded). */
function embeddedFonts(pdf: Buffer): string {
  return execFileSync('pdffonts', ['-'], { input: pdf }).toString('utf8');
}

/** Text as pdftotext gives it, with the line breaks and runs of spaces of its layout made one space. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** Names in Polish, Greek and Japanese print as written: the PDFs embed Unicode fonts instead of Helvetica. */
describe('PDFs readable in any language', () => {
  const templates = new TemplateBook();
  afterAll(() => templates.close());

  const data: MergeData = {
    ...sampleMergeData(),
    company: { name: POLISH, email: 'biuro@lodz.test', phone: '+48 42 000 00 00' },
    customer: { name: JAPANESE, companyName: JAPANESE, address: [JAPANESE, STREET, GREEK] },
    contact: { name: 'Δημήτρης Παπαδόπουλος', email: 'ap@yamada.test' },
  };

  it('finds the fonts: Latin, Greek and Cyrillic, and Japanese, each drawn by a font that has the characters', () => {
    expect(pdfFontCoverage()).toEqual({ latin: true, cjk: true });
    const runs = fontRuns(`${POLISH} ${JAPANESE}`, 'regular');
    expect(runs.map((r) => r.font)).toEqual(['Text', 'Text-CJK']);
  });

  it('a demand letter: pdftotext finds the Polish, Greek and Japanese names intact', async () => {
    const printed = await templates.renderLetter('demand_letter', data);
    const pdf = await letterPdf({ kind: 'demand_letter', title: 'Demand letter', data, printed });
    const text = flat(pdfText(pdf));
    for (const name of [POLISH, GREEK, JAPANESE, STREET, 'Δημήτρης Παπαδόπουλος']) expect(text).toContain(name);
    const fonts = embeddedFonts(pdf);
    expect(fonts).not.toMatch(/Helvetica/);
    expect(fonts).toMatch(/NotoSansJP/);
    // Every font is embedded (a subset), none left to the reader's machine.
    for (const line of fonts.split('\n').slice(2).filter(Boolean)) expect(line).toMatch(/\byes\s+yes\s+yes\b/);
  });

  it('the escalation file: pdftotext finds the names intact', async () => {
    const file = {
      today: '2026-04-01',
      company: { name: POLISH, email: 'biuro@lodz.test', phone: null, timezone: 'Europe/Warsaw', address: ['ul. Piotrkowska 1', '90-001 Łódź'] },
      currency: 'PLN',
      customer: { id: 'c1', name: JAPANESE, address: [JAPANESE, STREET, GREEK], email: 'ap@yamada.test', phone: null },
      openInvoices: [{ id: 'i1', number: '1001', txnDate: '2026-01-01', dueDate: '2026-01-31', total: 50000, balance: 42000, daysOverdue: 61, level: 4, escalation: true }],
      openBalance: 42000,
      overdueBalance: 42000,
      promises: [],
      disputes: [],
      contacts: [],
      invoices: [],
      timeline: [{ id: 'a1', kind: 'call', summary: `called ${GREEK}: no answer`, occurredOn: '2026-03-10', notes: `notatka: ${POLISH}`, noteStatus: 'written' }],
    } as unknown as CustomerFile;
    const pdf = await escalationPdf(escalationFile({ file, sent: [], verifications: [], copies: new Map() }));
    const text = flat(pdfText(pdf));
    for (const name of [`Collection file: ${JAPANESE}`, POLISH, GREEK, STREET, `called ${GREEK}: no answer`, 'Creditor', '90-001 Łódź', 'no broken promises; no disputes.']) expect(text).toContain(name);
    expect(embeddedFonts(pdf)).not.toMatch(/Helvetica/);
  });
});
