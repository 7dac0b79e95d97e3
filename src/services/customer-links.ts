import { DUNNING_KINDS } from '../collections/message-kinds';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { CustomerLinks } from '../mail/templates';
import { signLink, verifyLink, type LinkClaims, type LinkPurpose } from './customer-link-token';

export interface CustomerLinksDeps {
  /** The customer links' own key (config.customerLinks.key). */
  key: Buffer;
  /** Where customers reach Ardesk (config.publicUrl). */
  publicUrl: string;
  /** How many days a link works (config.customerLinks.days). */
  days: number;
  clock: Pick<Clock, 'now'>;
}

/** A link that is not ours, was changed, or has run out: the customer is told in plain words. */
export class CustomerLinkError extends AppError {
  constructor(expired: boolean) {
    super(
      expired ? 'link_expired' : 'link_invalid',
      expired
        ? 'This link has expired. Please reply to the email or call us, and we will send you a new one.'
        : 'This link is not valid. Please use the link in the email or letter exactly as we sent it, or reply to the email.',
      { status: expired ? 410 : 404 },
    );
  }
}

/** Where a customer's link goes: the answer page of a verification letter, or the account's statement. */
export const LINK_PATHS: Record<LinkPurpose, string> = { answer: '/c/answer/', statement: '/c/statement/', stop: '/c/stop/' };
/** Where a mail provider posts a one-click unsubscribe (RFC 8058), with a `stop` token. */
export const UNSUBSCRIBE_PATH = '/c/unsubscribe/';

/**
 * The one place customer links are made and checked. A link names its company, its account,
 * its invoices and the message it came in, is signed with a key of its own (never the session
 * secret's signature), and works for `days` days by real time (never the business clock, which a
 * demo freezes). Every verification letter gets *Everything is in order* and *There is a
 * problem*; every dunning message and letter gets the statement page; a personal customer's
 * also get *Stop contacting me* (the page, and the same request as a one-click unsubscribe).
 */
export class CustomerLinksService {
  constructor(private readonly deps: CustomerLinksDeps) {}

  /** The links a message carries (none for a thank-you or a confirmation). */
  linksFor(message: { realmId: string; customerId: string; messageId: string; kind: string; invoiceIds: string[]; personal?: boolean }): CustomerLinks | null {
    const answers = message.kind === 'verification';
    if (!answers && !DUNNING_KINDS.has(message.kind)) return null;
    const expiresAt = new Date(this.deps.clock.now().getTime() + this.deps.days * 86_400_000);
    const claims = { realmId: message.realmId, customerId: message.customerId, invoiceIds: message.invoiceIds, messageId: message.messageId, expiresAt };
    const statement = this.url('statement', { ...claims, invoiceIds: [] });
    // Consumer rules require honouring a request to stop: a personal customer can make it in one click.
    const stopToken = message.personal ? signLink(this.deps.key, { ...claims, invoiceIds: [], purpose: 'stop' }) : null;
    const stop = stopToken ? { stop: `${this.deps.publicUrl}${LINK_PATHS.stop}${stopToken}`, unsubscribe: `${this.deps.publicUrl}${UNSUBSCRIBE_PATH}${stopToken}` } : {};
    if (!answers) return { statement, ...stop };
    const answer = this.url('answer', claims);
    return { statement, inOrder: `${answer}?answer=in_order`, problem: `${answer}?answer=problem`, ...stop };
  }

  /** A signed link of `purpose` (tests and the demo make one for a given expiry this way too). */
  url(purpose: LinkPurpose, claims: Omit<LinkClaims, 'purpose'>): string {
    return `${this.deps.publicUrl}${LINK_PATHS[purpose]}${signLink(this.deps.key, { ...claims, purpose })}`;
  }

  /** What a token opens, if it is ours, unexpired and for this page; else a CustomerLinkError. */
  open(token: string, purpose: LinkPurpose): LinkClaims {
    const check = verifyLink(this.deps.key, token, this.deps.clock.now());
    if (!check.ok) throw new CustomerLinkError(check.reason === 'expired');
    if (check.claims.purpose !== purpose) throw new CustomerLinkError(false);
    return check.claims;
  }
}
