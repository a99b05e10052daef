import { quoteTableWith } from '../sql/rows.js';

export { DEFAULT_COLUMNS, columnName, resolveColumns } from '../sql/rows.js';

/**
 * A plain or schema-qualified table name, quoted for SQL.
 * @example quoteTable('legacy.users', 'csv export') // '"legacy"."users"'
 */
export function quoteTable(table: string, where: string): string {
  return quoteTableWith(table, '"', where);
}

/**
 * A server error for output: the message only where it names the schema
 * (class 42: syntax, undefined table or column); elsewhere the SQLSTATE and a
 * fixed explanation, since data errors (class 22) and constraint errors (23)
 * quote the offending value.
 *
 * @example
 * ```ts
 * explainSqlState({ code: '22P02', message: 'invalid input syntax for type integer: "s3cret"' }) // 'invalid text for the column's type (SQLSTATE 22P02)'
 * ```
 */
export function explainSqlState(err: { code?: string; message?: string }): string {
  const code = err.code ?? '';
  if (code.startsWith('42')) return `${err.message} (SQLSTATE ${code})`;
  const classes: Record<string, string> = {
    '22': 'a value in the data cannot be read as the query asks (data exception)',
    '23': 'a row breaks a constraint',
    '25': 'the transaction state does not allow the statement (a read-only transaction refuses writes)',
    '53': 'the server is out of a resource (connections, memory, disk)',
    '57': 'the statement was cancelled or the server is shutting down',
    '08': 'the connection failed',
  };
  return `${classes[code.slice(0, 2)] ?? 'the server refused the statement'} (SQLSTATE ${code || 'unknown'})`;
}

export { isLocalHost } from '../sql/env.js';
