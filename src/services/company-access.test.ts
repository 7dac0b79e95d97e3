import type { Company } from '../db/schema';
import { CompanyAccessService } from './company-access';

const company = (realmId: string) => ({ realm_id: realmId, name: `Company ${realmId}` }) as Company;

/** Two companies; Alice is a member of r1 only. */
function access() {
  const all = [company('r1'), company('r2')];
  const members: Record<string, string[]> = { alice: ['r1'] };
  return new CompanyAccessService({
    companies: {
      find: async (realmId) => all.find((c) => c.realm_id === realmId),
      findForUser: async (realmId, userId) => ((members[userId] ?? []).includes(realmId) ? all.find((c) => c.realm_id === realmId) : undefined),
      listAll: async () => all,
      listForUser: async (userId) => all.filter((c) => (members[userId] ?? []).includes(c.realm_id)),
    },
  });
}

const realmsOf = (companies: Array<Company | undefined>) => companies.map((c) => c?.realm_id);

describe('realm isolation', () => {
  it('shows a company token its own company and no other', async () => {
    const service = access();
    const asker = { kind: 'company-token', realmId: 'r2' } as const;
    expect(realmsOf([await service.company(asker, 'r2'), await service.company(asker, 'r1')])).toEqual(['r2', undefined]);
    expect(realmsOf(await service.companies(asker))).toEqual(['r2']);
  });

  it('shows a person the companies they are a member of, and the operator every company', async () => {
    const service = access();
    const alice = { kind: 'person', userId: 'alice' } as const;
    expect(realmsOf([await service.company(alice, 'r1'), await service.company(alice, 'r2')])).toEqual(['r1', undefined]);
    expect(realmsOf(await service.companies(alice))).toEqual(['r1']);
    expect(realmsOf([await service.company({ kind: 'operator' }, 'r2')])).toEqual(['r2']);
    expect(realmsOf(await service.companies({ kind: 'operator' }))).toEqual(['r1', 'r2']);
  });

  it('shows nobody else anything, and a company that does not exist to no one', async () => {
    const service = access();
    expect(await service.company({ kind: 'anonymous' }, 'r1')).toBeUndefined();
    expect(await service.companies({ kind: 'anonymous' })).toEqual([]);
    expect(await service.company({ kind: 'operator' }, 'r9')).toBeUndefined();
    expect(await service.companies({ kind: 'company-token', realmId: 'r9' })).toEqual([]);
  });
});
