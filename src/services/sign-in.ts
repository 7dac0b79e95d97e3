import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { CompaniesRepository } from '../db/companies-repository';
import type { OAuthStatesRepository } from '../db/oauth-states-repository';
import type { Company, User } from '../db/schema';
import type { UsersRepository } from '../db/users-repository';
import type { IntuitOAuth, IntuitUser } from '../quickbooks/oauth';
import { STATE_TTL_MS } from './connections';

export interface SignInDeps {
  oauthStates: Pick<OAuthStatesRepository, 'issue'>;
  oauth: Pick<IntuitOAuth, 'signInUrl' | 'exchangeCode' | 'userInfo'>;
  users: Pick<UsersRepository, 'findByIntuitSub' | 'upsertByIntuitSub'>;
  companies: Pick<CompaniesRepository, 'listForUser'>;
  clock: Clock;
  /** Where Intuit sends the browser back (config.intuit.redirectUri). */
  redirectUri: string;
}

/**
 * "Sign in with Intuit": OpenID scopes only, so it proves who the person is and gives Ardesk no
 * access to any company's books; it stores no tokens. Its `state` is bound to the session like
 * Connect's, and Intuit answers on the same callback.
 */
export class SignInService {
  constructor(private readonly deps: SignInDeps) {}

  /** Issues a sign-in `state` for this session and answers the address of Intuit's sign-in. */
  async begin(sessionId: string): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.deps.oauthStates.issue(state, sessionId, new Date(this.deps.clock.now().getTime() + STATE_TTL_MS), 'signin', null);
    return this.deps.oauth.signInUrl(state);
  }

  /** Who came back from Intuit with this code: what Intuit says, the person Ardesk knows, and their companies. */
  async identify(code: string, state: string): Promise<{ who: IntuitUser; person: User | undefined; companies: Company[] }> {
    const query = new URLSearchParams({ code, state }).toString();
    const issued = await this.deps.oauth.exchangeCode(`${this.deps.redirectUri}?${query}`);
    // The OpenID tokens are used once, here, and never stored. They are not revoked: at Intuit a
    // revoke ends the app's whole connection, which could be the company's accounting one.
    const who = await this.deps.oauth.userInfo(issued.accessToken);
    const person = await this.deps.users.findByIntuitSub(who.sub);
    const companies = person ? await this.deps.companies.listForUser(person.id) : [];
    return { who, person, companies };
  }

  /** The person signing in, as Ardesk keeps them (their name and email as Intuit gives them now). */
  admit(who: IntuitUser): Promise<User> {
    return this.deps.users.upsertByIntuitSub(who.sub, { email: who.email, name: who.name });
  }
}
