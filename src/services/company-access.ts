import type { CompaniesRepository } from '../db/companies-repository';
import type { Company } from '../db/schema';

/** Who is asking, as the edge authenticated them. */
export type Asker =
  | { kind: 'company-token'; realmId: string }
  | { kind: 'operator' }
  | { kind: 'person'; userId: string }
  | { kind: 'anonymous' };

export interface CompanyAccessDeps {
  companies: Pick<CompaniesRepository, 'find' | 'findForUser' | 'listAll' | 'listForUser'>;
}

/**
 * Realm isolation: which companies an asker may see. A company API token sees its own company,
 * the operator every company, a signed-in person the companies they are a member of, and anyone
 * else none. A company outside that does not exist for the asker.
 */
export class CompanyAccessService {
  constructor(private readonly deps: CompanyAccessDeps) {}

  /** The company `realmId`, if the asker may see it. */
  company(asker: Asker, realmId: string): Promise<Company | undefined> {
    switch (asker.kind) {
      case 'company-token':
        return asker.realmId === realmId ? this.deps.companies.find(realmId) : Promise.resolve(undefined);
      case 'operator':
        return this.deps.companies.find(realmId);
      case 'person':
        return this.deps.companies.findForUser(realmId, asker.userId);
      case 'anonymous':
        return Promise.resolve(undefined);
    }
  }

  /** Every company the asker may see, by the same rule. */
  async companies(asker: Asker): Promise<Company[]> {
    switch (asker.kind) {
      case 'company-token': {
        const company = await this.deps.companies.find(asker.realmId);
        return company ? [company] : [];
      }
      case 'operator':
        return this.deps.companies.listAll();
      case 'person':
        return this.deps.companies.listForUser(asker.userId);
      case 'anonymous':
        return [];
    }
  }
}
