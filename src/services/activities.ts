import type { ActivityLogRow, NotesRepository } from '../db/notes-repository';
import type { NoteStatus } from '../db/schema';
import type { CompanySettingsService } from './company-settings';
import type { NotesService } from './notes';

export const ACTIVITY_PAGE = 50;

export interface ActivityQuery {
  customerId?: string;
  note?: NoteStatus;
  page: number;
}

export interface ActivitiesDeps {
  notes: Pick<NotesRepository, 'activityPage' | 'counts'>;
  settings: CompanySettingsService;
  noteWriter: Pick<NotesService, 'queue'>;
}

/**
 * The activity log of a company, newest first, each with where its QuickBooks note stands, and
 * the company's switch for writing notes back to QuickBooks at all.
 */
export class ActivitiesService {
  constructor(private readonly deps: ActivitiesDeps) {}

  /** One page of the log (optionally one customer's, or of one note status). */
  async page(realmId: string, query: ActivityQuery): Promise<{ activities: ActivityLogRow[]; more: boolean }> {
    const rows = await this.deps.notes.activityPage(realmId, { customerId: query.customerId, note: query.note, limit: ACTIVITY_PAGE + 1, offset: (query.page - 1) * ACTIVITY_PAGE });
    return { activities: rows.slice(0, ACTIVITY_PAGE), more: rows.length > ACTIVITY_PAGE };
  }

  /** The log's page: a page of it, how many notes stand where, and whether notes are written back. */
  async overview(realmId: string, query: ActivityQuery) {
    const [{ activities, more }, counts, settings] = await Promise.all([this.page(realmId, query), this.deps.notes.counts(realmId), this.deps.settings.settingsOf(realmId)]);
    return { activities, more, counts, writeBack: settings.writeNotesToQuickBooks };
  }

  /** Turns writing notes back to QuickBooks on or off; turned on, the notes waiting go at once. */
  async setWriteBack(realmId: string, on: boolean): Promise<void> {
    await this.deps.settings.change(realmId, { writeNotesToQuickBooks: on });
    if (on) await this.deps.noteWriter.queue(realmId);
  }
}
