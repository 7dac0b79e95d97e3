import { z } from 'zod';
import type { Clock } from '../clock';
import type { SenderIdentity, SenderIdentityRepository } from '../db/sender-identity-repository';

export type { SenderIdentity };

/** Text typed into a form: trimmed, and nothing typed is null. */
const optionalText = (max: number, what: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? null : typeof value === 'string' ? value.trim() : value),
    z.string({ message: `${what} must be text` }).max(max, { message: `${what} is longer than ${max} characters` }).nullable().default(null),
  );

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
const PHONE = /^[+()0-9][0-9 ()+.\-/x]{5,30}$/i;

/** A sender identity as typed: each field optional; a reply-to must be an address, a phone a number. */
export const senderIdentitySchema = z.object({
  collectorName: optionalText(120, 'The name'),
  collectorTitle: optionalText(120, 'The title'),
  replyTo: optionalText(254, 'The reply-to address').refine((value) => value === null || EMAIL.test(value), {
    message: 'The reply-to address must be an email address, like jane@yourcompany.com',
  }),
  directPhone: optionalText(40, 'The direct phone').refine((value) => value === null || PHONE.test(value), {
    message: 'The direct phone must be a phone number, like (555) 010-2000 or +44 20 7946 0000',
  }),
  remitTo: optionalText(1000, 'The remit-to address'),
  bankTransfer: optionalText(1000, 'The bank transfer details'),
  returnAddress: optionalText(1000, 'The return address'),
  fromAddress: optionalText(254, 'The From address').refine((value) => value === null || EMAIL.test(value), {
    message: 'The From address must be an email address, like accounts@yourcompany.com',
  }),
});

/** The domain of an address, lower case. */
export function domainOf(address: string): string {
  return (address.split('@').pop() ?? '').toLowerCase();
}

/** Whether the mail setup may send From `address`: its domain is one of `domains` (MAIL_FROM_DOMAINS). */
export function fromAllowed(address: string | null | undefined, domains: readonly string[]): address is string {
  return Boolean(address) && domains.includes(domainOf(address!));
}

export interface SenderIdentityDeps {
  identities: Pick<SenderIdentityRepository, 'of' | 'save'>;
  /** Domains a company's own From address may be on (config.mailFromDomains). */
  fromDomains?: readonly string[];
  clock: Clock;
}

/** Who writes to a company's customers, and how they can pay. */
export class SenderIdentityService {
  constructor(private readonly deps: SenderIdentityDeps) {}

  of(realmId: string): Promise<SenderIdentity> {
    return this.deps.identities.of(realmId);
  }

  /** Saves the identity as typed; a ZodError (plain messages, by field) when a field is wrong. */
  async change(realmId: string, input: unknown): Promise<SenderIdentity> {
    const domains = this.deps.fromDomains ?? [];
    const identity = senderIdentitySchema
      .superRefine((value, ctx) => {
        if (value.fromAddress === null || fromAllowed(value.fromAddress, domains)) return;
        const message = domains.length
          ? `Emails can only be sent from an address at ${domains.join(' or ')}; leave it empty to send from Ardesk's address with your company's name`
          : "This Ardesk sends every email from its own address, with your company's name; leave it empty (whoever runs Ardesk can allow your domain with MAIL_FROM_DOMAINS)";
        ctx.addIssue({ code: 'custom', path: ['fromAddress'], message });
      })
      .parse(input);
    await this.deps.identities.save(realmId, identity, this.deps.clock.now());
    return identity;
  }

  /** What the review page asks for: the collector's name, and a way to pay besides a pay link. */
  missing(identity: SenderIdentity): { collectorName: boolean; howToPay: boolean; any: boolean } {
    const collectorName = !identity.collectorName;
    const howToPay = !identity.remitTo && !identity.bankTransfer;
    return { collectorName, howToPay, any: collectorName || howToPay };
  }
}
