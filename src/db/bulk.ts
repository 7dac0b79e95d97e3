import { sql, type RawBuilder } from 'kysely';

/**
 * Set-based writes for large batches. Rows travel as one JSON parameter per chunk and are
 * unpacked by `jsonb_to_recordset`, so a statement never meets PostgreSQL's 65,535-parameter
 * limit and works alike on PostgreSQL and PGlite.
 */
export const BULK_CHUNK = 5000;

export function chunks<T>(rows: T[], size = BULK_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** `jsonb_to_recordset($rows) as alias(col type, ...)`, for use in FROM and USING clauses. */
export function recordset(rows: unknown[], alias: string, columns: Record<string, string>): RawBuilder<unknown> {
  const definition = Object.entries(columns)
    .map(([name, type]) => `"${name}" ${type}`)
    .join(', ');
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as ${sql.raw(`${alias}(${definition})`)}`;
}

/** Runs `statement` once per chunk of rows and concatenates what each returns. */
export async function perChunk<T, R>(rows: T[], statement: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const results: R[] = [];
  for (const chunk of chunks(rows)) results.push(...(await statement(chunk)));
  return results;
}
