import { canonicalEntity, isRef, type Entity } from './entities';
import type { Realm } from './realm';
import type { Sandbox } from './sandbox';

/**
 * A seed file: `{ realmId, CompanyInfo, Customer: [...], Invoice: [...], Payment: [...],
 * CreditMemo: [...], Term: [...] }`, every entity in the JSON shape QuickBooks returns. Missing
 * `Id`, `SyncToken`, `MetaData` and balances are filled in; broken references are refused with a
 * message naming the entity.
 */
export type SeedFile = { realmId: string; CompanyInfo?: Record<string, unknown>; owner?: { email?: string; givenName?: string; familyName?: string } } & Record<string, unknown>;

export class SeedError extends Error {
  constructor(readonly problems: string[]) {
    super(`The seed cannot be loaded:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ''}`);
  }
}

// Lists first, so transactions can refer to them; payments last, so they can link invoices.
const ORDER = ['Term', 'Customer', 'Vendor', 'Employee', 'Account', 'Item', 'PaymentMethod', 'Invoice', 'CreditMemo', 'SalesReceipt', 'Estimate', 'Payment', 'Attachable'];

type Row = Record<string, unknown>;

function describe(entity: string, row: Row, index: number): string {
  const name = row.DocNumber ? ` (DocNumber ${String(row.DocNumber)})` : row.DisplayName ? ` (${String(row.DisplayName)})` : '';
  return row.Id !== undefined ? `${entity} ${String(row.Id)}${name}` : `${entity} #${index + 1}${name}`;
}

function checkReferences(seed: SeedFile): string[] {
  const problems: string[] = [];
  const ids = (entity: string) => new Set(((seed[entity] as Row[] | undefined) ?? []).map((row) => String(row.Id)));
  const customers = ids('Customer');
  const terms = ids('Term');
  const targets: Record<string, Set<string>> = { Invoice: ids('Invoice'), CreditMemo: ids('CreditMemo'), Customer: customers, Estimate: ids('Estimate') };
  const check = (entity: string, row: Row, index: number, field: string, pool: Set<string>, required: boolean) => {
    const ref = row[field];
    if (ref === undefined) {
      if (required) problems.push(`${describe(entity, row, index)}: ${field} is required`);
      return;
    }
    if (!isRef(ref)) problems.push(`${describe(entity, row, index)}: ${field} must be {"value": "<id>"}`);
    else if (!pool.has(ref.value)) problems.push(`${describe(entity, row, index)}: ${field} ${ref.value} does not exist in the seed`);
  };
  ((seed.Customer as Row[] | undefined) ?? []).forEach((row, i) => {
    check('Customer', row, i, 'ParentRef', customers, false);
    check('Customer', row, i, 'SalesTermRef', terms, false);
  });
  for (const entity of ['Invoice', 'CreditMemo', 'Payment', 'SalesReceipt', 'Estimate']) {
    ((seed[entity] as Row[] | undefined) ?? []).forEach((row, i) => {
      check(entity, row, i, 'CustomerRef', customers, entity !== 'SalesReceipt' && entity !== 'Estimate');
      if (entity === 'Invoice') check(entity, row, i, 'SalesTermRef', terms, false);
    });
  }
  ((seed.Payment as Row[] | undefined) ?? []).forEach((row, i) => {
    for (const line of (row.Line as Row[] | undefined) ?? []) {
      for (const linked of (line.LinkedTxn as Row[] | undefined) ?? []) {
        const pool = targets[String(linked.TxnType)];
        if (pool && !pool.has(String(linked.TxnId))) problems.push(`${describe('Payment', row, i)}: links ${String(linked.TxnType)} ${String(linked.TxnId)}, which does not exist in the seed`);
      }
    }
  });
  return problems;
}

export function defaultCompanyInfo(realmId: string, name: string, given: Record<string, unknown> = {}): Entity {
  return {
    CompanyName: name,
    LegalName: name,
    CompanyAddr: { Id: '1', Line1: '100 Market Street', City: 'Springfield', CountrySubDivisionCode: 'IL', PostalCode: '62701' },
    CustomerCommunicationAddr: { Id: '1', Line1: '100 Market Street', City: 'Springfield', CountrySubDivisionCode: 'IL', PostalCode: '62701' },
    PrimaryPhone: { FreeFormNumber: '(555) 555-0100' },
    CompanyStartDate: '2015-01-01',
    FiscalYearStartMonth: 'January',
    Country: 'US',
    Email: { Address: `billing@${realmId}.sandbox.test` },
    WebAddr: {},
    SupportedLanguages: 'en',
    NameValue: [{ Name: 'CompanyType', Value: 'LLC' }, { Name: 'OfferingSku', Value: 'QuickBooks Online Plus' }, { Name: 'PayrollFeature', Value: 'false' }],
    domain: 'QBO',
    sparse: false,
    Id: '1',
    SyncToken: '0',
    MetaData: { CreateTime: '2015-01-01T00:00:00-00:00', LastUpdatedTime: '2015-01-01T00:00:00-00:00' },
    ...given,
  } as Entity;
}

export function loadSeed(sandbox: Sandbox, seed: SeedFile): Realm {
  const problems: string[] = [];
  if (!seed || typeof seed !== 'object') throw new SeedError(['the seed must be a JSON object']);
  if (typeof seed.realmId !== 'string' || !/^\d{1,20}$/.test(seed.realmId)) problems.push('realmId must be a string of digits, e.g. "9341452012345678"');
  for (const [key, value] of Object.entries(seed)) {
    if (['realmId', 'CompanyInfo', 'owner'].includes(key)) continue;
    const entity = canonicalEntity(key);
    if (!entity || entity !== key) problems.push(`"${key}" is not an entity the sandbox knows (use QuickBooks' spelling, e.g. Invoice, CreditMemo)`);
    else if (!Array.isArray(value) || value.some((row) => !row || typeof row !== 'object' || Array.isArray(row))) problems.push(`${key} must be an array of objects`);
  }
  if (problems.length) throw new SeedError(problems);
  problems.push(...checkReferences(seed));
  if (problems.length) throw new SeedError(problems);

  const realm = sandbox.addRealm(seed.realmId, seed.owner);
  const companyName = String(seed.CompanyInfo?.CompanyName ?? `Sandbox Company ${seed.realmId}`);
  realm.insertSeed('CompanyInfo', defaultCompanyInfo(seed.realmId, companyName, seed.CompanyInfo));
  const entities = Object.keys(seed).filter((key) => canonicalEntity(key) && key !== 'CompanyInfo');
  const ordered = [...ORDER.filter((e) => entities.includes(e)), ...entities.filter((e) => !ORDER.includes(e))];
  try {
    for (const entity of ordered) for (const row of seed[entity] as Row[]) realm.insertSeed(entity, structuredClone(row));
  } catch (error) {
    sandbox.realms.delete(seed.realmId);
    throw new SeedError([(error as Error).message]);
  }
  realm.settleSeedBalances();
  return realm;
}
