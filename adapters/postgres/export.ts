import PgClient from 'pg/lib/client.js';
import type pg from 'pg';
import { ConfigurationError } from '../../src/errors.js';
import type { ExportItem } from '../../src/csv/export.js';
import { DEFAULT_COLUMNS, type PostgresColumns, toLegacyUser } from './store.js';

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
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * Streams every legacy user through a server-side cursor, in constant memory.
 * The login (cognito:username) is the `username` column.
 *
 * @example
 * ```ts
 * for await (const { login, user } of streamPostgresUsers({ connection: process.env.DATABASE_URL!, table: 'legacy.users' })) …
 * ```
 */
export async function* streamPostgresUsers(options: PostgresExportOptions): AsyncGenerator<ExportItem> {
  const columns: PostgresColumns = { ...DEFAULT_COLUMNS, ...options.columns };
  const table = options.table ?? 'users';
  if (!options.query && !table.split('.').every((p) => IDENTIFIER.test(p))) {
    throw new ConfigurationError('table', `table "${table}" is not a plain or schema-qualified SQL identifier`, 'Example: legacy.users.');
  }
  for (const [key, name] of Object.entries(columns)) {
    if (!IDENTIFIER.test(name)) throw new ConfigurationError(`columns.${key}`, `column name "${name}" is not a plain SQL identifier`, 'Use letters, digits and underscores.');
  }
  const sql = options.query ?? `SELECT * FROM ${table.split('.').map((p) => `"${p}"`).join('.')} ORDER BY "${columns.id}"`;
  const client = new PgClient(typeof options.connection === 'string' ? { connectionString: options.connection, application_name: 'cognito-migrate-export' } : options.connection);
  await client.connect();
  try {
    await client.query('BEGIN READ ONLY');
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

/**
 * Counts the rows an export will read (for the progress bar).
 *
 * @example
 * ```ts
 * const total = await countPostgresUsers({ connection: url, table: 'legacy.users' })
 * ```
 */
export async function countPostgresUsers(options: PostgresExportOptions): Promise<number> {
  const client = new PgClient(typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection);
  await client.connect();
  try {
    const sql = options.query ? `SELECT count(*)::bigint AS n FROM (${options.query}) AS q` : `SELECT count(*)::bigint AS n FROM ${(options.table ?? 'users').split('.').map((p) => `"${p}"`).join('.')}`;
    const { rows } = await client.query(sql);
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}
