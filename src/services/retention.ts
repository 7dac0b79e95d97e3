import type { Clock } from '../clock';
import type { RetentionRepository } from '../db/retention-repository';
import type { Logger } from '../logger';

/**
 * Ardesk keeps a disconnected company's copy of QuickBooks for RETENTION_DAYS after the
 * disconnect (in case it is reconnected), then deletes it; a member can delete it at once. The
 * collection history stays. Time is the real clock: a retention period is not a business date.
 */
export interface RetentionDeps {
  retention: RetentionRepository;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** When the copy of a company disconnected at `disconnectedAt` is deleted. */
export function copyDeletedOn(disconnectedAt: Date, retentionDays: number): Date {
  return new Date(disconnectedAt.getTime() + retentionDays * DAY_MS);
}

/** The daily pass: every disconnected company past the retention period loses its copy. */
export async function deleteExpiredCopies(deps: RetentionDeps): Promise<{ deleted: string[] }> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - deps.retentionDays * DAY_MS);
  const deleted: string[] = [];
  for (const company of await deps.retention.expired(cutoff)) {
    const rows = await deps.retention.deleteCopy(company.realm_id, now);
    if (!rows) continue; // reconnected in the meantime
    deleted.push(company.realm_id);
    deps.logger.info({ realmId: company.realm_id, disconnectedAt: company.disconnected_at, rows, retentionDays: deps.retentionDays }, 'copy of QuickBooks deleted: disconnected longer than the retention period');
  }
  return { deleted };
}

/** "Delete now" on the page of a disconnected company; false when it is not disconnected. */
export async function deleteCopyNow(deps: Omit<RetentionDeps, 'retentionDays'>, realmId: string, by: string): Promise<boolean> {
  const rows = await deps.retention.deleteCopy(realmId, deps.clock.now());
  if (rows) deps.logger.info({ realmId, rows, by }, 'copy of QuickBooks deleted on request');
  return Boolean(rows);
}
