import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { MailError, smtpMailer } from '../../src/mail/mailer';
import { startSmtp } from '../support/smtp';

/** A refused message is logged by its message id: the customer's address stays out of the log. */
describe('the mailer\'s log lines', () => {
  it('name the message, never the recipient, when the server refuses it', async () => {
    const smtp = await startSmtp();
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
    const mailer = smtpMailer(smtp.url, logger);
    const to = 'Dana Payer <ap.clerk@customer-company.test>';
    smtp.rejectRecipients.add('ap.clerk@customer-company.test');
    try {
      const failure = await mailer.send({ from: 'Ardesk <billing@vendor.test>', to, subject: 'Reminder', html: '<p>Hi</p>', text: 'Hi', messageId: '<m-1@vendor.test>' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MailError);
      expect((failure as MailError).kind).toBe('invalid_address');
    } finally {
      await mailer.close();
      await smtp.stop();
    }
    const out = lines.join('');
    expect(out).toContain('SMTP send failed');
    expect(JSON.parse(lines.find((line) => line.includes('SMTP send failed'))!)).toMatchObject({ kind: 'invalid_address', code: 550 });
    expect(out).not.toContain('ap.clerk');
    expect(out).not.toContain('customer-company.test');
  });
});
