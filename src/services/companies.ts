import type { CompaniesRepository } from '../db/companies-repository';
import type { Company } from '../db/schema';

/** The companies a person works for, as the front page lists them. */
export class CompaniesService {
  constructor(private readonly deps: { companies: Pick<CompaniesRepository, 'listForUser'> }) {}

  forUser(userId: string): Promise<Company[]> {
    return this.deps.companies.listForUser(userId);
  }
}
