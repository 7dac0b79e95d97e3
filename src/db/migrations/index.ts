import type { Migration } from 'kysely';
import * as m0001 from './0001-companies-and-sessions';
import * as m0002 from './0002-oauth-states';
import * as m0003 from './0003-quickbooks-copy';
import * as m0004 from './0004-collections';
import * as m0005 from './0005-overdue-snapshots';
import * as m0006 from './0006-outbox';
import * as m0007 from './0007-notes';
import * as m0008 from './0008-notes-not-written';
import * as m0009 from './0009-api-tokens';
import * as m0012 from './0012-one-task-per-account';
import * as m0013 from './0013-account-states';
import * as m0014 from './0014-quickbooks-copy-retention';
import * as m0015 from './0015-playbook-facts';
import * as m0017 from './0017-difficult-customers';
import * as m0019 from './0019-send-review';
import * as m0020 from './0020-sent-copies';
import * as m0021 from './0021-quickbooks-reads';
import * as m0022 from './0022-sender-identity';
import * as m0023 from './0023-worklist-ready';
import * as m0025 from './0025-do-not-contact';
import * as m0026 from './0026-customer-pages';
import * as m0027 from './0027-inbound-mail';
import * as m0028 from './0028-work-progress';
import * as m0031 from './0031-sent-copy-attachments';
import * as m0032 from './0032-company-checks-per-statement';
import * as m0033 from './0033-more-company-checks-per-statement';

/** Every migration, in order. Names are permanent: never rename one that has shipped. */
export const migrations: Record<string, Migration> = {
  '0001-companies-and-sessions': m0001,
  '0002-oauth-states': m0002,
  '0003-quickbooks-copy': m0003,
  '0004-collections': m0004,
  '0005-overdue-snapshots': m0005,
  '0006-outbox': m0006,
  '0007-notes': m0007,
  '0008-notes-not-written': m0008,
  '0009-api-tokens': m0009,
  '0012-one-task-per-account': m0012,
  '0013-account-states': m0013,
  '0014-quickbooks-copy-retention': m0014,
  '0015-playbook-facts': m0015,
  '0017-difficult-customers': m0017,
  '0019-send-review': m0019,
  '0020-sent-copies': m0020,
  '0021-quickbooks-reads': m0021,
  '0022-sender-identity': m0022,
  '0023-worklist-ready': m0023,
  '0025-do-not-contact': m0025,
  '0026-customer-pages': m0026,
  '0027-inbound-mail': m0027,
  '0028-work-progress': m0028,
  '0031-sent-copy-attachments': m0031,
  '0032-company-checks-per-statement': m0032,
  '0033-more-company-checks-per-statement': m0033,
};
