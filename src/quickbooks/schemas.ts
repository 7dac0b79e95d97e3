import { z } from 'zod';
import { centsToDecimal, centsToNumber, toCents } from '../collections/money';
import { storableJsonText } from '../collections/storable-text';

/**
 * What Ardesk needs of each QuickBooks entity, validated at the edge. Unknown fields pass
 * (QuickBooks adds them over time); a missing or malformed field the collections need makes the
 * entity fail to parse, and the sync skips and reports it instead of storing nonsense. What
 * PostgreSQL cannot hold (NUL, lone surrogates) is cleaned out first: a QuickBooks user may type
 * it, and one such character must not stop a company's sync.
 */
const id = z.union([z.string().min(1), z.number()]).transform(String);
const ref = z.object({ value: id, name: z.string().optional() }).passthrough();
/** An amount as QuickBooks writes it (15231.89 or "15231.89"), read digit by digit into cents. */
const money = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform((v, ctx) => {
  try {
    return toCents(v);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}/).transform((v) => v.slice(0, 10));
const meta = z.object({ LastUpdatedTime: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date-time') }).passthrough();
const email = z.object({ Address: z.string().optional() }).passthrough().optional();
const phone = z.object({ FreeFormNumber: z.string().optional() }).passthrough().optional();

const base = { Id: id, SyncToken: z.union([z.string(), z.number()]).transform(String), MetaData: meta };

export const customerSchema = z
  .object({
    ...base,
    DisplayName: z.string().min(1),
    CompanyName: z.string().optional(),
    GivenName: z.string().optional(),
    FamilyName: z.string().optional(),
    PrimaryEmailAddr: email,
    PrimaryPhone: phone,
    Mobile: phone,
    Notes: z.string().optional(),
    Balance: money.optional(),
    Active: z.boolean().optional(),
    ParentRef: ref.optional(),
    SalesTermRef: ref.optional(),
    CurrencyRef: ref.optional(),
  })
  .passthrough();

export const invoiceSchema = z
  .object({
    ...base,
    CustomerRef: ref,
    DocNumber: z.string().optional(),
    TxnDate: date,
    DueDate: date.optional(),
    TotalAmt: money,
    Balance: money,
    BillEmail: email,
    SalesTermRef: ref.optional(),
    CurrencyRef: ref.optional(),
    EmailStatus: z.string().optional(),
  })
  .passthrough();

const linkedLine = z
  .object({ Amount: money.optional(), LinkedTxn: z.array(z.object({ TxnId: id, TxnType: z.string() }).passthrough()).optional() })
  .passthrough();

export const paymentSchema = z
  .object({ ...base, CustomerRef: ref, TxnDate: date, TotalAmt: money, UnappliedAmt: money.optional(), Line: z.array(linkedLine).optional() })
  .passthrough();

export const creditMemoSchema = z
  .object({ ...base, CustomerRef: ref, DocNumber: z.string().optional(), TxnDate: date, TotalAmt: money, RemainingCredit: money.optional(), Balance: money.optional() })
  .passthrough();

export const termSchema = z.object({ ...base, Name: z.string().min(1), DueDays: z.number().int().optional(), Active: z.boolean().optional() }).passthrough();

export const SYNCED_ENTITIES = ['Customer', 'Invoice', 'Payment', 'CreditMemo', 'Term'] as const;
export type SyncedEntity = (typeof SYNCED_ENTITIES)[number];

const text = (value: string | undefined) => (value && value.trim() ? value.trim() : null);

/**
 * Each entity's schema and how it becomes a row of Ardesk's copy: amounts (cents once parsed)
 * go to numeric columns as decimal text, and `raw` keeps the entity as QuickBooks sent it.
 */
export const ENTITY_ROWS = {
  Customer: {
    table: 'qbo_customers',
    schema: customerSchema,
    row: (e: z.infer<typeof customerSchema>, sentJson: string) => ({
      display_name: e.DisplayName,
      company_name: text(e.CompanyName),
      given_name: text(e.GivenName),
      family_name: text(e.FamilyName),
      email: text(e.PrimaryEmailAddr?.Address),
      phone: text(e.PrimaryPhone?.FreeFormNumber),
      mobile: text(e.Mobile?.FreeFormNumber),
      notes: text(e.Notes),
      balance: centsToDecimal(e.Balance ?? 0),
      active: e.Active ?? true,
      parent_id: e.ParentRef?.value ?? null,
      sales_term_id: e.SalesTermRef?.value ?? null,
      currency: e.CurrencyRef?.value ?? null,
      raw: sentJson,
    }),
  },
  Invoice: {
    table: 'qbo_invoices',
    schema: invoiceSchema,
    row: (e: z.infer<typeof invoiceSchema>, sentJson: string) => ({
      customer_id: e.CustomerRef.value,
      doc_number: text(e.DocNumber),
      txn_date: e.TxnDate,
      due_date: e.DueDate ?? null,
      total: centsToDecimal(e.TotalAmt),
      balance: centsToDecimal(e.Balance),
      bill_email: text(e.BillEmail?.Address),
      sales_term_id: e.SalesTermRef?.value ?? null,
      currency: e.CurrencyRef?.value ?? null,
      email_status: e.EmailStatus ?? null,
      raw: sentJson,
    }),
  },
  Payment: {
    table: 'qbo_payments',
    schema: paymentSchema,
    row: (e: z.infer<typeof paymentSchema>) => ({
      customer_id: e.CustomerRef.value,
      txn_date: e.TxnDate,
      total: centsToDecimal(e.TotalAmt),
      unapplied: centsToDecimal(e.UnappliedAmt ?? 0),
      // Each line's amount in currency units, as QuickBooks gave it; readers take it back to cents.
      applied_to: JSON.stringify(
        (e.Line ?? []).flatMap((line) => (line.LinkedTxn ?? []).filter((t) => t.TxnType === 'Invoice' || t.TxnType === 'CreditMemo').map((t) => ({ id: t.TxnId, type: t.TxnType, amount: centsToNumber(line.Amount ?? 0) }))),
      ),
    }),
  },
  CreditMemo: {
    table: 'qbo_credit_memos',
    schema: creditMemoSchema,
    row: (e: z.infer<typeof creditMemoSchema>) => ({
      customer_id: e.CustomerRef.value,
      doc_number: text(e.DocNumber),
      txn_date: e.TxnDate,
      total: centsToDecimal(e.TotalAmt),
      remaining_credit: centsToDecimal(e.RemainingCredit ?? e.Balance ?? 0),
    }),
  },
  Term: {
    table: 'qbo_terms',
    schema: termSchema,
    row: (e: z.infer<typeof termSchema>) => ({ name: e.Name, due_days: e.DueDays ?? null, active: e.Active ?? true }),
  },
} as const;

export interface ParsedRow {
  id: string;
  sync_token: string;
  qbo_updated_at: Date;
  fields: Record<string, unknown>;
}

export type ParseOutcome = { ok: true; row: ParsedRow } | { ok: false; id: string; reason: string };

export function parseEntity(entity: SyncedEntity, sent: unknown): ParseOutcome {
  const definition = ENTITY_ROWS[entity];
  const { value: raw, json } = storableJsonText(sent);
  const parsed = definition.schema.safeParse(raw);
  if (!parsed.success) {
    const rawId = (raw as { Id?: unknown } | null)?.Id;
    return { ok: false, id: rawId === undefined ? '?' : String(rawId), reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(entity)'}: ${i.message}`).join('; ') };
  }
  const value = parsed.data as { Id: string; SyncToken: string; MetaData: { LastUpdatedTime: string } };
  return {
    ok: true,
    row: { id: value.Id, sync_token: value.SyncToken, qbo_updated_at: new Date(value.MetaData.LastUpdatedTime), fields: (definition.row as (e: unknown, sentJson: string) => Record<string, unknown>)(parsed.data, json) },
  };
}
