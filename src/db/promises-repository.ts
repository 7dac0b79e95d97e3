import type { Selectable } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import { toCents, type Cents } from '../collections/money';
import type { Db } from './database';
import type { PromisesTable } from './schema';

/** A promise to pay as the promises page lists it, with its customer's name; amounts in cents. */
export type PromiseRow = Pick<Selectable<PromisesTable>, 'id' | 'customer_id' | 'due_on' | 'made_on' | 'status' | 'plan_id' | 'settled_on'> & { display_name: string | null; amount: Cents; paid: Cents | null };

/** The promises to pay a company's customers made, for the pages that look back at them. */
export class PromisesRepository {
  constructor(private readonly db: Db) {}

  /** Every open promise and every one settled on or after `settledSince`, by due date. */
  async openOrSettledSince(realmId: string, settledSince: LocalDate): Promise<PromiseRow[]> {
    const rows = await this.db
      .selectFrom('promises as p')
      .leftJoin('qbo_customers as c', (join) => join.onRef('c.realm_id', '=', 'p.realm_id').onRef('c.id', '=', 'p.customer_id'))
      .select(['p.id', 'p.customer_id', 'c.display_name', 'p.amount', 'p.due_on', 'p.made_on', 'p.status', 'p.paid', 'p.plan_id', 'p.settled_on'])
      .where('p.realm_id', '=', realmId)
      .where((eb) => eb.or([eb('p.status', '=', 'open'), eb('p.settled_on', '>=', settledSince)]))
      .orderBy('p.due_on')
      .execute();
    return rows.map((row) => ({ ...row, amount: toCents(row.amount), paid: row.paid === null ? null : toCents(row.paid) }));
  }
}
