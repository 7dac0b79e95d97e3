/**
 * Entity names the sandbox knows, with QuickBooks' spelling. The collection entities have rules
 * of their own (store.ts); the others are kept and queried as given, so recordings of them replay.
 */
export const RULED_ENTITIES = ['Customer', 'Invoice', 'Payment', 'CreditMemo', 'Term', 'Attachable', 'CompanyInfo'] as const;
export const PLAIN_ENTITIES = ['Vendor', 'Employee', 'Account', 'Item', 'SalesReceipt', 'Estimate', 'PaymentMethod', 'Class', 'Department', 'TaxCode'] as const;
export const ALL_ENTITIES: readonly string[] = [...RULED_ENTITIES, ...PLAIN_ENTITIES];

/** Entities whose plain `SELECT *` returns active rows only, as QuickBooks does. */
export const ACTIVE_ONLY = new Set(['Customer', 'Vendor', 'Employee', 'Account', 'Item', 'Term', 'PaymentMethod', 'Class', 'Department']);
/** What QuickBooks lets you delete outright (lists are made inactive instead). */
export const DELETABLE = new Set(['Invoice', 'Payment', 'CreditMemo', 'Attachable', 'SalesReceipt', 'Estimate']);
export const VOIDABLE = new Set(['Invoice', 'Payment', 'SalesReceipt']);
/** Entities reported by change data capture and webhooks. */
export const TRACKED = new Set(ALL_ENTITIES.filter((name) => name !== 'CompanyInfo'));

const BY_LOWER = new Map(ALL_ENTITIES.map((name) => [name.toLowerCase(), name]));

/** QuickBooks' spelling of an entity named in a URL or query, or undefined. */
export function canonicalEntity(name: string): string | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

export type Entity = Record<string, unknown> & { Id: string; SyncToken: string; MetaData: { CreateTime: string; LastUpdatedTime: string } };

export interface Ref {
  value: string;
  name?: string;
}

/** Top-level properties each ruled entity accepts; anything else is refused with code 2010. */
export const KNOWN_PROPERTIES: Record<string, ReadonlySet<string>> = {
  Customer: new Set([
    'Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix', 'FullyQualifiedName',
    'CompanyName', 'DisplayName', 'PrintOnCheckName', 'Active', 'PrimaryPhone', 'AlternatePhone', 'Mobile', 'Fax', 'PrimaryEmailAddr',
    'WebAddr', 'DefaultTaxCodeRef', 'Taxable', 'BillAddr', 'ShipAddr', 'Notes', 'Job', 'BillWithParent', 'ParentRef', 'Level',
    'SalesTermRef', 'PaymentMethodRef', 'Balance', 'OpenBalanceDate', 'BalanceWithJobs', 'CurrencyRef', 'PreferredDeliveryMethod',
    'ResaleNum', 'TaxExemptionReasonId', 'ARAccountRef', 'PrimaryTaxIdentifier', 'CustomerTypeRef', 'GSTIN', 'BusinessNumber',
    'IsProject', 'ClientEntityId', 'V4IDPseudonym', 'Source',
  ]),
  Invoice: new Set([
    'Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'CustomField', 'DocNumber', 'TxnDate', 'DepartmentRef', 'CurrencyRef', 'ExchangeRate',
    'PrivateNote', 'TxnStatus', 'LinkedTxn', 'Line', 'TxnTaxDetail', 'CustomerRef', 'CustomerMemo', 'BillAddr', 'ShipAddr', 'FreeFormAddress',
    'ShipFromAddr', 'ClassRef', 'SalesTermRef', 'DueDate', 'ShipMethodRef', 'ShipDate', 'TrackingNum', 'TotalAmt', 'HomeTotalAmt',
    'ApplyTaxAfterDiscount', 'PrintStatus', 'EmailStatus', 'BillEmail', 'BillEmailCc', 'BillEmailBcc', 'DeliveryInfo', 'Balance',
    'HomeBalance', 'Deposit', 'DepositToAccountRef', 'AllowIPNPayment', 'AllowOnlinePayment', 'AllowOnlineCreditCardPayment',
    'AllowOnlineACHPayment', 'InvoiceLink', 'GlobalTaxCalculation', 'TransactionLocationType', 'TaxExemptionRef', 'RecurDataRef',
    'ProjectRef', 'PONumber', 'SalesRepRef',
  ]),
  Payment: new Set([
    'Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'TxnDate', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'TxnStatus', 'LinkedTxn',
    'Line', 'CustomerRef', 'ARAccountRef', 'DepositToAccountRef', 'PaymentMethodRef', 'PaymentRefNum', 'CreditCardPayment', 'TotalAmt',
    'UnappliedAmt', 'ProcessPayment', 'TxnSource', 'ProjectRef', 'TransactionLocationType', 'TaxExemptionRef',
  ]),
  CreditMemo: new Set([
    'Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'CustomField', 'DocNumber', 'TxnDate', 'DepartmentRef', 'CurrencyRef', 'ExchangeRate',
    'PrivateNote', 'LinkedTxn', 'Line', 'TxnTaxDetail', 'CustomerRef', 'CustomerMemo', 'BillAddr', 'ShipAddr', 'ClassRef', 'SalesTermRef',
    'TotalAmt', 'HomeTotalAmt', 'ApplyTaxAfterDiscount', 'PrintStatus', 'EmailStatus', 'BillEmail', 'RemainingCredit', 'Balance',
    'HomeBalance', 'GlobalTaxCalculation', 'TransactionLocationType', 'ProjectRef', 'InvoiceRef',
  ]),
  Term: new Set(['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'Name', 'Active', 'Type', 'DiscountPercent', 'DueDays', 'DiscountDays', 'DayOfMonthDue', 'DueNextMonthDays', 'DiscountDayOfMonth']),
  Attachable: new Set(['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'FileName', 'Note', 'Category', 'ContentType', 'PlaceName', 'AttachableRef', 'Long', 'Tag', 'Lat', 'FileAccessUri', 'Size', 'ThumbnailFileAccessUri', 'TempDownloadUri', 'ThumbnailTempDownloadUri']),
};

export const NOTE_MAX_LENGTH = 4000;

export function money(value: number): number {
  return Math.round(value * 100) / 100;
}

export function isRef(value: unknown): value is Ref {
  return Boolean(value) && typeof value === 'object' && typeof (value as Ref).value === 'string';
}

/**
 * The order QuickBooks answers in without ORDERBY (seen in the recordings): customers by full
 * name, other lists by name, transactions by last change, newest first. Paging over a changing
 * table in this order skips and repeats rows, which is why clients page with ORDERBY Id.
 */
export function defaultOrder(entity: string): Array<{ field: string; desc: boolean }> {
  if (entity === 'Customer') return [{ field: 'FullyQualifiedName', desc: false }, { field: 'Id', desc: false }];
  if (entity === 'Vendor' || entity === 'Employee') return [{ field: 'DisplayName', desc: false }, { field: 'Id', desc: false }];
  if (ACTIVE_ONLY.has(entity) || entity === 'TaxCode') return [{ field: 'Name', desc: false }, { field: 'Id', desc: false }];
  if (entity === 'CompanyInfo') return [{ field: 'Id', desc: false }];
  return [{ field: 'MetaData.LastUpdatedTime', desc: true }, { field: 'Id', desc: true }];
}

/** Fields QuickBooks fills on a new list entity the sandbox keeps without rules of its own. */
export function plainDefaults(entity: string, row: Record<string, unknown>): void {
  if (entity === 'Vendor' || entity === 'Employee') {
    row.DisplayName ??= [row.GivenName, row.FamilyName].filter(Boolean).join(' ') || row.CompanyName;
    row.PrintOnCheckName ??= row.DisplayName;
    row.Active ??= true;
  }
  if (entity === 'Vendor') {
    row.Balance ??= 0;
    row.Vendor1099 ??= false;
    row.CurrencyRef ??= { value: 'USD', name: 'United States Dollar' };
  }
  if (entity === 'Account' || entity === 'Item') row.Active ??= true;
  if (Array.isArray(row.Line)) {
    let number = 0;
    for (const line of row.Line as Array<Record<string, unknown>>) {
      if (line.DetailType === 'SubTotalLineDetail') continue;
      number++;
      line.Id ??= String(number);
      line.LineNum ??= number;
    }
  }
}
