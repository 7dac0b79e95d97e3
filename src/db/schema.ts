import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps are written as Date and read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type CompanyStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export interface CompaniesTable {
  realm_id: string;
  name: string;
  status: CompanyStatus;
  status_reason: string | null;
  timezone: Generated<string>;
  currency: Generated<string>;
  country: string | null;
  email: string | null;
  phone: string | null;
  connected_at: Timestamp | null;
  disconnected_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Generated<Timestamp>;
}

export interface CompanyTokensTable {
  realm_id: string;
  access_token: string;
  refresh_token: string;
  token_created_at: Timestamp;
  expires_in: number;
  x_refresh_token_expires_in: number;
  access_expires_at: Timestamp;
  refresh_expires_at: Timestamp;
  hard_expires_at: Timestamp | null;
  version: Generated<number>;
  updated_at: Generated<Timestamp>;
}

export interface UsersTable {
  id: string;
  intuit_sub: string | null;
  email: string | null;
  name: string | null;
  created_at: CreatedAt;
}

export interface CompanyMembersTable {
  realm_id: string;
  user_id: string;
  role: Generated<string>;
  created_at: CreatedAt;
}

export interface WebSessionsTable {
  sid: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  expires_at: Timestamp;
}

export interface OAuthStatesTable {
  state: string;
  session_id: string;
  purpose: Generated<string>;
  realm_id: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface Database {
  companies: CompaniesTable;
  company_tokens: CompanyTokensTable;
  users: UsersTable;
  company_members: CompanyMembersTable;
  web_sessions: WebSessionsTable;
  oauth_states: OAuthStatesTable;
}

export type Company = Selectable<CompaniesTable>;
export type NewCompany = Insertable<CompaniesTable>;
export type CompanyUpdate = Updateable<CompaniesTable>;
export type CompanyTokens = Selectable<CompanyTokensTable>;
export type User = Selectable<UsersTable>;
