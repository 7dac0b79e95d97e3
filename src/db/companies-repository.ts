import { sql } from 'kysely';
import type { Db } from './database';
import type { Company, CompanyStatus, NewCompany } from './schema';

/** Companies (QuickBooks realms) and who may see them. */
export class CompaniesRepository {
  constructor(private readonly db: Db) {}

  async find(realmId: string): Promise<Company | undefined> {
    return this.db.selectFrom('companies').selectAll().where('realm_id', '=', realmId).executeTakeFirst();
  }

  /** The company, only if `userId` is one of its members: the realm-isolation check. */
  async findForUser(realmId: string, userId: string): Promise<Company | undefined> {
    return this.db
      .selectFrom('companies')
      .innerJoin('company_members', 'company_members.realm_id', 'companies.realm_id')
      .selectAll('companies')
      .where('companies.realm_id', '=', realmId)
      .where('company_members.user_id', '=', userId)
      .executeTakeFirst();
  }

  async listForUser(userId: string): Promise<Company[]> {
    return this.db
      .selectFrom('companies')
      .innerJoin('company_members', 'company_members.realm_id', 'companies.realm_id')
      .selectAll('companies')
      .where('company_members.user_id', '=', userId)
      .orderBy('companies.name')
      .execute();
  }

  async listAll(): Promise<Company[]> {
    return this.db.selectFrom('companies').selectAll().orderBy('name').execute();
  }

  async listByStatus(status: CompanyStatus): Promise<Company[]> {
    return this.db.selectFrom('companies').selectAll().where('status', '=', status).orderBy('realm_id').execute();
  }

  /** Creates the company or refreshes its details on reconnect; history rows are untouched. */
  async upsert(company: NewCompany): Promise<Company> {
    const { realm_id: _realmId, created_at: _createdAt, ...changes } = company;
    return this.db
      .insertInto('companies')
      .values(company)
      .onConflict((oc) => oc.column('realm_id').doUpdateSet({ ...changes, updated_at: sql`now()` }))
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * `at` is when it happened on the app's real clock (clock.now()): the retention period counts
   * from `disconnected_at` on that clock (services/retention.ts), so the database server's now()
   * is not used for it.
   */
  async setStatus(realmId: string, status: CompanyStatus, reason: string | null = null, at: Date = new Date()): Promise<void> {
    await this.db
      .updateTable('companies')
      .set({
        status,
        status_reason: reason,
        updated_at: sql`now()`,
        ...(status === 'disconnected' ? { disconnected_at: at } : {}),
      })
      .where('realm_id', '=', realmId)
      .execute();
  }

  async addMember(realmId: string, userId: string, role = 'owner'): Promise<void> {
    await this.db
      .insertInto('company_members')
      .values({ realm_id: realmId, user_id: userId, role })
      .onConflict((oc) => oc.columns(['realm_id', 'user_id']).doNothing())
      .execute();
  }
}
