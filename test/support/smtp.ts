import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  messageId: string;
  parsed: ParsedMail;
  raw: string;
  /** The envelope sender (MAIL FROM), where bounces go. */
  envelopeFrom: string;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** Refuse these recipients at RCPT TO with 550. */
  rejectRecipients: Set<string>;
  stop(): Promise<void>;
}

/** A real SMTP server on a free port; every accepted message is parsed with mailparser. */
export async function startSmtp(options: { delayMs?: number } = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const rejectRecipients = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejectRecipients.has(address.address.toLowerCase())) return callback(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        received.push({ messageId: parsed.messageId ?? '', parsed, raw, envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' });
        callback();
      });
    },
  });
  // A client killed mid-session resets its socket; the server reports it as an 'error' event.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rejectRecipients,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
