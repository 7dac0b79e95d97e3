import type { AppContext } from '../app-context';
import { pollImap } from '../mail/inbound-imap';
import { startInboundSmtp, type InboundSmtp } from '../mail/inbound-smtp';
import { ReplyAddresses } from '../mail/reply-address';

/** `ardesk inbound`: the SMTP listener, the IMAP poller, or both, feeding one inbound service. */
export interface RunningInbound {
  /** The listener's port, when it runs. */
  smtpPort?: number;
  /** Runs one IMAP poll now (the loop runs them every INBOUND_POLL_SECONDS). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

export class InboundNotConfigured extends Error {}

export async function startInbound(context: AppContext): Promise<RunningInbound> {
  const { inbound } = context.config;
  const logger = context.logger.child({ module: 'inbound' });
  const service = context.services.inboundReplies;
  if (!inbound.address && !inbound.imapUrl) {
    throw new InboundNotConfigured('ardesk inbound needs INBOUND_ADDRESS (and INBOUND_SECRET) for the SMTP listener, or INBOUND_IMAP_URL for polling a mailbox (README, Inbound mail)');
  }
  let smtp: InboundSmtp | undefined;
  if (inbound.address && inbound.secret) {
    const addresses = new ReplyAddresses(inbound.address, inbound.secret);
    smtp = await startInboundSmtp({
      host: inbound.smtpHost,
      port: inbound.smtpPort,
      maxBytes: inbound.maxBytes,
      accepts: (address) => addresses.isOurs(address),
      receive: (raw, recipients) => service.receive(raw, 'smtp', recipients),
      logger,
    });
    logger.info({ port: smtp.port, address: inbound.address }, 'inbound SMTP listener started');
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const imapUrl = inbound.imapUrl;
  const pollOnce = async () => {
    if (!imapUrl) return;
    const result = await pollImap({ url: imapUrl, maxBytes: inbound.maxBytes, receive: (raw) => service.receive(raw, 'imap'), logger }).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, 'IMAP poll failed; trying again at the next poll');
      return null;
    });
    if (result?.read || result?.failed) logger.info(result, 'IMAP poll');
  };
  const pollNow = () => (running = running.then(pollOnce));
  const loop = () => {
    if (stopped) return;
    void pollNow().finally(() => {
      if (!stopped) timer = setTimeout(loop, inbound.pollSeconds * 1000);
    });
  };
  if (imapUrl) {
    loop();
    logger.info({ everySeconds: inbound.pollSeconds }, 'IMAP poller started');
  }
  return {
    smtpPort: smtp?.port,
    pollNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([smtp?.stop(), running]);
    },
  };
}
