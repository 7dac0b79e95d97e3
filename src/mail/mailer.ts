import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger';

/**
 * The one door to email. With SMTP_URL set, a pooled SMTP transport; without it, every message
 * is written as an .eml file to DATA_DIR/outbox (and listed in the web UI). Either way the caller
 * learns whether the message was handed over, refused for good, or may be tried again.
 */

export interface OutgoingMail {
  from: string;
  to: string;
  replyTo?: string | null;
  subject: string;
  html: string;
  text: string;
  /** Deterministic: the same outbox row always carries the same Message-ID. */
  messageId: string;
  headers?: Record<string, string>;
  /** The envelope sender (Return-Path), where bounces go; the From: address when absent. */
  envelopeFrom?: string;
  /** Files sent with the message (a verification letter's invoice copies from QuickBooks). */
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** What nodemailer is given: the envelope's sender only when one is named. */
function nodemailerMessage({ envelopeFrom, replyTo, ...mail }: OutgoingMail) {
  return { ...mail, replyTo: replyTo ?? undefined, ...(envelopeFrom ? { envelope: { from: envelopeFrom, to: mail.to } } : {}) };
}

export type SendFailure = 'transient' | 'permanent' | 'invalid_address' | 'unknown_fate';

export class MailError extends Error {
  constructor(
    readonly kind: SendFailure,
    message: string,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ response: string }>;
  close(): Promise<void>;
}

/** Where a failure leaves a message: never guess "not sent" once the content may have gone. */
export function classifySmtpError(error: unknown): MailError {
  const e = error as { responseCode?: number; code?: string; command?: string; message?: string };
  const message = (e.message ?? String(error)).slice(0, 500);
  const code = e.responseCode;
  if (code && code >= 500) {
    // 550/553: no such mailbox, or a malformed address.
    const invalid = (code === 550 || code === 553 || code === 501) && /RCPT/i.test(e.command ?? '');
    return new MailError(invalid ? 'invalid_address' : 'permanent', message, code);
  }
  if (code && code >= 400) return new MailError('transient', message, code);
  // No answer from the server: before DATA nothing can have been delivered; after it, nobody knows.
  const beforeData = ['CONN', 'EHLO', 'HELO', 'LHLO', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', 'MAIL FROM', 'RCPT TO', 'API'].includes(e.command ?? '') || ['ECONNECTION', 'ECONNREFUSED', 'EDNS', 'ETLS', 'EAUTH', 'ENOTFOUND'].includes(e.code ?? '');
  return new MailError(beforeData ? 'transient' : 'unknown_fate', message);
}

export function smtpMailer(url: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: 5, maxMessages: 500 } as never);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(nodemailerMessage(mail));
        return { response: String(info.response ?? 'accepted') };
      } catch (error) {
        const failure = classifySmtpError(error);
        // The message id names the message; the customer's address stays out of the log.
        logger.warn({ messageId: mail.messageId, kind: failure.kind, code: failure.responseCode, err: failure.message }, 'SMTP send failed');
        throw failure;
      }
    },
    close: async () => transport.close(),
  };
}

/** Messages as .eml files in `dir`: written whole (temporary file, then rename), one per Message-ID. */
export function outboxMailer(dir: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  fs.mkdirSync(dir, { recursive: true });
  return {
    async send(mail) {
      const info = (await transport.sendMail(nodemailerMessage(mail))) as { message: Buffer };
      const name = `${mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`;
      const file = path.join(dir, name);
      const temporary = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(temporary, info.message);
      await fs.promises.rename(temporary, file);
      return { response: `written to outbox/${name}` };
    },
    close: async () => undefined,
  };
}

export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}
