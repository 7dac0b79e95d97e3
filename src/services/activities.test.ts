import type { PlaybookSettings } from '../collections/settings';
import type { ActivityLogRow } from '../db/notes-repository';
import { ActivitiesService, ACTIVITY_PAGE } from './activities';
import type { CompanySettingsService } from './company-settings';

function serviceWith(activities: number) {
  const rows = Array.from({ length: activities }, (_, i) => ({ id: `a${i}`, note_status: 'pending' }) as ActivityLogRow);
  let writeBack = true;
  const queued: string[] = [];
  const settings = {
    settingsOf: async () => ({ writeNotesToQuickBooks: writeBack }) as PlaybookSettings,
    change: async (_realmId: string, changes: Partial<PlaybookSettings>) => {
      writeBack = changes.writeNotesToQuickBooks ?? writeBack;
      return { writeNotesToQuickBooks: writeBack } as PlaybookSettings;
    },
  } as unknown as CompanySettingsService;
  const service = new ActivitiesService({
    notes: { activityPage: async (_realmId, page) => rows.slice(page.offset, page.offset + page.limit), counts: async () => ({ pending: activities }) },
    settings,
    noteWriter: { queue: async (realmId) => void queued.push(realmId) },
  });
  return { service, queued };
}

describe('the activity log', () => {
  it('pages the log and shows where the notes stand and whether they are written back', async () => {
    const { service } = serviceWith(ACTIVITY_PAGE + 1);
    const overview = await service.overview('1', { page: 1 });
    expect(overview).toMatchObject({ more: true, counts: { pending: ACTIVITY_PAGE + 1 }, writeBack: true });
    expect(overview.activities).toHaveLength(ACTIVITY_PAGE);
    expect(await service.page('1', { page: 2 })).toEqual({ activities: [expect.objectContaining({ id: `a${ACTIVITY_PAGE}` })], more: false });
  });

  it('queues the waiting notes when write-back is turned on, and not when it is turned off', async () => {
    const { service, queued } = serviceWith(3);
    await service.setWriteBack('1', false);
    expect((await service.overview('1', { page: 1 })).writeBack).toBe(false);
    expect(queued).toEqual([]);
    await service.setWriteBack('1', true);
    expect((await service.overview('1', { page: 1 })).writeBack).toBe(true);
    expect(queued).toEqual(['1']);
  });
});
