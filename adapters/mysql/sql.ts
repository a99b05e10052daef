// MySQL/MariaDB SQL pieces: quoting, the lookup of each mode, and errors
// made safe to print.
import { quoteTableWith, type SqlColumns } from '../sql/rows.js';
import type { LookupQuery } from '../../src/types.js';

export { DEFAULT_COLUMNS, columnName, resolveColumns } from '../sql/rows.js';

/**
 * A plain or schema-qualified table name, quoted with backticks.
 * @example quoteTable('legacy.users', 'csv export') // '`legacy`.`users`'
 */
export function quoteTable(table: string, where: string): string {
  return quoteTableWith(table, '`', where);
}

/** How a lookup column compares as it is: its collation folds case (`_ci`) or not. */
export type Collations = ReadonlyMap<string, string>;

/** One probe of a lookup: the column it searches, its condition, and whether an index on the column serves it. */
export interface MysqlProbe {
  column: string;
  condition: string;
  /** How many `?` the condition holds (each gets the login). */
  params: number;
  /** False when only a scan can answer it (a case-insensitive lookup on a case-sensitive collation). */
  indexable: boolean;
}

/** The lookup statement of a mode: its SQL, how many `?` it takes, and its probes. */
export interface MysqlLookupPlan {
  sql: string;
  params: number;
  probes: MysqlProbe[];
}

const folds = (collation: string | undefined) => collation === undefined || /_ci$/i.test(collation);

/**
 * The SQL for one lookup mode. MySQL's usual collations compare case- and
 * accent-insensitively and ignore trailing spaces (`'Ada ' = 'ada'`), so every
 * probe lets the index narrow the rows with the column's own comparison, then
 * keeps only the rows whose bytes match exactly (or, case-insensitively,
 * whose lower-cased bytes do): "Ada" never signs in as "Ádá" or "ada ".
 * Matching emails too is two probes joined on the id, never an `OR`. It reads
 * at most two rows: a second one makes the login ambiguous, whichever it is.
 *
 * @example
 * ```ts
 * lookupPlan('`legacy`.`users`', columns, { matchEmail: true, caseInsensitive: true }, new Map()).sql
 * ```
 */
export function lookupPlan(quotedTable: string, columns: SqlColumns, mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, collations: Collations): MysqlLookupPlan {
  const probe = (column: string): MysqlProbe => {
    const q = `\`${column}\``;
    const ci = folds(collations.get(column));
    if (!mode.caseInsensitive) return { column, condition: `${q} = ? AND CAST(${q} AS BINARY) = CAST(? AS BINARY)`, params: 2, indexable: true };
    const exact = `CAST(LOWER(${q}) AS BINARY) = CAST(LOWER(?) AS BINARY)`;
    return ci ? { column, condition: `${q} = ? AND ${exact}`, params: 2, indexable: true } : { column, condition: exact, params: 1, indexable: false };
  };
  const probes = [probe(columns.username), ...(mode.matchEmail ? [probe(columns.email)] : [])];
  const params = probes.reduce((n, p) => n + p.params, 0);
  if (probes.length === 1) return { probes, params, sql: `SELECT * FROM ${quotedTable} WHERE ${probes[0]!.condition} LIMIT 2` };
  const id = `\`${columns.id}\``;
  // Joined to a derived table, not `id IN (… UNION …)`: MySQL runs that as a dependent subquery over a scan of the whole table.
  const union = probes.map((p, i) => `SELECT ${id} FROM (SELECT ${id} FROM ${quotedTable} WHERE ${p.condition} LIMIT 2) AS p${i}`).join(' UNION ');
  return { probes, params, sql: `SELECT \`u\`.* FROM ${quotedTable} AS \`u\` JOIN (${union}) AS \`m\` ON \`u\`.${id} = \`m\`.${id} LIMIT 2` };
}

/** A MySQL driver error: a server error has an SQLSTATE and an errno. */
export interface MysqlError { name?: string; code?: string; errno?: number; sqlState?: string; sqlMessage?: string; message?: string; fatal?: boolean }

/**
 * True for an error the server raised about a statement (the connection is fine).
 * @example isServerError({ code: 'ER_NO_SUCH_TABLE', errno: 1146, sqlState: '42S02' }) // true
 */
export const isServerError = (err: unknown): boolean => typeof (err as MysqlError)?.sqlState === 'string' && typeof (err as MysqlError)?.errno === 'number';

// Errors whose text names only schema objects (tables, columns, databases, privileges on them).
const SCHEMA_ERRORS = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_DB_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR']);

/**
 * A server error for output: its text only where it names the schema;
 * elsewhere the error code and a fixed explanation, since data errors and
 * duplicate-key errors quote the offending value.
 *
 * @example
 * ```ts
 * explainMysqlError({ code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000', sqlMessage: "Duplicate entry 's3cret' for key 'PRIMARY'" })
 * // 'a row breaks a constraint (ER_DUP_ENTRY, SQLSTATE 23000)'
 * ```
 */
export function explainMysqlError(err: MysqlError): string {
  const code = err.code ?? 'unknown';
  if (SCHEMA_ERRORS.has(code)) return `${err.sqlMessage ?? err.message} (${code})`;
  const classes: Record<string, string> = {
    '22': 'a value in the data cannot be read as the query asks (data exception)',
    '23': 'a row breaks a constraint',
    '25': 'the transaction state does not allow the statement (a read-only transaction refuses writes)',
    '42': 'the statement is not valid SQL for this server, or names something that does not exist',
    '08': 'the connection failed',
    HY: 'the server refused the statement',
  };
  return `${classes[(err.sqlState ?? '').slice(0, 2)] ?? 'the server refused the statement'} (${code}, SQLSTATE ${err.sqlState ?? 'unknown'})`;
}

/**
 * The statements that index the identities on MySQL and MariaDB, where no
 * index can serve JSON_CONTAINS over an array: a side table of (provider,
 * subject, row id), unique, keyed for the lookup; three triggers that keep it
 * as the users table changes (an UPDATE that leaves the id and the
 * identities alone costs nothing more); and the backfill. JSON that is not
 * valid, entries without both strings, a provider over 64 or a subject over
 * 255 characters are left out, never an error that would fail the write to
 * the users table.
 * @example identitySideTableSql('`legacy`.`users`', 'users', 'users_cm_identities', { id: 'id', identities: 'identities' }, 'bigint(20)')
 */
export function identitySideTableSql(quotedTable: string, tableName: string, sideName: string, columns: { id: string; identities: string }, idType: string): { sideTable: string; create: string[]; backfill: string } {
  const dot = quotedTable.lastIndexOf('`.`');
  const schema = dot >= 0 ? quotedTable.slice(0, dot + 2) : '';
  const side = `${schema}\`${sideName}\``;
  const trigger = (suffix: string) => `${schema}\`${`${tableName}_cm_identities_${suffix}`.slice(0, 64)}\``;
  const id = `\`${columns.id}\``;
  const ids = `\`${columns.identities}\``;
  const entries = (row: string, from = '') => `SELECT ${row}.${id}, j.provider, j.sub FROM ${from}JSON_TABLE(IF(JSON_VALID(${row}.${ids}), ${row}.${ids}, '[]'), '$[*]' COLUMNS (provider VARCHAR(2048) PATH '$.provider', sub VARCHAR(2048) PATH '$.sub')) j WHERE j.provider IS NOT NULL AND j.sub IS NOT NULL AND CHAR_LENGTH(j.provider) BETWEEN 1 AND 64 AND CHAR_LENGTH(j.sub) BETWEEN 1 AND 255`;
  const insert = (row: string) => `INSERT IGNORE INTO ${side} (row_id, provider, sub) ${entries(row)}`;
  return {
    sideTable: side,
    create: [
      `CREATE TABLE IF NOT EXISTS ${side} (row_id ${idType} NOT NULL, provider VARCHAR(64) NOT NULL, sub VARCHAR(255) NOT NULL, UNIQUE KEY cm_identity (provider, sub, row_id), KEY cm_row (row_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      `DROP TRIGGER IF EXISTS ${trigger('ai')}`,
      `CREATE TRIGGER ${trigger('ai')} AFTER INSERT ON ${quotedTable} FOR EACH ROW ${insert('NEW')}`,
      `DROP TRIGGER IF EXISTS ${trigger('au')}`,
      `CREATE TRIGGER ${trigger('au')} AFTER UPDATE ON ${quotedTable} FOR EACH ROW BEGIN IF NOT (OLD.${id} <=> NEW.${id}) OR NOT (OLD.${ids} <=> NEW.${ids}) THEN DELETE FROM ${side} WHERE row_id = OLD.${id}; ${insert('NEW')}; END IF; END`,
      `DROP TRIGGER IF EXISTS ${trigger('ad')}`,
      `CREATE TRIGGER ${trigger('ad')} AFTER DELETE ON ${quotedTable} FOR EACH ROW DELETE FROM ${side} WHERE row_id = OLD.${id}`,
    ],
    // The triggers first, so no write in between is missed; INSERT IGNORE, so one made twice counts once.
    backfill: `INSERT IGNORE INTO ${side} (row_id, provider, sub) ${entries('u', `${quotedTable} u, `)}`,
  };
}
