import PgClient from 'pg/lib/client.js';
import type pg from 'pg';
import type { ExportItem } from '../../src/csv/export.js';
import { quoteTable, resolveColumns } from './sql.js';
import { type PostgresColumns, toLegacyUser } from './store.js';

/** Options of {@link streamPostgresUsers}. */
export interface PostgresExportOptions {
  connection: string | pg.ClientConfig;
  /** Table, optionally schema-qualified (default `users`). */
  table?: string;
  columns?: Partial<PostgresColumns>;
  /** Your own SELECT instead of the table (no parameters). */
  query?: string;
  /** Rows per FETCH (default 5,000): memory stays flat however large the table. */
  batchSize?: number;
  /** Called once with the number of rows the export will read, counted in the export's own snapshot. */
  onCount?(total: number): void;
}

const WHERE = 'csv export';

/**
 * Streams every legacy user through a server-side cursor, in constant memory.
 * The login (cognito:username) is the `username` column. Everything, the
 * count included, runs in one read-only, repeatable-read transaction: a
 * `query` that would write fails, and the count matches the rows.
 *
 * @example
 * ```ts
 * for await (const { login, user } of streamPostgresUsers({ connection: process.env.DATABASE_URL!, table: 'legacy.users' })) …
 * ```
 */
export async function* streamPostgresUsers(options: PostgresExportOptions): AsyncGenerator<ExportItem> {
  const columns = resolveColumns(options.columns, WHERE);
  const sql = options.query ?? `SELECT * FROM ${quoteTable(options.table ?? 'users', WHERE)} ORDER BY "${columns.id}"`;
  const client = new PgClient(typeof options.connection === 'string' ? { connectionString: options.connection, application_name: 'cognito-migrate-export' } : options.connection);
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (options.onCount) {
      const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM (${sql}) AS q`);
      options.onCount(Number(rows[0].n));
    }
    await client.query(`DECLARE cognito_migrate_export NO SCROLL CURSOR FOR ${sql}`);
    const batch = options.batchSize ?? 5000;
    const fetch = () => client.query(`FETCH ${batch} FROM cognito_migrate_export`);
    // The next batch is on its way while this one is written out.
    let next = fetch();
    for (;;) {
      const { rows } = await next;
      const last = rows.length < batch;
      if (!last) next = fetch();
      for (const row of rows) yield { login: String(row[columns.username] ?? ''), user: toLegacyUser(row, columns) };
      if (last) break;
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
