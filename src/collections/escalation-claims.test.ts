import { unconfiguredInWords, unconfiguredPromises } from './escalation-claims';
import { playbookSettings } from './settings';

const none = playbookSettings({});

describe('what a letter may threaten', () => {
  it.each([
    ['an agency', 'If you do not pay, we will pass your account to a collection agency.', 'to pass the account to a collection agency'],
    ['court', 'We will take legal action without further notice.', 'to go to court (small claims or legal action)'],
    ['small claims', 'We will file in small-claims court.', 'to go to court (small claims or legal action)'],
    ['charges', 'Late fees will be added to your balance.', 'to add late fees, interest or collection costs'],
    ['credit', 'This may damage your credit rating.', 'to report the account to credit bureaus'],
  ])('refuses %s the settings do not name', (_label, text, promise) => {
    const [found] = unconfiguredPromises(`Dear Dana,\n${text}\nKind regards`, none);
    expect(found).toEqual(expect.objectContaining({ promise, quote: text }));
    expect(unconfiguredInWords(found!)).toContain(`it threatens ${promise} ("${text}"), but the company's settings do not say you do that.`);
  });

  it('allows each step the settings name, and ordinary words', () => {
    const all = playbookSettings({ collectionAgency: 'Keystone Recovery LLC', filesSmallClaims: true, collectionCharges: '1.5% a month', reportsToCreditBureaus: true });
    expect(unconfiguredPromises('We will refer the account to a collection agency, file in small-claims court, add late fees and report it to credit bureaus.', all)).toEqual([]);
    expect(unconfiguredPromises('We would rather agree a payment schedule. Thank you for your courteous reply; it is in your interest to call.', none)).toEqual([]);
  });

  it('names only the unconfigured steps', () => {
    const agency = playbookSettings({ collectionAgency: 'Keystone Recovery LLC' });
    expect(unconfiguredPromises('We will refer the account to an agency and report it to credit bureaus.', agency).map((f) => f.promise)).toEqual(['to report the account to credit bureaus']);
  });
});
