import { playbookSettings } from '../../src/collections/settings';
import { TemplateEngine } from '../../src/mail/render-engine';
import { escalationOf } from '../../src/mail/merge-data';
import { MESSAGE_TEMPLATES, PERSONAL_TEMPLATES, sampleMergeData, type MergeData } from '../../src/mail/templates';

/** Threats of what follows an unpaid notice: a letter may make one only when the company's settings say it is real. */
const THREATS = /agency|small[- ]claims|court|costs?\b|fees?\b|interest|credit (standing|rating|score|bureau|report)|legal action|lawyer|attorney/i;

/**
 * Letters tell only the truth: the final notice threatens only the steps the company has set as
 * real (settings, off by default), and the verification letter works on paper: dated, with the
 * company's address and a way to answer that is not "reply to this email".
 */
describe('letters that tell only the truth', () => {
  const engine = new TemplateEngine();
  const withSettings = (settings: Record<string, unknown>, type: 'commercial' | 'personal' = 'commercial'): MergeData => ({ ...sampleMergeData(type), escalation: escalationOf(playbookSettings(settings)) });

  it('by default no escalation is set, and no shipped message threatens an agency, court, costs or credit damage', () => {
    expect(escalationOf(playbookSettings({}))).toEqual({ agency: null, smallClaims: false, charges: null, creditReporting: false, any: false });
    for (const name of MESSAGE_TEMPLATES) {
      for (const [part, out] of Object.entries(engine.render(name, withSettings({})))) expect([name, part, out.match(THREATS)?.[0]]).toEqual([name, part, undefined]);
    }
    for (const name of PERSONAL_TEMPLATES) {
      for (const [part, out] of Object.entries(engine.render(name, withSettings({}, 'personal')))) expect([name, part, out.match(THREATS)?.[0]]).toEqual([name, part, undefined]);
    }
    const notice = engine.render('final_notice', withSettings({})).text;
    expect(notice).toContain('by March 12, 2026, we will review the account for further action.');
    expect(engine.render('final_notice_personal', withSettings({}, 'personal')).text).toContain('by March 12, 2026. If neither happens by then, we will review your account to decide what to do next.');
  });

  it.each([
    ['final_notice', 'html'],
    ['final_notice', 'text'],
    ['final_notice_personal', 'html'],
    ['final_notice_personal', 'text'],
  ] as const)('%s names each configured step, and only those (%s)', (name, part) => {
    const type = name === 'final_notice' ? 'commercial' : 'personal';
    const agencyOnly = engine.render(name, withSettings({ collectionAgency: 'Keystone Recovery LLC' }, type))[part];
    expect(agencyOnly).toContain('refer the account to Keystone Recovery LLC, a collection agency;');
    expect(agencyOnly).not.toMatch(/small[- ]claims|credit bureaus|charges our terms allow/);
    const all = engine.render(name, withSettings({ collectionAgency: 'Keystone Recovery LLC', filesSmallClaims: true, collectionCharges: 'interest of 1.5% a month on overdue balances, as our terms state', reportsToCreditBureaus: true }, type))[part];
    for (const step of ['refer the account to Keystone Recovery LLC, a collection agency;', 'file a claim in small-claims court;', 'add the charges our terms allow: interest of 1.5% a month on overdue balances, as our terms state;', 'report the unpaid account to credit bureaus.']) expect(all).toContain(step);
    expect(all).not.toMatch(/review (the|your) account/);
  });

  it.each(['html', 'text'] as const)('the verification letter is dated and answerable on paper: no "reply to this email" (%s)', (part) => {
    const out = engine.render('verification', sampleMergeData())[part];
    expect(out).toContain('March 2, 2026');
    expect(out).not.toMatch(/reply to this (e-?mail|message)/i);
    expect(out).toContain('please tell us now, by writing to billing@northwind.test or by calling (555) 010-2000, so we can put it right');
    const printed = engine.renderLetter('verification', sampleMergeData());
    expect(printed.textAroundTable.join('\n')).toMatch(/^March 2, 2026\n/);
    expect(printed.html).not.toMatch(/reply to this/i);
  });
});
