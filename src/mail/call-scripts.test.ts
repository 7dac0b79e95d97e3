import { unconfiguredPromises } from '../collections/escalation-claims';
import { playbookSettings } from '../collections/settings';
import { TemplateEngine } from './render-engine';
import { escalationOf } from './merge-data';
import { CALL_SCRIPTS, PERSONAL_CALL_SCRIPTS, sampleMergeData, type TemplateName } from './templates';

const LEVELS = [1, 2, 3, 4] as const;
const PARTS = ['OPEN: "', 'ASK, THEN STOP TALKING: "', 'CLOSE: "', 'VOICEMAIL: "'];
const HEADINGS = ['<h3>Open</h3>', '<h3>Ask, then stop talking</h3>', '<h3>Close</h3>', '<h3>Voicemail</h3>'];

/** A script for each level and each customer type, each with an opening, the ask, a closing and a voicemail line. */
describe('call scripts per level and customer type', () => {
  const engine = new TemplateEngine();
  const scripts = LEVELS.flatMap((level) => (['commercial', 'personal'] as const).map((type) => ({ level, type, name: `call_script_level_${level}${type === 'personal' ? '_personal' : ''}` as TemplateName })));
  const render = (name: TemplateName, type: 'commercial' | 'personal') => engine.render(name, sampleMergeData(type));
  /** The line of a part in the plain-text script. */
  const lineOf = (text: string, part: string) => text.split('\n').find((line) => line.startsWith(part)) ?? '';

  it('there is one for each level and type', () => {
    expect(PERSONAL_CALL_SCRIPTS).toEqual(LEVELS.map((level) => `call_script_level_${level}_personal`));
    expect(CALL_SCRIPTS.slice(0, 4)).toEqual(LEVELS.map((level) => `call_script_level_${level}`));
  });

  it.each(scripts)('level $level, $type: an opening, the ask, a closing and a voicemail line, in text and HTML', ({ name, type }) => {
    const out = render(name, type);
    for (const part of PARTS) expect([part, lineOf(out.text, part).length > part.length + 20]).toEqual([part, true]);
    for (const heading of HEADINGS) expect(out.html).toContain(heading);
  });

  it('no two scripts ask, close or leave a voicemail alike', () => {
    for (const part of ['ASK, THEN STOP TALKING: "', 'CLOSE: "']) {
      const lines = scripts.map(({ name, type }) => lineOf(render(name, type).text, part));
      expect(new Set(lines).size).toBe(scripts.length);
    }
    const voicemails = new Set(scripts.map(({ name, type }) => lineOf(render(name, type).text, 'VOICEMAIL: "')));
    expect(voicemails.size).toBe(2); // one for a business, one that tells a person's household nothing
  });

  it('a personal voicemail says nothing of the debt; a business one names the invoices', () => {
    const personal = lineOf(render('call_script_level_2_personal', 'personal').text, 'VOICEMAIL: "');
    expect(personal).toContain('with a message for Dana Whitfield. Please call me back at (555) 010-2044.');
    expect(personal.replace(/\(Say nothing.*$/, '')).not.toMatch(/\$|invoice|overdue|owe/i);
    expect(lineOf(render('call_script_level_2', 'commercial').text, 'VOICEMAIL: "')).toContain('calling about 2 invoices, $4,210.00 in all.');
    expect(render('call_script_level_1_personal', 'personal').text).toContain('mark them "do not contact" on their customer page');
  });

  it('level 4 names only the configured next steps, else the review', () => {
    for (const { name, type } of scripts) expect([name, unconfiguredPromises(render(name, type).text, playbookSettings({}))]).toEqual([name, []]);
    const plain = render('call_script_level_4', 'commercial').text;
    expect(plain).toContain('the account will be reviewed for further action');
    const agency = engine.render('call_script_level_4_personal', { ...sampleMergeData('personal'), escalation: escalationOf(playbookSettings({ collectionAgency: 'Keystone Recovery LLC' })) }).text;
    expect(agency).toContain('referral to Keystone Recovery LLC, a collection agency; nothing else');
    expect(agency).not.toMatch(/small-claims|credit bureaus/);
  });
});
