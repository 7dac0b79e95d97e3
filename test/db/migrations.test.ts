import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { migrations } from '../../src/db/migrations';
import { createPostgresDatabase, ENGINES, createTestDatabase } from '../support/database';

describe.each(ENGINES)('migrations on %s', (engine) => {
  it('applies every migration once, then nothing on a second run', async () => {
    const test = await createTestDatabase(engine, { migrate: false });
    try {
      const first = await migrateToLatest(test.db);
      expect(first.applied).toEqual(Object.keys(migrations));
      const second = await migrateToLatest(test.db);
      expect(second.applied).toEqual([]);
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(test.db);
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['companies', 'company_members', 'company_tokens', 'users', 'web_sessions']),
      );
    } finally {
      await test.destroy();
    }
  });
});

describe('migrations on postgres from several processes at once', () => {
  it('serialise on the migration lock: each migration is applied exactly once', async () => {
    const created = await createPostgresDatabase();
    const handles = [0, 1, 2].map(() => openDatabase({ databaseUrl: created.url, dataDir: '/tmp' }, { poolSize: 2 }));
    try {
      const outcomes = await Promise.all(handles.map((db) => migrateToLatest(db)));
      const applied = outcomes.flatMap((o) => o.applied);
      expect(applied.sort()).toEqual(Object.keys(migrations).sort());
    } finally {
      await Promise.all(handles.map((db) => db.destroy()));
      await created.drop();
    }
  });
});
