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

type Json = ColumnType<unknown, string, string>;
/** numeric(14,2): read as an exact decimal string, written as a number or string. */
type Money = ColumnType<string, number | string, number | string>;

interface QboRow {
  realm_id: string;
  id: string;
  sync_token: string;
  qbo_updated_at: Timestamp;
  sync_run: Generated<number>;
}

export interface QboCustomersTable extends QboRow {
  display_name: string;
  company_name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  notes: string | null;
  balance: Money;
  active: boolean;
  parent_id: string | null;
  sales_term_id: string | null;
  currency: string | null;
  raw: Json;
}

export interface QboInvoicesTable extends QboRow {
  customer_id: string;
  doc_number: string | null;
  txn_date: string;
  due_date: string | null;
  total: Money;
  balance: Money;
  bill_email: string | null;
  sales_term_id: string | null;
  currency: string | null;
  email_status: string | null;
  raw: Json;
}

export interface QboPaymentsTable extends QboRow {
  customer_id: string;
  txn_date: string;
  total: Money;
  unapplied: Money;
  applied_to: Json;
}

export interface QboCreditMemosTable extends QboRow {
  customer_id: string;
  doc_number: string | null;
  txn_date: string;
  total: Money;
  remaining_credit: Money;
}

export interface QboTermsTable extends QboRow {
  name: string;
  due_days: number | null;
  active: boolean;
}

export interface SyncStateTable {
  realm_id: string;
  cdc_cursor: Timestamp | null;
  last_full_at: Timestamp | null;
  last_success_at: Timestamp | null;
  last_mode: string | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  counts: ColumnType<Record<string, number>, string, string>;
  skipped: ColumnType<Array<{ entity: string; id: string; reason: string }>, string, string>;
  run: Generated<number>;
}

export interface Database {
  companies: CompaniesTable;
  company_tokens: CompanyTokensTable;
  users: UsersTable;
  company_members: CompanyMembersTable;
  web_sessions: WebSessionsTable;
  oauth_states: OAuthStatesTable;
  qbo_customers: QboCustomersTable;
  qbo_invoices: QboInvoicesTable;
  qbo_payments: QboPaymentsTable;
  qbo_credit_memos: QboCreditMemosTable;
  qbo_terms: QboTermsTable;
  sync_state: SyncStateTable;
}

export type Company = Selectable<CompaniesTable>;
export type NewCompany = Insertable<CompaniesTable>;
export type CompanyUpdate = Updateable<CompaniesTable>;
export type CompanyTokens = Selectable<CompanyTokensTable>;
export type User = Selectable<UsersTable>;
