import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { OutboxRepository } from '../db/outbox-repository';
import { mergeDataFor } from '../mail/merge-data';
import { CALL_SCRIPTS, templateOf, type TemplateBook, type TemplateName } from '../mail/templates';
import type { CustomerFile } from './customer-file';

export interface CallScriptDeps {
  db: Db;
  outbox: Pick<OutboxRepository, 'overridesOf'>;
  templates: TemplateBook;
  clock: Clock;
}

/**
 * Which script a task calls for: a broken promise's follow-up; finding an email when that is all the
 * task is for (no level reached, or no level call on it); else the level's.
 */
export function scriptName(task: { level: number; reason: string; reasons?: readonly string[] }): TemplateName {
  if (task.reason === 'broken_promise') return 'call_script_broken_promise';
  const reasons = new Set([task.reason, ...(task.reasons ?? [])]);
  const findsEmail = reasons.has('find_email') && (task.level === 0 || !reasons.has('level'));
  if (findsEmail) return 'call_script_find_email';
  return CALL_SCRIPTS[Math.min(4, Math.max(1, task.level)) - 1]!;
}

/** The call script for a task: the script it calls for (scriptName), for a person the personal one, with this customer's facts. */
export class CallScriptService {
  constructor(private readonly deps: CallScriptDeps) {}

  async scriptFor(realmId: string, file: CustomerFile, task: { level: number; reason: string; reasons?: readonly string[] }) {
    // The script of the account's level (its state's), the level the list and the API show.
    const script = scriptName({ ...task, level: file.state.level || task.level });
    const listed = (file.overdue.length ? file.overdue : file.openInvoices).map((i) => i.id);
    const message = { id: 'call-script', realm_id: realmId, customer_id: file.customer.id, kind: script, to_address: file.customer.email ?? '', invoice_ids: listed, key: 'call-script' };
    const data = await mergeDataFor(this.deps.db, message, new Map(), this.deps.clock.businessNow(), listed);
    const name = templateOf(script, data);
    const overrides = await this.deps.outbox.overridesOf(realmId, name);
    return this.deps.templates.render(name, data, overrides);
  }
}
