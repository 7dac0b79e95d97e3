import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../logger';

/**
 * `ardesk inbound`'s SMTP listener: the MX of a subdomain (in.example.com) or the target of a
 * relay. It takes mail for the inbound address and its tagged forms only (anything else is
 * refused at RCPT TO: it is no open relay), refuses what is larger than the limit, and accepts a
 * message only once it is recorded: a failure answers 451, and the sending server tries again.
 */

export type Receive = (raw: Buffer, recipients: string[]) => Promise<unknown>;

export interface InboundSmtpOptions {
  host: string;
  port: number;
  maxBytes: number;
  /** Whether the listener takes mail for this recipient. */
  accepts: (address: string) => boolean;
  receive: Receive;
  logger: Logger;
}

export interface InboundSmtp {
  port: number;
  stop(): Promise<void>;
}

const smtpError = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });

export async function startInboundSmtp(options: InboundSmtpOptions): Promise<InboundSmtp> {
  const server = new SMTPServer({
    name: 'ardesk-inbound',
    banner: 'Ardesk inbound mail',
    size: options.maxBytes,
    authOptional: true,
    // Plain SMTP: for TLS, put the listener behind a relay that terminates it (README).
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!options.accepts(address.address)) return callback(smtpError('5.1.1 No such mailbox here', 550));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(smtpError('5.3.4 Message too big', 552));
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        options.receive(Buffer.concat(chunks), recipients).then(
          () => callback(),
          (error: unknown) => {
            options.logger.error({ err: error }, 'inbound message could not be recorded; the sender will retry');
            callback(smtpError('4.3.0 Could not record the message, try again later', 451));
          },
        );
      });
    },
  });
  server.on('error', (error) => options.logger.warn({ err: error.message }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
