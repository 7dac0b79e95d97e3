import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { DoNotContactSource } from '../collections/do-not-contact';
import type { TaskReason } from '../collections/model';

/** Timestamps are written as Date and read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type CompanyStatus = 'connected' | 'needs_reconnect' | 'disconnected';
export type SendReviewMode = 'first_run' | 'every_run' | 'off';

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
  /** CompanyInfo.CompanyAddr as QuickBooks gives it (migration 0020): the letters' return address. */
  address: ColumnType<unknown, string | null | undefined, string | null | undefined>;
  connected_at: Timestamp | null;
  disconnected_at: Timestamp | null;
  /** When the retention job (or a member) deleted the copy of QuickBooks; null while it is held. */
  copy_deleted_at: Timestamp | null;
  /** Who approves what the daily run sends: until collecting starts, every run, or nobody. */
  send_review: Generated<SendReviewMode>;
  /** When a person first approved what Ardesk sends (null: nothing approved yet, nothing goes out). */
  collecting_since: Timestamp | null;
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

export type ApiTokenScope = 'read' | 'read_write';

export interface ApiTokensTable {
  id: string;
  realm_id: string;
  name: string;
  scope: ApiTokenScope;
  /** SHA-256 of the token, hex; the token itself is shown once and never stored. */
  token_hash: string;
  hint: string;
  created_by: string | null;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
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

/** Metered QuickBooks reads per company, kind and day (migration 0021). */
export interface QuickBooksReadsTable {
  realm_id: string;
  day: string;
  kind: 'query' | 'read' | 'cdc' | 'report';
  count: number;
}

export interface SenderIdentitiesTable {
  realm_id: string;
  collector_name: string | null;
  collector_title: string | null;
  reply_to: string | null;
  direct_phone: string | null;
  remit_to: string | null;
  bank_transfer: string | null;
  return_address: string | null;
  /** The From address of the company's emails (migration 0028); null: MAIL_FROM's address. */
  from_address: string | null;
  updated_at: Date;
}

export type WorkKind = 'sync' | 'cadence';
export type WorkState = 'queued' | 'running' | 'done' | 'failed';

/** The latest sync and daily run of each company, as far as they have got (migration 0028). */
export interface WorkProgressTable {
  realm_id: string;
  kind: WorkKind;
  state: WorkState;
  step: string | null;
  /** Rows stored so far per QuickBooks entity (a sync). */
  rows: ColumnType<Record<string, number>, string | undefined, string>;
  /** Rows QuickBooks counted per entity before a full sync read them. */
  totals: ColumnType<Record<string, number>, string | undefined, string>;
  accounts: number | null;
  messages: number | null;
  tasks: number | null;
  error: string | null;
  queued_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface SyncStateTable {
  realm_id: string;
  cdc_cursor: Timestamp | null;
  last_full_at: Timestamp | null;
  /** When the open part of the company was in after a connect (the work list could be made). */
  worklist_ready_at: Timestamp | null;
  last_success_at: Timestamp | null;
  last_mode: string | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  counts: ColumnType<Record<string, number>, string, string>;
  skipped: ColumnType<Array<{ entity: string; id: string; reason: string }>, string, string>;
  run: Generated<number>;
}

type DateOnly = ColumnType<string, string, string>;

export interface InvoiceStatesTable {
  realm_id: string;
  invoice_id: string;
  level: Generated<number>;
  level_entered_on: DateOnly | null;
  level1_on: DateOnly | null;
  level2_on: DateOnly | null;
  first_seen_on: DateOnly;
  verification_sent_on: DateOnly | null;
  escalate_now: Generated<boolean>;
  escalation_candidate: Generated<boolean>;
}

export interface CustomerHistoriesTable {
  realm_id: string;
  customer_id: string;
  last_dunning_on: DateOnly | null;
  last_reached_on: DateOnly | null;
  contacted_invoice_ids: ColumnType<string[], string | undefined, string>;
  type_override: 'commercial' | 'personal' | null;
}

/** Who asked that a customer not be contacted (migration 0025). */
export type { DoNotContactSource };

/** A customer not to be contacted, while it holds (migration 0025). */
export interface DoNotContactTable {
  realm_id: string;
  customer_id: string;
  source: DoNotContactSource;
  reason: string;
  marked_on: DateOnly;
  created_at: CreatedAt;
}

export interface CallTasksTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  level: number;
  reason: TaskReason;
  reasons: Generated<TaskReason[]>;
  scheduled_for: DateOnly;
  created_on: DateOnly;
  status: Generated<'open' | 'done' | 'cancelled' | 'retired'>;
  outcome: string | null;
  closed_at: Timestamp | null;
  key: string;
}

export interface ActivitiesTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  invoice_ids: ColumnType<string[], string | undefined, string>;
  kind: string;
  summary: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  occurred_on: DateOnly;
  created_at: CreatedAt;
  key: string;
  note_status: Generated<NoteStatus>;
  /** The `requestid` of the batch request the note went out in; set before the request is sent. */
  note_batch: string | null;
  /** The QuickBooks id of the Attachable note. */
  note_id: string | null;
  note_error: string | null;
  note_attempts: Generated<number>;
  note_written_at: Timestamp | null;
}

export type NoteStatus = 'pending' | 'written' | 'failed' | 'skipped';

export interface MessagesTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  kind: string;
  to_address: string;
  invoice_ids: ColumnType<string[], string, string>;
  total: Money;
  send_at: Timestamp;
  status: Generated<MessageStatus>;
  created_at: CreatedAt;
  key: string;
  subject: string | null;
  attempts: Generated<number>;
  dispatched_at: Timestamp | null;
  sending_at: Timestamp | null;
  sent_at: Timestamp | null;
  status_reason: string | null;
  smtp_response: string | null;
  /** The invoices the sent message actually listed, after the fresh balance check. */
  listed_invoice_ids: ColumnType<string[] | null, string | null, string | null>;
  /** When a person approved it on the review page (null: not reviewed, or no review needed). */
  approved_at: Timestamp | null;
  /** When a letter was first printed or downloaded as a PDF. */
  printed_at: Timestamp | null;
}

export interface SendApprovalsTable {
  id: Generated<string>;
  realm_id: string;
  approved_at: ColumnType<Date, Date | string | undefined, Date | string>;
  approved_by: string;
  messages: number;
  accounts: number;
  total: Money;
}

/** A message as it went out (migration 0020): never updated. */
export interface SentCopiesTable {
  message_id: string;
  realm_id: string;
  kind: string;
  subject: string;
  html: string;
  text: string;
  /** For letters, the printed page: { subject, html, textAroundTable }. */
  letter: Json | null;
  pdf: Buffer | null;
  merge_data: Json;
  parts_sha256: Json;
  sha256: string;
  dated: DateOnly;
  sent_at: CreatedAt;
}

/** A file a message went out with, kept with its copy (migration 0031). */
export interface SentCopyAttachmentsTable {
  message_id: string;
  position: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Buffer;
}

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain' | 'cancelled';

export interface TemplateOverridesTable {
  realm_id: string;
  name: string;
  part: 'subject' | 'html' | 'text';
  source: string;
  updated_at: Generated<Timestamp>;
}

export interface PaymentPlansTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  status: Generated<'active' | 'completed' | 'broken'>;
  created_on: DateOnly;
}

export interface PromisesTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  invoice_ids: ColumnType<string[], string, string>;
  amount: Money;
  due_on: DateOnly;
  made_on: DateOnly;
  status: Generated<'open' | 'kept' | 'partly_kept' | 'broken'>;
  paid: Money | null;
  plan_id: string | null;
  settled_on: DateOnly | null;
  /** Who made it: a collector on a call, or the customer on its statement page. */
  source: Generated<'collector' | 'customer'>;
}

export interface DisputesTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  invoice_ids: ColumnType<string[], string, string>;
  category: 'pricing' | 'not_received' | 'quality' | 'missing_po' | 'billing_contact' | 'other';
  text: string;
  status: Generated<'open' | 'resolved'>;
  resolution: string | null;
  opened_on: DateOnly;
  resolved_on: DateOnly | null;
  /** Who raised it: a collector on a call, or the customer answering a letter. */
  source: Generated<'collector' | 'customer'>;
}

/** What a customer answered to a verification letter on its page (migration 0026). */
export interface CustomerAnswersTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  message_id: string | null;
  invoice_ids: ColumnType<string[], string, string>;
  answer: 'in_order' | 'problem';
  dispute_id: string | null;
  answered_on: DateOnly;
  answered_at: Timestamp;
}

export interface PausesTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string | null;
  invoice_id: string | null;
  until: DateOnly | null;
  reason: string | null;
  created_at: CreatedAt;
}

/** A message that came back (migration 0027): a reply, an automatic reply, a bounce, or one nothing matched. */
export interface InboundMessagesTable {
  id: Generated<string>;
  realm_id: string | null;
  customer_id: string | null;
  /** The outbox message it answers, when one is known. */
  in_reply_to: string | null;
  kind: InboundKind;
  matched_by: 'address' | 'thread' | null;
  /** awaiting: a reply that pauses the account until a person marks it handled. */
  status: 'awaiting' | 'handled' | 'recorded';
  from_address: string;
  subject: string;
  body: string;
  bounced_address: string | null;
  pause_id: string | null;
  dedup_key: string;
  received_via: 'smtp' | 'imap';
  received_at: Timestamp;
  handled_at: Timestamp | null;
  handled_by: string | null;
}

export type InboundKind = 'reply' | 'auto_reply' | 'bounce' | 'unmatched';

/** An address a bounce showed to be bad: no more mail goes to it. */
export interface BadAddressesTable {
  realm_id: string;
  address: string;
  customer_id: string;
  reason: string;
  inbound_id: string | null;
  created_at: Timestamp;
}

export interface ContactsTable {
  id: Generated<string>;
  realm_id: string;
  customer_id: string;
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  approves_payment: Generated<boolean>;
  created_at: CreatedAt;
}

export interface PlaybookSettingsTable {
  realm_id: string;
  settings: ColumnType<Record<string, unknown>, string, string>;
  updated_at: Generated<Timestamp>;
}

export interface CopyVersionsTable {
  realm_id: string;
  version: ColumnType<string, string | number, string | number>;
}

export interface CollectionsVersionsTable {
  realm_id: string;
  version: ColumnType<string, string | number, string | number>;
}

/** One paying account's state on one business day, as the playbook computed it. */
export interface AccountStatesTable {
  realm_id: string;
  day: DateOnly;
  /** `copy version.collections version` the state was computed from. */
  version: string;
  payer_id: string;
  customer_type: 'commercial' | 'personal';
  open_balance: Money;
  overdue_balance: Money;
  open_invoices: number;
  overdue_invoices: number;
  oldest_due: DateOnly | null;
  oldest_days_overdue: number;
  level: number;
  escalation_candidate: boolean;
  a_account: boolean;
  tough: boolean;
}

export interface AccountStateRunsTable {
  realm_id: string;
  day: DateOnly;
  version: string;
  total_overdue: ColumnType<string, number | string | undefined, number | string>;
  created_at: Generated<Timestamp>;
}

/** Each customer's paying account and that account's type, as the playbook decides them. */
export interface CustomerAccountsTable {
  realm_id: string;
  customer_id: string;
  payer_id: string;
  customer_type: 'commercial' | 'personal';
}

export interface AccountDirectoryVersionsTable {
  realm_id: string;
  /** The copy version the directory was built from. */
  version: ColumnType<string, string | number, string | number>;
}

export interface Database {
  companies: CompaniesTable;
  company_tokens: CompanyTokensTable;
  users: UsersTable;
  company_members: CompanyMembersTable;
  web_sessions: WebSessionsTable;
  oauth_states: OAuthStatesTable;
  api_tokens: ApiTokensTable;
  qbo_customers: QboCustomersTable;
  qbo_invoices: QboInvoicesTable;
  qbo_payments: QboPaymentsTable;
  qbo_credit_memos: QboCreditMemosTable;
  qbo_terms: QboTermsTable;
  sync_state: SyncStateTable;
  quickbooks_reads: QuickBooksReadsTable;
  work_progress: WorkProgressTable;
  sender_identities: SenderIdentitiesTable;
  invoice_states: InvoiceStatesTable;
  customer_histories: CustomerHistoriesTable;
  call_tasks: CallTasksTable;
  activities: ActivitiesTable;
  messages: MessagesTable;
  send_approvals: SendApprovalsTable;
  sent_copies: SentCopiesTable;
  sent_copy_attachments: SentCopyAttachmentsTable;
  payment_plans: PaymentPlansTable;
  promises: PromisesTable;
  disputes: DisputesTable;
  customer_answers: CustomerAnswersTable;
  pauses: PausesTable;
  do_not_contact: DoNotContactTable;
  contacts: ContactsTable;
  inbound_messages: InboundMessagesTable;
  bad_addresses: BadAddressesTable;
  playbook_settings: PlaybookSettingsTable;
  copy_versions: CopyVersionsTable;
  template_overrides: TemplateOverridesTable;
  collections_versions: CollectionsVersionsTable;
  account_states: AccountStatesTable;
  account_state_runs: AccountStateRunsTable;
  customer_accounts: CustomerAccountsTable;
  account_directory_versions: AccountDirectoryVersionsTable;
}

export type Company = Selectable<CompaniesTable>;
export type NewCompany = Insertable<CompaniesTable>;
export type CompanyUpdate = Updateable<CompaniesTable>;
export type CompanyTokens = Selectable<CompanyTokensTable>;
export type User = Selectable<UsersTable>;
export type ApiToken = Selectable<ApiTokensTable>;
