import { CompaniesRepository } from './companies-repository';
import { OAuthStatesRepository } from './oauth-states-repository';
import { TokensRepository } from './tokens-repository';
import { QuickBooksCopyRepository } from './quickbooks-copy-repository';
import { AccountsRepository } from './accounts-repository';
import { AccountStatesRepository } from './account-states-repository';
import { CallTasksRepository } from './call-tasks-repository';
import { SyncStateRepository } from './sync-state-repository';
import { CollectionsRepository } from './collections-repository';
import { WorkListRepository } from './worklist-repository';
import { OutboxRepository } from './outbox-repository';
import { CoverageRepository } from './coverage-repository';
import { DoNotContactRepository } from './do-not-contact-repository';
import { NotesRepository } from './notes-repository';
import { ReportsRepository } from './reports-repository';
import { CustomerFileRepository } from './customer-file-repository';
import { MergeDataRepository } from './merge-data-repository';
import { PromisesRepository } from './promises-repository';
import { DisputesRepository } from './disputes-repository';
import { SessionsRepository } from './sessions-repository';
import { UsersRepository } from './users-repository';
import { MetricsRepository } from './metrics-repository';
import { RetentionRepository } from './retention-repository';
import { SendReviewRepository } from './send-review-repository';
import { SentCopiesRepository } from './sent-copies-repository';
import { QuickBooksReadsRepository } from './quickbooks-reads-repository';
import { BacktestRepository } from './backtest-repository';
import { SenderIdentityRepository } from './sender-identity-repository';
import { ApiTokensRepository } from './api-tokens-repository';
import { CustomerPagesRepository } from './customer-pages-repository';
import { WorkProgressRepository } from './work-progress-repository';
import { InboundRepository } from './inbound-repository';
import type { Db } from './database';

/** Every repository over one executor (the database, or a transaction a service composes them in). */
export interface Repositories {
  companies: CompaniesRepository;
  users: UsersRepository;
  sessions: SessionsRepository;
  tokens: TokensRepository;
  oauthStates: OAuthStatesRepository;
  copy: QuickBooksCopyRepository;
  syncState: SyncStateRepository;
  collections: CollectionsRepository;
  workList: WorkListRepository;
  outbox: OutboxRepository;
  apiTokens: ApiTokensRepository;
  sendReview: SendReviewRepository;
  coverage: CoverageRepository;
  doNotContact: DoNotContactRepository;
  notes: NotesRepository;
  accounts: AccountsRepository;
  accountStates: AccountStatesRepository;
  callTasks: CallTasksRepository;
  reports: ReportsRepository;
  customerFile: CustomerFileRepository;
  mergeData: MergeDataRepository;
  promises: PromisesRepository;
  disputes: DisputesRepository;
  retention: RetentionRepository;
  sentCopies: SentCopiesRepository;
  metrics: MetricsRepository;
  quickbooksReads: QuickBooksReadsRepository;
  backtest: BacktestRepository;
  senderIdentity: SenderIdentityRepository;
  customerPages: CustomerPagesRepository;
  workProgress: WorkProgressRepository;
  inbound: InboundRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    companies: new CompaniesRepository(db),
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    tokens: new TokensRepository(db),
    oauthStates: new OAuthStatesRepository(db),
    copy: new QuickBooksCopyRepository(db),
    syncState: new SyncStateRepository(db),
    collections: new CollectionsRepository(db),
    workList: new WorkListRepository(db),
    outbox: new OutboxRepository(db),
    apiTokens: new ApiTokensRepository(db),
    sendReview: new SendReviewRepository(db),
    coverage: new CoverageRepository(db),
    doNotContact: new DoNotContactRepository(db),
    notes: new NotesRepository(db),
    accounts: new AccountsRepository(db),
    accountStates: new AccountStatesRepository(db),
    callTasks: new CallTasksRepository(db),
    reports: new ReportsRepository(db),
    customerFile: new CustomerFileRepository(db),
    mergeData: new MergeDataRepository(db),
    promises: new PromisesRepository(db),
    disputes: new DisputesRepository(db),
    retention: new RetentionRepository(db),
    sentCopies: new SentCopiesRepository(db),
    metrics: new MetricsRepository(db),
    quickbooksReads: new QuickBooksReadsRepository(db),
    backtest: new BacktestRepository(db),
    senderIdentity: new SenderIdentityRepository(db),
    customerPages: new CustomerPagesRepository(db),
    workProgress: new WorkProgressRepository(db),
    inbound: new InboundRepository(db),
  };
}
