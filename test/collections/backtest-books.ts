import type { Db } from '../../src/db/database';
import { parseEntity, type SyncedEntity } from '../../src/quickbooks/schemas';
import { generateCompany, type GenerateOptions } from '../../src/sandbox/generator';
import { Sandbox } from '../../src/sandbox/sandbox';
import { loadSeed } from '../../src/sandbox/seed';

/**
 * The sandbox's books of a generated company for the back-test's tests: QuickBooks' own entities
 * (as the sandbox settled them, balances included), written into the copy as the sync writes
 * them, and figures computed straight from those entities, independently of Ardesk's code.
 */

export type Entity = Record<string, unknown> & { Id: string };

export interface Books {
  realmId: string;
  Customer: Entity[];
  Invoice: Entity[];
  Payment: Entity[];
  CreditMemo: Entity[];
}

/** A generated company as the sandbox holds it; `extra` adds entities to the seed first (e.g. a payment applying a credit memo). */
export function sandboxBooks(options: GenerateOptions, extra: (seed: ReturnType<typeof generateCompany>) => void = () => undefined): Books {
  const seed = generateCompany(options);
  extra(seed);
  const realm = loadSeed(new Sandbox(), seed);
  const all = (entity: string) => [...realm.table(entity).values()].map((e) => structuredClone(e) as unknown as Entity);
  return { realmId: options.realmId, Customer: all('Customer'), Invoice: all('Invoice'), Payment: all('Payment'), CreditMemo: all('CreditMemo') };
}

/** Rows of the copy for `entities`, as the sync parses them. */
export function copyRows(realmId: string, entity: SyncedEntity, entities: Entity[]) {
  return entities.map((e) => {
    const parsed = parseEntity(entity, e);
    if (!parsed.ok) throw new Error(`${entity} ${parsed.id}: ${parsed.reason}`);
    return { realm_id: realmId, id: parsed.row.id, sync_token: parsed.row.sync_token, qbo_updated_at: parsed.row.qbo_updated_at, ...parsed.row.fields };
  });
}

const TABLES = { Customer: 'qbo_customers', Invoice: 'qbo_invoices', Payment: 'qbo_payments', CreditMemo: 'qbo_credit_memos' } as const;

/** Writes the entities into the copy of QuickBooks. */
export async function writeCopy(db: Db, realmId: string, entity: keyof typeof TABLES, entities: Entity[]): Promise<void> {
  const rows = copyRows(realmId, entity, entities);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one writer for four tables' rows, each as the sync makes it
  for (let i = 0; i < rows.length; i += 500) await db.insertInto(TABLES[entity]).values(rows.slice(i, i + 500) as any).execute();
}

/** Whole cents of a QuickBooks amount. */
export const cents = (amount: unknown) => Math.round(Number(amount ?? 0) * 100);

/**
 * An invoice's open balance at the end of `day` straight from QuickBooks' entities: its
 * TotalAmt less the Amount of every Payment line dated on or before `day` that links it (a
 * credit memo applied with the payment included), as an aged receivables report computes it.
 */
export function openBalanceOn(invoice: Entity, payments: Entity[], day: string): number {
  let open = cents(invoice.TotalAmt);
  for (const payment of payments) {
    if (String(payment.TxnDate) > day) continue;
    for (const line of (payment.Line ?? []) as Array<{ Amount?: number; LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }>) {
      if ((line.LinkedTxn ?? []).some((l) => l.TxnType === 'Invoice' && l.TxnId === invoice.Id)) open -= cents(line.Amount);
    }
  }
  return open;
}
