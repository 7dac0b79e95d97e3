import { z } from 'zod';
import { isValidTimeZone } from './calendar';

const WHOLE_DAYS = 'must be a whole number of days';
/** A number of days from 0 to `max`, its messages in words. */
const wholeDays = () => z.number({ error: WHOLE_DAYS }).int(WHOLE_DAYS);
const days = (max: number) => wholeDays().min(0, 'cannot be negative').max(max, `must be at most ${max} days`);
const hour = z.number({ error: 'must be an hour from 0 to 24' }).int('must be a whole hour from 0 to 24').min(0, 'must be an hour from 0 to 24').max(24, 'must be an hour from 0 to 24');
const window = z
  .object({ days: z.array(z.number().int().min(0).max(6), { error: 'must be a list of weekdays, 0 (Sunday) to 6' }).min(1, 'needs at least one day'), startHour: hour, endHour: hour })
  .refine((w) => w.startHour < w.endHour, 'the From hour must be before the To hour');

/** Every default of SPEC §4, each a per-company setting. */
export const playbookSettingsSchema = z.object({
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. America/New_York').default('America/New_York'),
  /** Days overdue at which levels 1..4 are entered. */
  levelDays: z.tuple([wholeDays(), wholeDays(), wholeDays(), wholeDays()]).refine((d) => d[0] >= 0 && d[0] < d[1] && d[1] < d[2] && d[2] < d[3], 'each level must start later than the one before (e.g. 3, 13, 23, 45 days)').default([3, 13, 23, 45]),
  /** A level is entered no sooner than this many days after the previous one. */
  minDaysBetweenLevels: days(60).default(7),
  /** No two dunning emails to one customer closer than this. */
  dunningGapDays: days(30).default(3),
  /** Verification letters go to invoices issued at most this many days ago. */
  verificationMaxAgeDays: days(60).default(7),
  /** Emails and letters go out on these days between these hours (company time). */
  sendWindow: window.default({ days: [1, 2, 3, 4, 5], startHour: 8, endHour: 17 }),
  callWindows: z
    .object({ commercial: window, personal: window })
    .default({ commercial: { days: [1], startHour: 9, endHour: 12 }, personal: { days: [4, 5], startHour: 9, endHour: 17 } }),
  /** A promise pauses dunning until its date plus this many days. */
  promiseGraceDays: days(30).default(2),
  /** A customer promising on its statement page may name a date at most this many days ahead. */
  customerPromiseMaxDays: days(180).default(30),
  /** Share of overdue dollars whose customers are "A accounts". */
  aAccountShare: z.number({ error: 'must be a share from 0.1 to 1 (10% to 100%)' }).min(0.1, 'must be at least 0.1 (10%)').max(1, 'must be at most 1 (100%)').default(0.8),
  /** A customer's reply (not an automatic one) pauses the account's automatic dunning until a person marks it handled. */
  pauseOnReply: z.boolean().default(true),
  /**
   * Verification letters carry QuickBooks' own PDF of each invoice (one metered read an invoice,
   * SPEC §3) instead of the copy Ardesk draws from the invoice as QuickBooks returns it at the
   * balance check before the send (no read of its own).
   */
  quickBooksInvoicePdfs: z.boolean().default(false),
  /** Write a note of every activity back into QuickBooks. */
  writeNotesToQuickBooks: z.boolean().default(true),
  /** Write what a collector finds about a customer (the email an *email found* call gives) to its QuickBooks record. */
  writeCustomersToQuickBooks: z.boolean().default(true),
  /**
   * What the final notice may say will follow, each only when it is real for this company: the
   * collection agency it refers accounts to (empty: none), that it files small claims, the late
   * fees or interest its terms allow (as the letter should state them; empty: none), and that it
   * reports to credit bureaus. With none of them the notice says the account will be reviewed
   * for further action.
   */
  collectionAgency: z.string().trim().max(120).default(''),
  filesSmallClaims: z.boolean().default(false),
  collectionCharges: z.string().trim().max(300).default(''),
  reportsToCreditBureaus: z.boolean().default(false),
});

export type PlaybookSettings = z.infer<typeof playbookSettingsSchema>;

export const DEFAULT_SETTINGS: PlaybookSettings = playbookSettingsSchema.parse({});

export function playbookSettings(overrides: unknown = {}): PlaybookSettings {
  return playbookSettingsSchema.parse(overrides);
}
