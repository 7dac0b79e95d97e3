import { TemplateEngine } from './render-engine';
import { sampleMergeData, type MergeData } from './templates';

/** A letter states only what the record holds: calls and messages named only when recorded. */
describe('what letters claim', () => {
  const engine = new TemplateEngine();
  const withHistory = (history: MergeData['history']): MergeData => ({ ...sampleMergeData(), history });
  const none = { writtenOn: [], calledOn: [], spokeOn: [] };

  it.each(['demand_letter', 'final_notice', 'second_notice', 'demand_letter_personal', 'final_notice_personal', 'second_notice_personal'] as const)('%s claims no call and no earlier letter when none is recorded', (name) => {
    for (const part of Object.values(engine.render(name, withHistory(none)))) {
      expect(part).not.toMatch(/call(ed)? you|tried to call|spoke with you|we have written|we wrote|earlier reminders/i);
    }
  });

  it.each(['demand_letter_personal', 'final_notice_personal'] as const)('%s names the recorded call days, and "we have written" only after a message', (name) => {
    const out = engine.render(name, withHistory({ writtenOn: ['2026-02-17'], calledOn: ['2026-03-04'], spokeOn: [] })).text;
    expect(out).toContain('We have written to you about the invoices below; we tried to call you on March 4, 2026.');
    expect(engine.render(name, withHistory({ writtenOn: [], calledOn: ['2026-03-04'], spokeOn: [] })).text).not.toMatch(/we have written/i);
  });

  it.each(['html', 'text'] as const)('the demand letter names the recorded call days (%s)', (part) => {
    const out = engine.render('demand_letter', withHistory({ writtenOn: ['2026-02-17'], calledOn: ['2026-03-04', '2026-03-11'], spokeOn: [] }))[part];
    expect(out).toContain('We have written to you about the invoices below; we tried to call you on March 4, 2026 and March 11, 2026.');
    const three = engine.render('demand_letter', withHistory({ writtenOn: [], calledOn: ['2026-03-02', '2026-03-04', '2026-03-11'], spokeOn: [] }))[part];
    expect(three).toContain('The invoices below are overdue; we tried to call you on March 2, 2026, March 4, 2026 and March 11, 2026.');
  });

  it('the final notice says "we have written" only after a message, and names calls that reached someone apart', () => {
    const called = engine.render('final_notice', withHistory({ writtenOn: [], calledOn: [], spokeOn: ['2026-03-05'] })).text;
    expect(called).toContain('The invoices below are long overdue; we spoke with you on March 5, 2026.');
    expect(called).not.toMatch(/we have written/i);
    const both = engine.render('final_notice', withHistory({ writtenOn: ['2026-03-01'], calledOn: ['2026-03-04'], spokeOn: [] })).text;
    expect(both).toContain('We have written to you about the invoices below; we tried to call you on March 4, 2026.');
  });

  it('the overdue statement tells it as the record shows, never "perhaps it is already on its way"', () => {
    const out = engine.render('overdue_statement', sampleMergeData());
    expect(out.text).toContain('Our records show these invoices are past due');
    expect(out.subject).toBe('Statement of overdue invoices: $4,210.00 past due with Northwind Supply Co.');
    for (const part of Object.values(out)) expect(part).not.toMatch(/perhaps|on its way|friendly/i);
  });

  it('one verification letter names each of several new invoices', () => {
    const out = engine.render('verification', sampleMergeData());
    expect(out.subject).toBe('Your 2 new invoices from Northwind Supply Co.: is everything as you ordered?');
    expect(out.text).toContain('Here are copies of your 2 new invoices, $4,210.00 in all.');
    expect(out.text).toMatch(/1043[\s\S]*1057/);
    const one = engine.render('verification', { ...sampleMergeData(), invoices: sampleMergeData().invoices.slice(0, 1), total: 250_000 });
    expect(one.text).toContain('Here is a copy of invoice 1043, dated January 15, 2026, for $2,500.00.');
  });
});
