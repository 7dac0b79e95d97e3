import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Repositories } from '../db/repositories';
import type { TemplateBook } from '../mail/templates';
import { AccountDirectoryService } from './account-directory';
import { AccountStateService, AccountViewService } from './account-state';
import { CallScriptService } from './call-script';
import { CompanySettingsService } from './company-settings';
import { CustomerFileService } from './customer-file';
import { WorkListService } from './work-list';

/** What the services are built from: repositories and the side-effect wrappers they need. */
export interface ServiceDeps {
  db: Db;
  repos: Repositories;
  clock: Clock;
  templates: TemplateBook;
}

/** The application's work, one service per collector action or read model. */
export interface Services {
  settings: CompanySettingsService;
  directory: AccountDirectoryService;
  accountStates: AccountStateService;
  accounts: AccountViewService;
  customerFiles: CustomerFileService;
  callScripts: CallScriptService;
  workList: WorkListService;
}

/** Builds every service once per process; each gets only the dependencies it names. */
export function buildServices({ db, repos, clock, templates }: ServiceDeps): Services {
  const settings = new CompanySettingsService({ companies: repos.companies, collections: repos.collections, clock });
  const directory = new AccountDirectoryService(repos.accounts);
  const accountStates = new AccountStateService({ states: repos.accountStates, directory });
  const customerFiles = new CustomerFileService({ settings, files: repos.customerFile, accountStates });
  return {
    settings,
    directory,
    accountStates,
    customerFiles,
    accounts: new AccountViewService({ settings, files: customerFiles }),
    callScripts: new CallScriptService({ db, outbox: repos.outbox, templates, clock }),
    workList: new WorkListService({ settings, accountStates, workList: repos.workList, clock }),
  };
}
