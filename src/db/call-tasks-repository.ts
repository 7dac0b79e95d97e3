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

  /**
   * Takes `reason` off the task (what it was for is done) and returns the reasons left; the
   * reason the task was opened for becomes the first one left.
   */
  async dropReason(taskId: string, reason: TaskReason): Promise<TaskReason[]> {
    const row = await sql<{ reasons: TaskReason[] }>`
      update call_tasks set reasons = reasons - ${reason}::text,
        reason = case when reason = ${reason} and jsonb_array_length(reasons - ${reason}::text) > 0 then (reasons - ${reason}::text)->>0 else reason end
      where id = ${taskId} returning reasons`.execute(this.db);
    return row.rows[0]?.reasons ?? [];
  }

  /** The task as it was before an outcome that is being corrected. */
  async restore(taskId: string, before: TaskSnapshot): Promise<void> {
    await this.db
      .updateTable('call_tasks')
      .set({ status: before.status, scheduled_for: before.scheduledFor, outcome: before.outcome, reason: before.reason, reasons: JSON.stringify(before.reasons) as never, closed_at: before.closedAt ? new Date(before.closedAt) : null })
      .where('id', '=', taskId)
      .execute();
  }
}

/** A task's fields an outcome changes, as they were before it (kept with the outcome, JSON-safe). */
export interface TaskSnapshot {
  status: 'open' | 'done' | 'cancelled' | 'retired';
  scheduledFor: LocalDate;
  outcome: string | null;
  reason: TaskReason;
  reasons: TaskReason[];
  closedAt: string | null;
}
