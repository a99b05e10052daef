import { ConfigurationError } from '../../src/errors.js';
import type { PostgresColumns } from './store.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** The defaults every PostgreSQL reader starts from. */
export const DEFAULT_COLUMNS: PostgresColumns = {
  id: 'id', username: 'username', email: 'email', passwordHash: 'password_hash', hashFormat: 'password_format', enabled: 'enabled', smsMfa: 'sms_mfa',
};

/**
 * Column names over the defaults, each checked to be a plain identifier (they are quoted into SQL).
 * @example resolveColumns({ username: 'login' }, 'createPostgresStore')
 */
export function resolveColumns(given: Partial<PostgresColumns> | undefined, where: string): PostgresColumns {
  const columns: PostgresColumns = { ...DEFAULT_COLUMNS, ...given };
  for (const [key, name] of Object.entries(columns)) {
    if (!IDENTIFIER.test(name)) {
      throw new ConfigurationError(`columns.${key}`, `${where}: column name "${name}" for "${key}" is not a plain SQL identifier`, 'Use letters, digits and underscores; quote-worthy names are not supported.');
    }
  }
  return columns;
}

/**
 * A column name checked to be a plain identifier (it is quoted into SQL).
 * @example columnName('migrated_at', 'markMigrated.column', 'createPostgresStore') // 'migrated_at'
 */
export function columnName(name: unknown, setting: string, where: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ConfigurationError(setting, `${where}: "${setting}" must be a plain SQL column name`, 'Use letters, digits and underscores, e.g. migrated_at.');
  }
  return name;
}

/**
 * A plain or schema-qualified table name, quoted for SQL.
 * @example quoteTable('legacy.users', 'csv export') // '"legacy"."users"'
 */
export function quoteTable(table: string, where: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new ConfigurationError('table', `${where}: table "${table}" is not a plain or schema-qualified SQL identifier`, 'Example: table: "users" or "legacy.users".');
  }
  return parts.map((p) => `"${p}"`).join('.');
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

/**
 * Loopback and Unix-socket hosts, where no TLS is the sensible default.
 * @example isLocalHost('127.0.0.1') // true
 */
export function isLocalHost(host: string | undefined): boolean {
  if (!host) return true;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.startsWith('/');
}
