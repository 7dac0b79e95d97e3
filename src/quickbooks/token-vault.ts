import type { CompanyStatus, CompanyTokens } from '../db/schema';
import type { TokensRepository } from '../db/tokens-repository';
import type { IssuedTokens } from './oauth';
import { TokenCipher } from './token-cipher';

export interface StoredTokens {
  realmId: string;
  accessToken: string;
  refreshToken: string;
  createdAt: Date;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
  hardExpiresAt: Date | null;
  version: number;
}

/** Tokens in and out of the database, encrypted on the way in and decrypted on the way out. */
export class TokenVault {
  constructor(private readonly repository: TokensRepository, private readonly cipher: TokenCipher) {}

  private row(realmId: string, tokens: IssuedTokens, createdAt: Date) {
    const at = (seconds: number) => new Date(createdAt.getTime() + seconds * 1000);
    return {
      access_token: this.cipher.encrypt(tokens.accessToken, realmId),
      refresh_token: this.cipher.encrypt(tokens.refreshToken, realmId),
      token_created_at: createdAt,
      expires_in: tokens.expiresIn,
      // intuit-oauth treats a missing refresh lifetime as expired; Intuit's is 100 days.
      x_refresh_token_expires_in: tokens.refreshExpiresIn || 8_640_000,
      access_expires_at: at(tokens.expiresIn),
      refresh_expires_at: at(tokens.refreshExpiresIn || 8_640_000),
      hard_expires_at: tokens.hardExpiresIn ? at(tokens.hardExpiresIn) : null,
    };
  }

  async read(realmId: string): Promise<StoredTokens | undefined> {
    const row = await this.repository.find(realmId);
    return row && this.decrypted(realmId, row);
  }

  /** The company's connection status and its tokens, read together: undefined when there is no such company. */
  async readWithStatus(realmId: string): Promise<{ status: CompanyStatus; tokens: StoredTokens | undefined } | undefined> {
    const found = await this.repository.findWithStatus(realmId);
    return found && { status: found.status, tokens: found.tokens && this.decrypted(realmId, found.tokens) };
  }

  private decrypted(realmId: string, row: CompanyTokens): StoredTokens {
    return {
      realmId,
      accessToken: this.cipher.decrypt(row.access_token, realmId),
      refreshToken: this.cipher.decrypt(row.refresh_token, realmId),
      createdAt: row.token_created_at,
      accessExpiresAt: row.access_expires_at,
      refreshExpiresAt: row.refresh_expires_at,
      hardExpiresAt: row.hard_expires_at,
      version: row.version,
    };
  }

  async storeNew(realmId: string, tokens: IssuedTokens, createdAt: Date): Promise<void> {
    await this.repository.put(realmId, this.row(realmId, tokens, createdAt));
  }

  /** Stores refreshed tokens if nobody else did since `version`; the newest refresh token wins. */
  async storeRefreshed(realmId: string, tokens: IssuedTokens, createdAt: Date, version: number): Promise<boolean> {
    const row = this.row(realmId, tokens, createdAt);
    const current = await this.repository.find(realmId);
    // The hard expiry only comes with some answers; keep the one we know.
    if (!row.hard_expires_at && current?.hard_expires_at) row.hard_expires_at = current.hard_expires_at;
    return this.repository.replace(realmId, row, version);
  }

  async remove(realmId: string): Promise<void> {
    await this.repository.delete(realmId);
  }
}
