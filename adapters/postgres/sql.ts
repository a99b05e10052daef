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
