import type { ConnectionOptions } from 'mysql2';
import type { ExportItem } from '../../src/csv/export.js';
import { type SqlColumns, rowToLegacyUser } from '../sql/rows.js';
import { BASE_OPTIONS } from './store.js';
import { quoteTable, resolveColumns } from './sql.js';

/** Options of {@link streamMysqlUsers}. */
export interface MysqlExportOptions {
  connection: string | ConnectionOptions;
  /** Table, optionally database-qualified (default `users`). */
  table?: string;
  columns?: Partial<SqlColumns>;
  /** Your own SELECT instead of the table (no parameters). */
  query?: string;
  /** Called once with the number of rows the export will read, counted in the export's own snapshot. */
  onCount?(total: number): void;
}

/**
 * Streams every legacy user from MySQL or MariaDB for `csv export`, row by
 * row from the server (constant memory), in one read-only, consistent-snapshot
 * transaction: a `query` that would write fails, and the count matches the rows.
 *
 * @example
 * ```ts
 * for await (const { login, user } of streamMysqlUsers({ connection: 'mysql://app@db/legacy', table: 'users' })) …
 * ```
 */
export async function* streamMysqlUsers(options: MysqlExportOptions): AsyncGenerator<ExportItem> {
  const columns = resolveColumns(options.columns, 'csv export');
  const sql = options.query ?? `SELECT * FROM ${quoteTable(options.table ?? 'users', 'csv export')} ORDER BY \`${columns.id}\``;
  const mysql = await import('mysql2');
  // A CommonJS module: bundlers put its exports under default, Node also as named ones.
  const create = mysql.createConnection ?? (mysql as unknown as { default: typeof mysql }).default.createConnection;
  const conn = create({ ...BASE_OPTIONS, ...(typeof options.connection === 'string' ? { uri: options.connection.replace(/^mariadb:/, 'mysql:') } : options.connection) } as ConnectionOptions);
  const promised = conn.promise();
  try {
    await promised.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await promised.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    if (options.onCount) {
      const [rows] = await promised.query(`SELECT COUNT(*) AS n FROM (${sql}) AS q`);
      options.onCount(Number((rows as Array<{ n: unknown }>)[0]!.n));
    }
    // The non-promise query streams rows as the server sends them.
    for await (const row of conn.query(sql).stream() as AsyncIterable<Record<string, unknown>>) {
      yield { login: String(row[columns.username] ?? ''), user: rowToLegacyUser(row, columns) };
    }
    await promised.query('COMMIT');
  } finally {
    await promised.end().catch(() => conn.destroy());
  }
}
