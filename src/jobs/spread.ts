import { createHash } from 'node:crypto';

/**
 * Where in a window of `windowMinutes` a company's daily job runs: a second from 0 up to the
 * window's end, fixed by the realm id alone (the same on every worker and after every restart),
 * and spread evenly over the window across companies, so the companies of one time zone do not
 * all start at the window's opening.
 */
export function spreadSecond(realmId: string, windowMinutes: number): number {
  const seconds = Math.max(1, Math.floor(windowMinutes * 60));
  return createHash('sha256').update(realmId).digest().readUInt32BE(0) % seconds;
}

/**
 * A daily cron pattern (with seconds) at `startMinute` of the local day (e.g. 3 * 60 + 30 for
 * 03:30) plus the company's place in a window of `windowMinutes`. The window must end by
 * midnight.
 */
export function spreadDaily(realmId: string, startMinute: number, windowMinutes: number): string {
  if (startMinute < 0 || startMinute + windowMinutes > 24 * 60) throw new Error(`a window of ${windowMinutes} minutes from minute ${startMinute} crosses midnight`);
  const at = startMinute * 60 + spreadSecond(realmId, windowMinutes);
  return `${at % 60} ${Math.floor(at / 60) % 60} ${Math.floor(at / 3600)} * * *`;
}
