import type { LocalDate } from '../../src/collections/calendar';
import type { ReceivedMail, TestSmtp } from '../support/smtp';

/**
 * A run's moments, in order: every batch of payments entered in QuickBooks and every look at
 * what the SMTP server received gets the next number. Payments are only entered while the
 * worker is idle, so a message first seen at moment m was sent after every payment entered
 * before m, and before every payment entered after it.
 */
export class Moments {
  private current = 0;
  next(): number {
    return ++this.current;
  }
}

export interface LoggedMail {
  day: LocalDate;
  /** The moment the message was first seen at the SMTP server. */
  seenAt: number;
  to: string;
  subject: string;
  text: string;
  /** Ardesk's outbox id (the X-Ardesk-Message header). */
  outboxId: string;
  /** The invoice numbers the message lists. */
  invoiceNumbers: string[];
}

/** The invoice numbers a message lists: its invoice table's lines, or a thank-you's sentence. */
export function invoiceNumbersIn(text: string): string[] {
  const table = [...text.matchAll(/^\s*Invoice (\S+)\s+dated /gm)].map((m) => m[1]!);
  if (table.length) return table;
  const thanked = /payment for invoices? ([^.]+)\./.exec(text)?.[1];
  return thanked ? thanked.split(/,\s*/).map((n) => n.trim()).filter(Boolean) : [];
}

function addressOf(mail: ReceivedMail): string {
  const to = mail.parsed.to;
  const first = Array.isArray(to) ? to[0] : to;
  return (first?.value[0]?.address ?? '').toLowerCase();
}

/** Every message the SMTP server received, with the day and moment it was first seen. */
export class MailLedger {
  readonly mails: LoggedMail[] = [];
  private seen = 0;

  constructor(
    private readonly smtp: TestSmtp,
    private readonly moments: Moments,
  ) {}

  /** Takes in what arrived since the last look; answers it. */
  observe(day: LocalDate): LoggedMail[] {
    const fresh = this.smtp.received.slice(this.seen);
    this.seen = this.smtp.received.length;
    if (fresh.length === 0) return [];
    const seenAt = this.moments.next();
    const logged = fresh.map((mail) => ({
      day,
      seenAt,
      to: addressOf(mail),
      subject: mail.parsed.subject ?? '',
      text: mail.parsed.text ?? '',
      outboxId: String(mail.parsed.headers.get('x-ardesk-message') ?? ''),
      invoiceNumbers: invoiceNumbersIn(mail.parsed.text ?? ''),
    }));
    this.mails.push(...logged);
    return logged;
  }

  onDay(day: LocalDate): LoggedMail[] {
    return this.mails.filter((mail) => mail.day === day);
  }
}
