import { sql } from 'kysely';
import type { LocalDate } from '../collections/calendar';
import type { Level, TaskReason } from '../collections/model';
import type { Db } from './database';

/** The account's one open call task: reasons are added to it; a task is opened only when it has none. */
export class CallTasksRepository {
  constructor(private readonly db: Db) {}

  /**
   * Puts `reason` on the open task of `customerId` (due no later than `scheduledFor`), or opens
   * one with it. Safe to call twice and against a racing writer: the unique index on the
   * account's open task decides, and the loser adds its reason to the winner's task.
   */
  async wantReason(realmId: string, task: { customerId: string; reason: TaskReason; level: Level; scheduledFor: LocalDate; createdOn: LocalDate; key: string }): Promise<'added' | 'opened' | 'present'> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const open = await this.db.selectFrom('call_tasks').select(['id', 'reasons']).where('realm_id', '=', realmId).where('customer_id', '=', task.customerId).where('status', '=', 'open').executeTakeFirst();
      if (open) {
        if (open.reasons.includes(task.reason)) return 'present';
        await sql`update call_tasks set reasons = reasons || jsonb_build_array(${task.reason}::text), scheduled_for = least(scheduled_for, ${task.scheduledFor}::date)
                  where id = ${open.id} and not reasons ? ${task.reason}`.execute(this.db);
        return 'added';
      }
      const inserted = await sql<{ id: string }>`
        insert into call_tasks (realm_id, customer_id, level, reason, reasons, scheduled_for, created_on, key)
        values (${realmId}, ${task.customerId}, ${task.level}, ${task.reason}, jsonb_build_array(${task.reason}::text), ${task.scheduledFor}::date, ${task.createdOn}::date, ${task.key})
        on conflict do nothing returning id`.execute(this.db);
      if (inserted.rows.length) return 'opened';
    }
    return 'present';
  }

  /**
   * Puts the month's difficult-customer reason on the account's open task (due no later than
   * `scheduledFor`), or opens one with it; keyed by month and account, so fixing a month twice
   * opens nothing twice.
   */
  async wantDifficultCustomerReason(realmId: string, task: { customerId: string; level: Level; scheduledFor: LocalDate; createdOn: LocalDate; month: string }): Promise<'added' | 'opened' | 'present'> {
    // The reason is the playbook's (part of TaskReason once the playbook's model names it).
    const reason = 'difficult_customer' as TaskReason;
    return this.wantReason(realmId, { customerId: task.customerId, reason, level: task.level, scheduledFor: task.scheduledFor, createdOn: task.createdOn, key: `difficult:${task.month}:${task.customerId}` });
  }
}
