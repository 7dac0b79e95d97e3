import { mergedModes } from './sync';

/** What one run does for every sync request left while a company's sync ran: nothing asked for is dropped. */
describe('the sync requests left for a running sync, merged', () => {
  it('runs a first sync\'s open part alone (its backfill is queued after it)', () => {
    expect(mergedModes(['auto', 'open-first', 'incremental'])).toEqual(['open-first']);
  });

  it('lets a full sync cover everything else, a backfill included', () => {
    expect(mergedModes(['auto', 'daily', 'full', 'backfill'])).toEqual(['full']);
  });

  it('keeps a backfill left behind a webhook\'s CDC, after the CDC', () => {
    expect(mergedModes(['backfill', 'auto'])).toEqual(['auto', 'backfill']);
    expect(mergedModes(['backfill'])).toEqual(['backfill']);
  });

  it('runs the daily run before a CDC asked for meanwhile, and one CDC for many', () => {
    expect(mergedModes(['auto', 'daily', 'incremental', 'auto'])).toEqual(['daily', 'auto']);
    expect(mergedModes([])).toEqual([]);
  });
});
