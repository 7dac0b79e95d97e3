import { ImapFlow } from 'imapflow';
import type { Logger } from '../logger';

/**
 * `ardesk inbound`'s IMAP poller: every poll reads the unseen messages of one mailbox
 * (INBOUND_IMAP_URL, imap(s)://user:password@host:port/MAILBOX, default INBOX), hands each to
 * the inbound service and flags it \Seen once it is recorded. A message whose recording failed
 * stays unseen and is read again at the next poll; one recorded twice is kept once (its
 * Message-ID), so a crash between the two steps loses nothing and doubles nothing.
 */

export interface ImapPollOptions {
  url: string;
  maxBytes: number;
  receive: (raw: Buffer) => Promise<unknown>;
  logger: Logger;
}

export interface PollResult {
  read: number;
  failed: number;
}

function clientOf(url: string): { client: ImapFlow; mailbox: string } {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const mailbox = decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX';
  const client = new ImapFlow({
    host: parsed.hostname,
    port: Number(parsed.port) || (secure ? 993 : 143),
    secure,
    auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) },
    logger: false,
    connectionTimeout: 10_000,
    socketTimeout: 60_000,
  });
  return { client, mailbox };
}

/** One poll: connects, reads what is unseen, logs out. */
export async function pollImap(options: ImapPollOptions): Promise<PollResult> {
  const { client, mailbox } = clientOf(options.url);
  client.on('error', (error: Error) => options.logger.warn({ err: error.message }, 'IMAP connection error'));
  await client.connect();
  const result = { read: 0, failed: 0 };
  try {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const uids = (await client.search({ seen: false }, { uid: true })) || [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: { maxLength: options.maxBytes } }, { uid: true });
        if (!message || !message.source) continue;
        try {
          await options.receive(message.source);
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          result.read++;
        } catch (error) {
          result.failed++;
          options.logger.error({ err: error, uid }, 'inbound message could not be recorded; it stays unseen for the next poll');
        }
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return result;
}
