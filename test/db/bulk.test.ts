import { sql } from 'kysely';
import { arrayLiteral, unnested } from '../../src/db/bulk';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/database';

const AWKWARD = ['plain', '', 'null', 'NULL', 'a "quoted" word', 'back\\slash', '\\"', 'comma, {brace} and space ', 'café ☕ 𝄞', 'line\nbreak', 'tab\there'];

describe.each(ENGINES)('rows as arrays (unnest) on %s', (engine) => {
  let test: TestDatabase;
  beforeAll(async () => (test = await createTestDatabase(engine)));
  afterAll(() => test.destroy());

  it('reads back every string, integer and null as it was sent, as a literal or as the driver serializes it', async () => {
    for (const texts of [AWKWARD.slice(0, 9), AWKWARD]) {
      const rows = [...texts.map((text, n) => ({ text, n: n - 4 })), { text: null, n: null }];
      const result = await sql<{ text: string | null; n: number | null }>`select * from ${unnested(rows, 'r', { text: 'text', n: 'int' })}`.execute(test.db);
      expect(result.rows).toEqual(rows);
    }
    expect(typeof arrayLiteral(AWKWARD.slice(0, 9))).toBe('string');
    expect(Array.isArray(arrayLiteral(AWKWARD))).toBe(true); // control characters: the driver's serializer
    expect((await sql<{ n: number }>`select count(*)::int as n from ${unnested([] as Array<{ id: string }>, 'r', { id: 'text' })}`.execute(test.db)).rows).toEqual([{ n: 0 }]);
  });
});
