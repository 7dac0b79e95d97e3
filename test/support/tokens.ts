import type { AppContext } from '../../src/app-context';

/**
 * Marks a company's stored access token as expired a second ago, on the clock that decides token
 * expiry: the app's real-time clock (`context.clock.now()`), which wrote the expiry at connect and
 * refresh and compares it before every call. Never the database server's now(): under a faked
 * process clock (faketime) the two disagree by days.
 */
export async function expireStoredAccessToken(context: Pick<AppContext, 'db' | 'clock'>, realmId: string): Promise<void> {
  const expired = new Date(context.clock.now().getTime() - 1000);
  await context.db.updateTable('company_tokens').set({ access_expires_at: expired }).where('realm_id', '=', realmId).execute();
}
