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
