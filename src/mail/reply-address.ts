import crypto from 'node:crypto';

/**
 * Each account's own reply address: the configured inbound address with a signed tag,
 * `replies+<realm>.<customer>.<mac>@in.example.com`. A reply or a bounce sent to it names its
 * company and account, and nobody can make one up for another account: the tag carries an HMAC
 * (INBOUND_SECRET, a key of its own) of the two ids. The tag is lower case and short, so
 * mail systems that fold the local part's case or cap its length (64) keep it intact.
 */

export interface AccountRef {
  realmId: string;
  customerId: string;
}

/** QuickBooks ids are digits; anything a folded local part would change gets no tag. */
const ID = /^[a-z0-9]{1,20}$/;
const MAC_HEX = 20;

export class ReplyAddresses {
  private readonly local: string;
  private readonly domain: string;

  constructor(
    address: string,
    private readonly secret: string,
  ) {
    const at = address.lastIndexOf('@');
    this.local = address.slice(0, at).toLowerCase();
    this.domain = address.slice(at + 1).toLowerCase();
  }

  /** The account's reply address; null for ids a tag cannot carry (the threading headers still match). */
  of(account: AccountRef): string | null {
    if (!ID.test(account.realmId) || !ID.test(account.customerId)) return null;
    return `${this.local}+${account.realmId}.${account.customerId}.${this.mac(account.realmId, account.customerId)}@${this.domain}`;
  }

  /**
   * The account an address names, when it is one of ours with a good tag; null otherwise
   * (another address, a tag with a wrong or missing signature).
   */
  read(address: string): AccountRef | null {
    const match = /^([^@+]+)\+([a-z0-9]{1,20})\.([a-z0-9]{1,20})\.([0-9a-f]+)@(.+)$/.exec(address.trim().toLowerCase());
    if (!match || match[1] !== this.local || match[5] !== this.domain) return null;
    const [, , realmId, customerId, mac] = match as unknown as [string, string, string, string, string];
    const expected = Buffer.from(this.mac(realmId, customerId));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
    return { realmId, customerId };
  }

  /** Whether an address is the inbound address itself or one of its tagged forms (signed or not). */
  isOurs(address: string): boolean {
    const [local, domain] = address.trim().toLowerCase().split('@');
    return domain === this.domain && (local === this.local || (local ?? '').startsWith(`${this.local}+`));
  }

  private mac(realmId: string, customerId: string): string {
    return crypto.createHmac('sha256', this.secret).update(`ardesk-reply:${realmId}:${customerId}`).digest('hex').slice(0, MAC_HEX);
  }
}
