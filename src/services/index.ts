import type { Redis } from 'ioredis';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Repositories } from '../db/repositories';
import type { SendReviewMode } from '../db/schema';
import type { JobQueues } from '../jobs/queues';
import type { Logger } from '../logger';
import type { FreshBalances } from '../mail/fresh-balances';
import type { Mailer } from '../mail/mailer';
import type { ReplyAddresses } from '../mail/reply-address';
import type { TemplateBook } from '../mail/templates';
import type { QuickBooksClient } from '../quickbooks/client';
import type { IntuitOAuth } from '../quickbooks/oauth';
import type { SyncSchedule } from '../config';
import type { DriftCheck } from '../quickbooks/drift-check';
import type { CompanySync } from '../quickbooks/sync';
import type { TokenVault } from '../quickbooks/token-vault';
import { AccountDirectoryService } from './account-directory';
import { AccountStateService, AccountViewService } from './account-state';
import { ActivitiesService } from './activities';
import { ApiTokensService } from './api-tokens';
import { BacktestService } from './backtest';
import { SenderIdentityService } from './sender-identity';
import { CadenceService } from './cadence';
import { CallOutcomesService } from './call-outcomes';
import { CallScriptService } from './call-script';
import { CallTasksService } from './call-tasks';
import { CompaniesService } from './companies';
import { CompanyAccessService } from './company-access';
import { CompanyPageService } from './company-page';
import { CompanySettingsService } from './company-settings';
import { CompanySyncService } from './company-sync';
import { ConnectionsService } from './connections';
import { CustomerFileService } from './customer-file';
import { CustomerLinksService } from './customer-links';
import { CustomerPagesService } from './customer-pages';
import { CustomerTypeService } from './customer-type';
import { DataRetentionService } from './data-retention';
import { DisputesService } from './disputes';
import { DoNotContactService } from './do-not-contact';
import { EscalationFileService } from './escalation-file';
import { HousekeepingService } from './housekeeping';
import { InboundRepliesService } from './inbound-replies';
import { InvoiceFileService } from './invoice-file';
import { LettersService } from './letters';
import { redisLocks } from './locks';
import { MailDispatchService } from './mail-dispatch';
import { NotesService } from './notes';
import { OperatorQueuesService } from './operator-queues';
import { OutboxService } from './outbox';
import { PausesService } from './pauses';
import { PromisesService } from './promises';
import { ReadinessService } from './readiness';
import { ReportsService } from './reports';
import { MessageSendService } from './send-message';
import { SentCopiesService } from './sent-copies';
import { SignInService } from './sign-in';
import { SendReviewService } from './send-review';
import { SyncService } from './sync';
import { TemplatesService } from './templates';
import { WebhooksService } from './webhooks';
import { WebSessionsService } from './web-sessions';
import { WorkListService } from './work-list';
import type { WorkProgressService } from './work-progress';

/** What the services are built from: repositories and the side-effect wrappers they need. */
export interface ServiceDeps {
  db: Db;
  repos: Repositories;
  clock: Clock;
  templates: TemplateBook;
  /** The producer connection: locks and the webhooks' dedup marks. */
  redis: Redis;
  queues: JobQueues;
  logger: Logger;
  quickbooks: QuickBooksClient;
  sync: CompanySync;
  /** How far each company's sync and daily run have got (the sync reports into it too). */
  progress: WorkProgressService;
  drift: DriftCheck;
  /** How companies' copies are kept fresh: webhooks or polling, the debounce, the full re-read (config.syncSchedule). */
  syncSchedule: SyncSchedule;
  mailer: Mailer;
  /** The balance re-read before a send (one per process: it gathers a company's reads). */
  balances: FreshBalances;
  /** The From: of every message (config.mailFrom). */
  mailFrom: string;
  /** Domains a company's own From address may be on (config.mailFromDomains). */
  mailFromDomains: string[];
  /** Intuit's OAuth server: connect, sign in, revoke. */
  oauth: IntuitOAuth;
  /** The companies' QuickBooks tokens, encrypted at rest. */
  vault: TokenVault;
  /** Where Intuit sends the browser back after Connect or sign-in (config.intuit.redirectUri). */
  redirectUri: string;
  /** How long a disconnected company's copy of QuickBooks is kept (config.retentionDays). */
  retentionDays: number;
  /** The review mode a newly connected company starts with (config.sendReviewDefault). */
  sendReviewDefault: SendReviewMode;
  /** The customers' links: their own key, where customers reach Ardesk, and how many days a link works. */
  customerLinks: { key: Buffer; publicUrl: string; days: number };
  /** Mail coming back: each account's reply address (null without INBOUND_ADDRESS) and the size read of a message. */
  inbound: { replyAddresses: ReplyAddresses | null; maxBytes: number };
}

/** The application's work, one service per collector action or read model. */
export interface Services {
  settings: CompanySettingsService;
  directory: AccountDirectoryService;
  accountStates: AccountStateService;
  accounts: AccountViewService;
  customerFiles: CustomerFileService;
  escalationFiles: EscalationFileService;
  invoiceFiles: InvoiceFileService;
  pauses: PausesService;
  doNotContact: DoNotContactService;
  customerTypes: CustomerTypeService;
  callScripts: CallScriptService;
  callOutcomes: CallOutcomesService;
  workList: WorkListService;
  cadence: CadenceService;
  notes: NotesService;
  letters: LettersService;
  messages: MessageSendService;
  outbox: OutboxService;
  templates: TemplatesService;
  activities: ActivitiesService;
  companies: CompaniesService;
  webhooks: WebhooksService;
  sync: SyncService;
  companySync: CompanySyncService;
  mailDispatch: MailDispatchService;
  housekeeping: HousekeepingService;
  reports: ReportsService;
  promises: PromisesService;
  disputes: DisputesService;
  callTasks: CallTasksService;
  companyAccess: CompanyAccessService;
  companyPage: CompanyPageService;
  apiTokens: ApiTokensService;
  webSessions: WebSessionsService;
  connections: ConnectionsService;
  signIn: SignInService;
  retention: DataRetentionService;
  operatorQueues: OperatorQueuesService;
  readiness: ReadinessService;
  sendReview: SendReviewService;
  backtest: BacktestService;
  senderIdentity: SenderIdentityService;
  customerLinks: CustomerLinksService;
  customerPages: CustomerPagesService;
  progress: WorkProgressService;
  inboundReplies: InboundRepliesService;
}

/**
 * What a route or a job handler is given: only the services it names (the app context and the
 * web's deps have them, and so does anything shaped like it, e.g. a test's fakes).
 */
export type Uses<K extends keyof Services> = { services: Pick<Services, K> };

/** Builds every service once per process; each gets only the dependencies it names. */
export function buildServices({ db, repos, clock, templates, redis, queues, logger, quickbooks, sync, drift, syncSchedule, progress, mailer, balances, mailFrom, mailFromDomains, oauth, vault, redirectUri, retentionDays, sendReviewDefault, customerLinks: linkConfig, inbound }: ServiceDeps): Services {
  const locks = redisLocks(redis, queues.prefix);
  const settings = new CompanySettingsService({ companies: repos.companies, collections: repos.collections, clock });
  const directory = new AccountDirectoryService(repos.accounts);
  const accountStates = new AccountStateService({ states: repos.accountStates, directory });
  const customerFiles = new CustomerFileService({ settings, files: repos.customerFile, accountStates });
  const notes = new NotesService({ companies: repos.companies, settings, notes: repos.notes, client: quickbooks, locks, queues, clock, logger: logger.child({ module: 'notes' }) });
  const pauses = new PausesService({ settings, files: repos.customerFile, collections: repos.collections, notes });
  const links = new CustomerLinksService({ ...linkConfig, clock });
  const letters = new LettersService({ db, outbox: repos.outbox, sentCopies: repos.sentCopies, mergeData: repos.mergeData, coverage: repos.coverage, settings, templates, links, clock });
  const senderIdentity = new SenderIdentityService({ identities: repos.senderIdentity, fromDomains: mailFromDomains, clock });
  const doNotContact = new DoNotContactService({ settings, files: repos.customerFile, doNotContact: repos.doNotContact, notes });
  return {
    settings,
    directory,
    accountStates,
    customerFiles,
    escalationFiles: new EscalationFileService({ customerFiles, outbox: repos.outbox, sentCopies: repos.sentCopies, letters, answers: repos.customerPages }),
    invoiceFiles: new InvoiceFileService({ files: repos.customerFile }),
    pauses,
    doNotContact,
    customerTypes: new CustomerTypeService({ files: repos.customerFile }),
    accounts: new AccountViewService({ settings, files: customerFiles }),
    callScripts: new CallScriptService({ db, outbox: repos.outbox, templates, clock }),
    callOutcomes: new CallOutcomesService({ db, settings, directory, balances, quickbooks, notes, queues, clock, logger: logger.child({ module: 'call-outcomes' }) }),
    workList: new WorkListService({ settings, accountStates, workList: repos.workList, clock }),
    cadence: new CadenceService({ settings, companies: repos.companies, collections: repos.collections, locks, queues, notes, progress, clock, logger: logger.child({ module: 'cadence' }) }),
    notes,
    letters,
    messages: new MessageSendService({ db, outbox: repos.outbox, companies: repos.companies, coverage: repos.coverage, callTasks: repos.callTasks, settings, balances, templates, sentCopies: new SentCopiesService({ sentCopies: repos.sentCopies, templates }), mailer, invoiceCopies: quickbooks, mailFrom, mailFromDomains, links, badAddresses: repos.inbound, replyAddresses: inbound.replyAddresses ?? undefined, clock, logger: logger.child({ module: 'mail' }) }),
    outbox: new OutboxService({ outbox: repos.outbox }),
    templates: new TemplatesService({ outbox: repos.outbox, templates, settings }),
    activities: new ActivitiesService({ notes: repos.notes, settings, noteWriter: notes }),
    companies: new CompaniesService({ companies: repos.companies }),
    webhooks: new WebhooksService({ companies: repos.companies, queues, redis, debounceMs: syncSchedule.webhookDebounceMs }),
    sync: new SyncService({ companies: repos.companies, state: repos.syncState, sync, drift, locks, queues, progress, clock, fullEveryDays: syncSchedule.fullEveryDays }),
    companySync: new CompanySyncService({ state: repos.syncState, reads: repos.quickbooksReads, sync, queues, progress, clock }),
    mailDispatch: new MailDispatchService({ outbox: repos.outbox, queues, clock }),
    housekeeping: new HousekeepingService({ sessions: repos.sessions, oauthStates: repos.oauthStates, companies: repos.companies, queues, clock, syncPlan: syncSchedule }),
    reports: new ReportsService({ settings, directory, reports: repos.reports, tasks: repos.callTasks, coverage: repos.coverage }),
    promises: new PromisesService({ settings, promises: repos.promises }),
    disputes: new DisputesService({ settings, disputes: repos.disputes, notes }),
    callTasks: new CallTasksService({ collections: repos.collections }),
    companyAccess: new CompanyAccessService({ companies: repos.companies }),
    companyPage: new CompanyPageService({ outbox: repos.outbox, clock }),
    apiTokens: new ApiTokensService({ apiTokens: repos.apiTokens, clock }),
    webSessions: new WebSessionsService({ sessions: repos.sessions }),
    connections: new ConnectionsService({ oauthStates: repos.oauthStates, oauth, vault, client: quickbooks, users: repos.users, companies: repos.companies, queues, clock, syncPlan: syncSchedule, redirectUri, reviews: repos.sendReview, sendReviewDefault }),
    signIn: new SignInService({ oauthStates: repos.oauthStates, oauth, users: repos.users, companies: repos.companies, clock, redirectUri }),
    retention: new DataRetentionService({ retention: repos.retention, clock, retentionDays }),
    operatorQueues: new OperatorQueuesService({ queues }),
    readiness: new ReadinessService({ db, redis }),
    sendReview: new SendReviewService({ reviews: repos.sendReview, settings, pauses, queues, users: repos.users, clock }),
    backtest: new BacktestService({ settings, history: repos.backtest }),
    senderIdentity,
    customerLinks: links,
    progress,
    customerPages: new CustomerPagesService({ db, doNotContact, links, settings, directory, senderIdentity, balances, quickbooks, notes, queues, clock, logger: logger.child({ module: 'customer-pages' }) }),
    inboundReplies: new InboundRepliesService({ inbound: repos.inbound, directory, doNotContact, coverage: repos.coverage, settings, notes, users: repos.users, replyAddresses: inbound.replyAddresses, maxBytes: inbound.maxBytes, clock, logger: logger.child({ module: 'inbound' }) }),
  };
}
