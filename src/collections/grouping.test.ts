import fc from 'fast-check';
import { addTo, groupBy } from './grouping';

describe('grouping', () => {
  it('adds to a group in place, starting it when there is none', () => {
    const groups = new Map<string, number[]>();
    addTo(groups, 'a', 1);
    const first = groups.get('a');
    addTo(groups, 'a', 2);
    addTo(groups, 'b', 3);
    expect(groups.get('a')).toBe(first);
    expect([...groups]).toEqual([['a', [1, 2]], ['b', [3]]]);
  });

  it('keeps every row once, in order within its group, groups in the order first met', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('x', 'y', 'z'), fc.integer())), (rows) => {
        const groups = groupBy(rows, ([key]) => key);
        expect([...groups.keys()]).toEqual([...new Set(rows.map(([key]) => key))]);
        for (const [key, members] of groups) expect(members).toEqual(rows.filter(([k]) => k === key));
      }),
    );
  });
});
