// What every SQL store shares: which columns hold what, how their names are
// checked before they are quoted into SQL, how a row becomes a legacy user,
// and the statements that write to a row (the ledger, the guessing limit, the
// TOTP step). The self-check's statements are in checks.ts.
import { rejectUnknownKeys } from '../../src/config.js';
import { AuthenticationFailedError, ConfigurationError } from '../../src/errors.js';
import { applyEnabled, parseFlag } from '../../src/flags.js';
import { parseRoles } from '../../src/roles.js';
import { checked } from '../../src/settings.js';
import { sqlSettings } from './settings.js';
import type { AccountLink, AttemptRetry, LegacyUser, LegacyValue, LinkResult, LookupQuery, StoreContext } from '../../src/types.js';

/** Which columns hold what. Only `username`, `email` and `passwordHash` are needed to build the query. */
export interface SqlColumns {
  /** Legacy primary key (default `id`). */
  id: string;
  /** Login name (default `username`). */
  username: string;
  /** Email, used when the handler's `matchEmail` is on (default `email`). */
  email: string;
  /** The stored hash (default `password_hash`). Never copied into attributes. */
  passwordHash: string;
  /** Optional column naming the hash format when the hash alone does not (default `password_format`). */
  hashFormat: string;
  /** Optional boolean column; `false` refuses the user (default `enabled`). */
  enabled: string;
  /** Optional boolean column: the legacy account used SMS MFA (default `sms_mfa`). */
  smsMfa: string;
  /** The guessing limit's count of failed sign-ins (an integer column; none by default: no limit). */
  failedAttempts?: string;
  /** The guessing limit's lock: a timestamp until which the row signs in with no password (none by default). */
  lockedUntil?: string;
  /**
   * The retry key of the row's last attempt (a text column; none by default):
   * a keyed MAC of that sign-in's request, so that Cognito's retry of one
   * request, which carries nothing else to tell it by, counts once. Needs the
   * guessing limit's two columns and a link key.
   */
  attemptKey?: string;
  /**
   * The legacy authenticator's TOTP secret (a text column; none by default):
   * a row with one migrates only with its current code (src/totp.ts). Never a
   * field, never an attribute.
   */
  totpSecret?: string;
  /** The last TOTP time step accepted (an integer column; none by default): a code is never accepted twice. */
  totpLastStep?: string;
  /** Per-row TOTP parameters, where rows differ (default: the TOTP_* settings). */
  totpAlgorithm?: string;
  totpDigits?: string;
  totpPeriod?: string;
  /**
   * Social and enterprise identities (a jsonb, JSON or JSON text column; none
   * by default): `[{"provider": "Google", "sub": "…"}]`, as `stage` writes
   * them. `PG_IDENTITIES_COLUMN` / `MYSQL_IDENTITIES_COLUMN` set it.
   */
  identities?: string;
  /**
   * MySQL and MariaDB: the side table `db index` makes beside the users
   * table to index the identities (`<table>_cm_identities`, kept by
   * triggers; `MYSQL_IDENTITIES_TABLE` sets it). No index can serve a
   * JSON_CONTAINS over an array on MariaDB; with it, the lookup is a join
   * on an index. PostgreSQL needs none (a GIN index serves the column).
   */
  identitiesTable?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * The defaults every SQL reader starts from.
 * @example rowToLegacyUser(row, DEFAULT_COLUMNS)
 */
export const DEFAULT_COLUMNS: SqlColumns = {
  id: 'id', username: 'username', email: 'email', passwordHash: 'password_hash', hashFormat: 'password_format', enabled: 'enabled', smsMfa: 'sms_mfa',
};

/**
 * Column names over the defaults, each checked to be a plain identifier (they are quoted into SQL).
 * @example resolveColumns({ username: 'login' }, 'createPostgresStore')
 */
export function resolveColumns(given: Partial<SqlColumns> | undefined, where: string): SqlColumns {
  const columns: SqlColumns = { ...DEFAULT_COLUMNS, ...given };
  if (Boolean(columns.failedAttempts) !== Boolean(columns.lockedUntil)) {
    throw new ConfigurationError('columns.lockedUntil', `${where}: the guessing limit needs both columns, "failedAttempts" and "lockedUntil"`, 'Name both, e.g. {"failedAttempts":"failed_attempts","lockedUntil":"locked_until"}, or neither.');
  }
  if (columns.attemptKey && !columns.failedAttempts) {
    throw new ConfigurationError('columns.attemptKey', `${where}: "attemptKey" keeps Cognito's retries of one attempt to one count, so it needs the guessing limit's columns`, 'Name "failedAttempts" and "lockedUntil" too, or leave "attemptKey" out.');
  }
  if ((columns.totpLastStep || columns.totpAlgorithm || columns.totpDigits || columns.totpPeriod) && !columns.totpSecret) {
    throw new ConfigurationError('columns.totpSecret', `${where}: the TOTP columns need "totpSecret", the column of the secret itself`, 'Name "totpSecret" too, e.g. {"totpSecret":"otp_secret","totpLastStep":"otp_last_step"}, or leave the TOTP columns out.');
  }
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
 * A plain or schema-qualified table name, each part checked and wrapped in the dialect's quote.
 * @example quoteTableWith('legacy.users', '`', 'createMysqlStore') // '`legacy`.`users`'
 */
export function quoteTableWith(table: string, quote: '"' | '`', where: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new ConfigurationError('table', `${where}: table "${table}" is not a plain or schema-qualified SQL identifier`, 'Example: table: "users" or "legacy.users".');
  }
  return parts.map((p) => `${quote}${p}${quote}`).join('.');
}

/**
 * A row as a legacy user: the hash column never lands in `fields`.
 * @example rowToLegacyUser({ id: 1, username: 'ada', password_hash: '$2b$…' }, DEFAULT_COLUMNS)
 */
export function rowToLegacyUser(row: Record<string, unknown>, columns: SqlColumns, subColumn?: string): LegacyUser {
  return legacyUserReader(Object.keys(row), columns, subColumn)(Object.values(row));
}

/**
 * Reads rows of known columns, given as values in the columns' order, as
 * legacy users: what {@link rowToLegacyUser} does, with the column lookups
 * done once (csv export reads every user through here).
 * @example const read = legacyUserReader(['id', 'username', 'password_hash'], DEFAULT_COLUMNS); read([1, 'ada', '$2b$…'])
 */
export function legacyUserReader(names: readonly string[], columns: SqlColumns, subColumn?: string): (values: readonly unknown[]) => LegacyUser {
  // The last of repeated names wins, as in an object built from the row; one pass, as the sign-in path reads each row through here.
  const last = new Map<string, number>();
  const totpColumns = new Set([columns.totpSecret, columns.totpLastStep, columns.totpAlgorithm, columns.totpDigits, columns.totpPeriod].filter((c): c is string => Boolean(c)));
  names.forEach((name, i) => last.set(name, i));
  const at = (name: string) => last.get(name) ?? -1;
  const fieldNames: string[] = [];
  const fieldIndexes: number[] = [];
  for (const [name, i] of last) {
    // `__proto__` would set the prototype of `fields`, not a field.
    // The attempt key is a MAC of a password attempt: like the hash, never a field an attribute could carry.
    // The TOTP secret likewise, and the columns that go with it, which are read into `totp`.
    if (name !== columns.passwordHash && name !== columns.attemptKey && name !== '__proto__' && !totpColumns.has(name)) { fieldNames.push(name); fieldIndexes.push(i); }
  }
  const totpAt = columns.totpSecret ? at(columns.totpSecret) : -1;
  const identitiesAt = columns.identities ? at(columns.identities) : -1;
  const totpPart = (['totpAlgorithm', 'totpDigits', 'totpPeriod', 'totpLastStep'] as const).map((k) => [k, columns[k] ? at(columns[k]!) : -1] as const);
  const id = at(columns.id);
  const username = at(columns.username);
  const hashAt = at(columns.passwordHash);
  const formatAt = at(columns.hashFormat);
  const enabledAt = at(columns.enabled);
  const smsMfaAt = at(columns.smsMfa);
  const subAt = subColumn ? at(subColumn) : -1;
  const lockAt = columns.lockedUntil ? at(columns.lockedUntil) : -1;
  const enabledField = `column "${columns.enabled}"`;
  return (values) => {
    const fields: Record<string, LegacyValue> = {};
    for (let f = 0; f < fieldNames.length; f++) fields[fieldNames[f]!] = legacyValue(values[fieldIndexes[f]!]);
    const user: LegacyUser = { id: String((id >= 0 ? values[id] : undefined) ?? (username >= 0 ? values[username] : undefined)), fields };
    const hash = hashAt >= 0 ? values[hashAt] : undefined;
    const format = formatAt >= 0 ? values[formatAt] : undefined;
    if (typeof hash === 'string' && hash.length > 0) user.passwordHash = hash;
    if (typeof format === 'string' && format.length > 0) user.hashFormat = format;
    // Fails closed: smallint 0, 'f', 'no', NULL and anything unreadable all refuse.
    if (enabledAt >= 0) applyEnabled(user, values[enabledAt], enabledField);
    if (smsMfaAt >= 0) user.smsMfa = parseFlag(values[smsMfaAt]) === true;
    const sub = subAt >= 0 ? legacyValue(values[subAt]) : undefined;
    // Any non-blank value is a link: an unreadable one still refuses rather than migrating twice.
    if (sub !== undefined && String(sub).trim() !== '') user.cognitoSub = String(sub);
    if (identitiesAt >= 0) {
      const list = parseIdentities(values[identitiesAt]);
      if (list.length) user.identities = list;
    }
    const secret = totpAt >= 0 ? values[totpAt] : undefined;
    if (secret !== null && secret !== undefined && String(secret).trim() !== '') {
      const totp: NonNullable<LegacyUser['totp']> = { secret: Buffer.isBuffer(secret) ? secret.toString('utf8') : String(secret) };
      for (const [key, index] of totpPart) {
        const v = index >= 0 ? values[index] : undefined;
        if (v === null || v === undefined || v === '') continue;
        if (key === 'totpAlgorithm') totp.algorithm = String(v);
        // An unreadable number stays NaN: the check then refuses the row rather than guessing.
        else if (key === 'totpDigits') totp.digits = Number(v);
        else if (key === 'totpPeriod') totp.period = Number(v);
        else totp.lastStep = Number(v);
      }
      user.totp = totp;
    }
    if (lockAt >= 0) {
      const lock = values[lockAt];
      const until = lock instanceof Date ? lock.getTime() : lock === null || lock === undefined ? undefined : Date.parse(String(lock));
      // Fails closed: a lock that cannot be read holds.
      if (until !== undefined) user.lockedUntil = Number.isNaN(until) ? new Date(8.64e15) : new Date(until);
    }
    return user;
  };
}

/**
 * A driver's value as a legacy field holds it: strings, numbers, booleans and
 * dates as they are, bigints and bytes as text, anything else as JSON.
 * @example legacyValue(42n) // '42'; legacyValue([1, 2]) // '[1,2]'; legacyValue(null) // undefined
 */
export function legacyValue(value: unknown): LegacyValue {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'bigint') return value.toString();
  // MySQL drivers hand binary and BLOB columns over as bytes.
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/**
 * The keys of {@link SqlColumns}, for checking a `columns` option.
 * @example rejectUnknownKeys('createMysqlStore columns', options.columns ?? {}, COLUMN_KEYS)
 */
export const COLUMN_KEYS = [...Object.keys(DEFAULT_COLUMNS), 'failedAttempts', 'lockedUntil', 'attemptKey', 'totpSecret', 'totpLastStep', 'totpAlgorithm', 'totpDigits', 'totpPeriod', 'identities', 'identitiesTable'];

/**
 * A row's identities column read as a list of {provider, sub}: a JSON array
 * (as jsonb, JSON or text); entries that are not such pairs are left out.
 * @example parseIdentities('[{"provider":"Google","sub":"1"}]') // [{ provider: 'Google', sub: '1' }]
 */
export function parseIdentities(value: unknown): Array<{ provider: string; sub: string }> {
  let list: unknown = value;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try { list = JSON.parse(String(value)); } catch { return []; }
  }
  if (!Array.isArray(list)) return [];
  return list.filter((i): i is { provider: string; sub: string } => Boolean(i) && typeof i.provider === 'string' && i.provider !== '' && typeof i.sub === 'string' && i.sub !== '').map((i) => ({ provider: i.provider, sub: i.sub }));
}

/**
 * The lookup of the row that holds one identity, at most two rows. PostgreSQL
 * reads the column as jsonb with `@>`, which a GIN index on
 * `(CAST(col AS jsonb)) jsonb_path_ops` serves; MySQL and MariaDB join the
 * side table `db index` makes (`side`), or without it read JSON_CONTAINS,
 * which no index serves on MariaDB.
 * @example identitySql('"legacy"."users"', 'identities', 'postgres') // { sql: '… @> $1::jsonb LIMIT 2', param }
 */
export function identitySql(quotedTable: string, column: string, dialect: 'postgres' | 'mysql', identity: { provider: string; sub: string }, side?: { quotedTable: string; id: string }): { sql: string; values: unknown[] } {
  const wanted = JSON.stringify([{ provider: identity.provider, sub: identity.sub }]);
  if (dialect === 'postgres') return { sql: `SELECT * FROM ${quotedTable} WHERE CAST("${column}" AS jsonb) @> $1::jsonb LIMIT 2`, values: [wanted] };
  if (side) return { sql: `SELECT u.* FROM ${side.quotedTable} i JOIN ${quotedTable} u ON u.\`${side.id}\` = i.row_id WHERE i.provider = ? AND i.sub = ? LIMIT 2`, values: [identity.provider, identity.sub] };
  // A cell that is not valid JSON would fail the whole statement: it holds no identity.
  return { sql: `SELECT * FROM ${quotedTable} WHERE CASE WHEN JSON_VALID(\`${column}\`) THEN JSON_CONTAINS(\`${column}\`, ?) END LIMIT 2`, values: [wanted] };
}

/**
 * The TOTP replay guard's write (RFC 6238 §5.2): the row takes the step only
 * if it holds none or an earlier one, so a code is accepted once.
 * @example totpStepSql('"legacy"."users"', columns, 'postgres') // $1 id, $2 step
 */
export function totpStepSql(quotedTable: string, columns: SqlColumns, dialect: 'postgres' | 'mysql'): { sql: string; params: (id: string, step: number) => unknown[] } {
  const q = (c: string) => (dialect === 'postgres' ? `"${c}"` : `\`${c}\``);
  const last = q(columns.totpLastStep!);
  if (dialect === 'postgres') return { sql: `UPDATE ${quotedTable} SET ${last} = $2 WHERE ${q(columns.id)} = $1 AND (${last} IS NULL OR ${last} < $2)`, params: (id, step) => [id, step] };
  return { sql: `UPDATE ${quotedTable} SET ${last} = ? WHERE ${q(columns.id)} = ? AND (${last} IS NULL OR ${last} < ?)`, params: (id, step) => [step, id, step] };
}

/**
 * A store's time limit option, checked against its declaration (adapters/sql/env.ts, `sqlSettings`).
 * @example storeTimeout('createMysqlStore', 'queryTimeoutMs', options.queryTimeoutMs, 'MYSQL')
 */
export function storeTimeout(where: string, name: 'connectTimeoutMs' | 'queryTimeoutMs', value: number | undefined, prefix: 'PG' | 'MYSQL'): number {
  return checked(where, sqlSettings(prefix)[name], value);
}

/**
 * Where an SQL store keeps the ledger: the Cognito sub each row became (and
 * when), and the legacy roles the completion turns into groups.
 *
 * @example
 * ```ts
 * const ledger: SqlLedger = { subColumn: 'cognito_sub', subTimeColumn: 'cognito_linked_at', groupsColumn: 'roles' }
 * ```
 */
export interface SqlLedger {
  /** Text column the completion writes the sub to; a row with a value is never migrated again. */
  subColumn?: string;
  /** Timestamp column set when the sub is written. */
  subTimeColumn?: string;
  /** Column of legacy roles: an array, a JSON array or comma-separated text. */
  groupsColumn?: string;
}

/** The options every SQL store shares, checked. */
export interface SqlStoreSettings {
  columns: SqlColumns;
  table: string;
  markColumn: string | undefined;
  ledger: SqlLedger;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/**
 * Checks the options every SQL store shares and names what is wrong: the
 * connection, the columns, a custom query (it must use the dialect's login
 * placeholder), the migrated-marker column and the time limits.
 *
 * @example
 * ```ts
 * const s = sqlStoreSettings('createMysqlStore', options, { optionNames, placeholder: '?', url: 'mysql://user:pass@host:3306/db' })
 * ```
 */
export function sqlStoreSettings(
  where: string,
  options: { connectionString?: string; connection?: unknown; table?: string; columns?: Partial<SqlColumns>; query?: string; markMigrated?: { column: string }; cognitoSub?: { column: string; timeColumn?: string }; groupsColumn?: string; connectTimeoutMs?: number; queryTimeoutMs?: number },
  dialect: { optionNames: readonly string[]; placeholder: string; url: string },
): SqlStoreSettings {
  rejectUnknownKeys(where, options, dialect.optionNames);
  if (!options.connectionString && !options.connection) {
    throw new ConfigurationError('connectionString', `${where}: "connectionString" or "connection" is required`, `Pass connectionString: "${dialect.url}".`);
  }
  rejectUnknownKeys(`${where} columns`, options.columns ?? {}, COLUMN_KEYS);
  if (options.query !== undefined && (typeof options.query !== 'string' || !options.query.includes(dialect.placeholder))) {
    throw new ConfigurationError('query', `${where}: "query" must be a SELECT that uses ${dialect.placeholder} for the login`, `Example: SELECT * FROM users WHERE login = ${dialect.placeholder}.`);
  }
  return {
    columns: resolveColumns(options.columns, where),
    table: options.table ?? 'users',
    markColumn: options.markMigrated === undefined ? undefined : columnName(options.markMigrated?.column, 'markMigrated.column', where),
    ledger: {
      ...(options.cognitoSub === undefined ? {} : { subColumn: columnName(options.cognitoSub?.column, 'cognitoSub.column', where) }),
      ...(options.cognitoSub?.timeColumn === undefined ? {} : { subTimeColumn: columnName(options.cognitoSub.timeColumn, 'cognitoSub.timeColumn', where) }),
      ...(options.groupsColumn === undefined ? {} : { groupsColumn: columnName(options.groupsColumn, 'groupsColumn', where) }),
    },
    connectTimeoutMs: storeTimeout(where, 'connectTimeoutMs', options.connectTimeoutMs, dialect.placeholder === '$1' ? 'PG' : 'MYSQL'),
    queryTimeoutMs: storeTimeout(where, 'queryTimeoutMs', options.queryTimeoutMs, dialect.placeholder === '$1' ? 'PG' : 'MYSQL'),
  };
}

/**
 * The completion's write-back for an SQL store, the same in both dialects: a
 * compare-and-set UPDATE of the sub column on the row with this id (it holds
 * `expected`, or the write does nothing), then one read of the row's sub and
 * roles, which says what happened. Without a sub column only the roles are
 * read. `exec` runs one statement and says how many rows it changed.
 *
 * @example
 * ```ts
 * await linkSqlRow(link, ledger, { quotedTable: '"legacy"."users"', id: 'id', dialect: 'postgres' }, exec)
 * ```
 */
export async function linkSqlRow(
  link: AccountLink, ledger: SqlLedger, table: { quotedTable: string; id: string; dialect: 'postgres' | 'mysql'; enabled?: string; identities?: string },
  exec: (sql: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[]; affected: number }>,
): Promise<LinkResult> {
  const pg = table.dialect === 'postgres';
  const q = (c: string) => (pg ? `"${c}"` : `\`${c}\``);
  const p = (n: number) => (pg ? `$${n}` : '?');
  const roles = ledger.groupsColumn ? q(ledger.groupsColumn) : 'NULL';
  // The index finds the row; the text comparison keeps MySQL from reading '1abc' as the number 1.
  const byId = (a: number, b: number) => `${q(table.id)} = ${p(a)} AND CAST(${q(table.id)} AS ${pg ? 'text' : 'CHAR'}) = ${p(b)}`;
  if (table.enabled) {
    // A disabled row gets no link and no groups, as it gets no migration. `*`: a table may have no such column.
    const rows = (await exec(`SELECT * FROM ${table.quotedTable} WHERE ${byId(1, 2)} LIMIT 2`, [link.legacyId, link.legacyId])).rows;
    if (rows.length !== 1) return { outcome: 'no_row' };
    if (Object.hasOwn(rows[0]!, table.enabled)) {
      const probe: { enabled?: boolean } = {};
      applyEnabled(probe, rows[0]![table.enabled], table.enabled);
      if (!probe.enabled) return { outcome: 'row_disabled' };
    }
  }
  const read = async () => (await exec(`SELECT ${ledger.subColumn ? q(ledger.subColumn) : 'NULL'} AS sub, ${roles} AS roles, ${table.identities ? q(table.identities) : 'NULL'} AS identities FROM ${table.quotedTable} WHERE ${byId(1, 2)} LIMIT 2`, [link.legacyId, link.legacyId])).rows;
  if (!ledger.subColumn) {
    const rows = await read();
    return rows.length === 1 ? { outcome: 'linked', roles: parseRoles(rows[0]!.roles), ...identitiesOf(rows[0]!.identities) } : { outcome: 'no_row' };
  }
  const sub = q(ledger.subColumn);
  const time = ledger.subTimeColumn ? `, ${q(ledger.subTimeColumn)} = ${pg ? 'now()' : 'CURRENT_TIMESTAMP(3)'}` : '';
  // A blank cell ('' is a common column default) is an empty ledger, as the reader takes it.
  const same = pg ? `NULLIF(TRIM(${sub}), '') IS NOT DISTINCT FROM ${p(4)}` : `NULLIF(TRIM(${sub}), '') <=> ${p(4)}`;
  const { affected } = await exec(`UPDATE ${table.quotedTable} SET ${sub} = ${p(1)}${time} WHERE ${byId(2, 3)} AND ${same}`, [link.sub, link.legacyId, link.legacyId, link.expected]);
  const rows = await read();
  // Two rows with one id (a table without a primary key) are no single person's row.
  if (rows.length !== 1) return { outcome: 'no_row' };
  const held = rows[0]!.sub;
  const now = held === null || held === undefined || String(held).trim() === '' ? null : String(held);
  if (now === link.sub) return { outcome: affected > 0 ? 'linked' : 'already_linked', roles: parseRoles(rows[0]!.roles), ...identitiesOf(rows[0]!.identities) };
  // The row changed between the two statements, or holds nothing where a gone user's sub was expected: try once more against what it holds.
  if (now === null) return link.expected === null ? { outcome: 'no_row' } : linkSqlRow({ ...link, expected: null }, ledger, { ...table, enabled: undefined }, exec);
  return { outcome: 'linked_elsewhere', sub: now };
}

/**
 * The guessing limit's writes for an SQL store, each one atomic UPDATE by id
 * (the database's row lock serialises parallel attempts, so none is lost):
 * - `reserve`, before the password is checked: counts the attempt, and locks
 *   the row for `lockSeconds` at the `maxAttempts`-th; a row locked now
 *   changes nothing (0 rows: refuse it unchecked). An expired or cleared lock
 *   starts the count again from this attempt, so a lock does not renew itself.
 * - `success`: the count back to zero, and the lock the reservation may have
 *   set for this very attempt cleared.
 *
 * @example
 * ```ts
 * const sql = attemptSql('reserve', '"legacy"."users"', columns, 'postgres') // $1 id, $2 max attempts, $3 lock seconds
 * ```
 */
export function attemptSql(outcome: 'reserve' | 'success', quotedTable: string, columns: SqlColumns, dialect: 'postgres' | 'mysql', retry = false): string {
  const pg = dialect === 'postgres';
  const q = (c: string) => (pg ? `"${c}"` : `\`${c}\``);
  const count = q(columns.failedAttempts!);
  const lock = q(columns.lockedUntil!);
  const id = q(columns.id);
  const now = pg ? 'now()' : 'UTC_TIMESTAMP(3)';
  if (outcome === 'success') return `UPDATE ${quotedTable} SET ${count} = 0, ${lock} = NULL WHERE ${id} = ${pg ? '$1' : '?'} AND (${count} <> 0 OR ${lock} IS NOT NULL)`;
  const unlocked = `(${lock} IS NULL OR ${lock} <= ${now})`;
  // With an attempt key, Cognito's retry of the attempt the row last counted (its key, this window's or the last
  // one's) passes the lock check like any attempt but leaves the count and the lock as they are.
  const key = retry ? q(columns.attemptKey!) : '';
  if (pg) {
    // PostgreSQL reads every old value in every SET expression: the new count is written out twice.
    const next = `CASE WHEN COALESCE(${count}, 0) >= $2 OR ${lock} <= now() THEN 1 ELSE COALESCE(${count}, 0) + 1 END`;
    const counted = `SET ${count} = ${next}, ${lock} = CASE WHEN ${next} >= $2 THEN now() + make_interval(secs => $3) ELSE NULL END`;
    const set = retry
      ? `SET ${count} = CASE WHEN ${key} IN ($4, $5) THEN ${count} ELSE ${next} END, ${lock} = CASE WHEN ${key} IN ($4, $5) THEN ${lock} WHEN ${next} >= $2 THEN now() + make_interval(secs => $3) ELSE NULL END, ${key} = $4`
      : counted;
    return `UPDATE ${quotedTable} ${set} WHERE ${id} = $1 AND ${unlocked}`;
  }
  // MySQL assigns left to right, each assignment seeing the ones before it: the lock reads the new count, and the
  // key, assigned last, is still the old one when the count and the lock read it.
  const same = retry ? `${key} IN (?, ?)` : 'FALSE';
  return `UPDATE ${quotedTable} SET ${count} = IF(${same}, ${count}, IF(COALESCE(${count}, 0) >= ? OR ${lock} <= UTC_TIMESTAMP(3), 1, COALESCE(${count}, 0) + 1)), ${lock} = IF(${same}, ${lock}, IF(${count} >= ?, UTC_TIMESTAMP(3) + INTERVAL ? SECOND, NULL))${retry ? `, ${key} = ?` : ''} WHERE ${id} = ? AND ${unlocked}`;
}

/**
 * The parameters of {@link attemptSql}'s `reserve`, in each dialect's order.
 *
 * @example
 * ```ts
 * reserveParams('postgres', '42', { maxAttempts: 10, lockSeconds: 900 }) // ['42', 10, 900]
 * ```
 */
export function reserveParams(dialect: 'postgres' | 'mysql', id: string, policy: { maxAttempts: number; lockSeconds: number }, retry?: AttemptRetry): unknown[] {
  if (dialect === 'postgres') return [id, policy.maxAttempts, policy.lockSeconds, ...(retry ? [retry.key, retry.previous] : [])];
  const same = retry ? [retry.key, retry.previous] : [];
  return [...same, policy.maxAttempts, ...same, policy.maxAttempts, policy.lockSeconds, ...(retry ? [retry.key] : []), id];
}

/**
 * A store's `findByIdentity`: the identity lookup (identitySql), its rows
 * read as one user as any lookup's are (two rows: ambiguous). `rows` runs the
 * statement and turns a driver's failure into the store's own error.
 * @example findByIdentity: identityFinder({ quotedTable, dialect: 'postgres' }, columns, ledger.subColumn, rowsOf)
 */
export function identityFinder(table: { quotedTable: string; dialect: 'postgres' | 'mysql'; quotedSideTable?: string }, columns: SqlColumns, subColumn: string | undefined, rows: (sql: string, values: unknown[], ctx: StoreContext) => Promise<Record<string, unknown>[]>) {
  const side = table.quotedSideTable ? { quotedTable: table.quotedSideTable, id: columns.id } : undefined;
  return async (identity: { provider: string; sub: string }, ctx: StoreContext): Promise<LegacyUser | undefined> => {
    const { sql, values } = identitySql(table.quotedTable, columns.identities!, table.dialect, identity, side);
    return userFromRows(await rows(sql, values, ctx), columns, { login: `${identity.provider} identity`, matchEmail: false, caseInsensitive: false }, subColumn);
  };
}

/**
 * The user a lookup's rows (the lookup asks for at most two) stand for: none,
 * the one row, or, when a second row qualifies in any way (the same exact
 * username twice, a case variant, one row's username equal to another's
 * email), a refusal (`ambiguous_login`) timed like any other, whichever row's
 * password was given: one login is one legacy row, or none.
 * @example userFromRows(rows, columns, query) // LegacyUser | undefined
 */
export function userFromRows(rows: Record<string, unknown>[], columns: SqlColumns, query: Pick<LookupQuery, 'login' | 'matchEmail' | 'caseInsensitive'>, subColumn?: string): LegacyUser | undefined {
  const [first, second] = rows;
  if (!first) return undefined;
  if (second) {
    throw new AuthenticationFailedError('ambiguous_login', `more than one legacy row matches this login under the ${query.caseInsensitive ? 'case-insensitive ' : ''}${query.matchEmail ? 'username-or-email ' : ''}lookup; make logins unique (doctor lists the repeated ones) or narrow the query`);
  }
  return rowToLegacyUser(first, columns, subColumn);
}

/**
 * The completion's write-back for a page of users at once, the same
 * compare-and-set as {@link linkSqlRow}: one read of the rows, one UPDATE of
 * the ones whose ledger holds what is expected, and, only when the UPDATE did
 * not take them all (a row changed in between), a read again of those rows. Answers one
 * {@link LinkResult} per link, in order. `exec` runs one statement.
 *
 * @example
 * ```ts
 * await linkSqlRows(links, ledger, { quotedTable: '"legacy"."users"', id: 'id', dialect: 'postgres', enabled: 'enabled' }, exec)
 * ```
 */
export async function linkSqlRows(
  links: readonly AccountLink[], ledger: SqlLedger, table: { quotedTable: string; id: string; dialect: 'postgres' | 'mysql'; enabled?: string; identities?: string },
  exec: (sql: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[]; affected: number }>,
): Promise<LinkResult[]> {
  if (links.length === 0) return [];
  const pg = table.dialect === 'postgres';
  const q = (c: string) => (pg ? `"${c}"` : `\`${c}\``);
  const ids = [...new Set(links.map((l) => l.legacyId))];
  // The index finds the rows; each is then matched by its id as text, so MySQL cannot read '1abc' as the number 1.
  // `*`: a table may have no enabled column.
  const readRows = async (wanted: readonly string[]) => {
    const sql = pg
      ? `SELECT * FROM ${table.quotedTable} WHERE ${q(table.id)} = ANY($1) AND CAST(${q(table.id)} AS text) = ANY($2::text[])`
      : `SELECT * FROM ${table.quotedTable} WHERE ${q(table.id)} IN (${wanted.map(() => '?').join(', ')})`;
    const byId = new Map<string, Record<string, unknown>[]>();
    for (const row of (await exec(sql, pg ? [wanted, wanted] : [...wanted])).rows) {
      const id = String(row[table.id]);
      if (wanted.includes(id)) byId.set(id, [...(byId.get(id) ?? []), row]);
    }
    return byId;
  };
  const rows = await readRows(ids);
  // The sub each row to write holds now: the UPDATE writes only where it still does.
  const held = new Map<number, string | null>();
  const results = links.map((link, i) => answerFromRow(link, rows.get(link.legacyId) ?? [], ledger, table, (now) => held.set(i, now)));
  // One write per row: a second link of the same row in one batch is answered from the first one's.
  const todo: number[] = [];
  const claimed = new Set<string>();
  results.forEach((r, i) => {
    if (r === undefined && !claimed.has(links[i]!.legacyId)) { todo.push(i); claimed.add(links[i]!.legacyId); }
  });
  if (todo.length) {
    const sub = q(ledger.subColumn!);
    const time = ledger.subTimeColumn ? `, ${q(ledger.subTimeColumn)} = ${pg ? 'now()' : 'CURRENT_TIMESTAMP(3)'}` : '';
    const writing = todo.map((i) => links[i]!);
    let affected: number;
    if (pg) {
      ({ affected } = await exec(
        `UPDATE ${table.quotedTable} AS t SET ${sub} = i.sub${time} FROM unnest($1::text[], $2::text[], $3::text[]) AS i(legacy_id, sub, expected) WHERE t.${q(table.id)} = ANY($4) AND CAST(t.${q(table.id)} AS text) = i.legacy_id AND NULLIF(TRIM(t.${sub}), '') IS NOT DISTINCT FROM i.expected`,
        [writing.map((l) => l.legacyId), writing.map((l) => l.sub), todo.map((i) => held.get(i)), writing.map((l) => l.legacyId)],
      ));
    } else {
      const input = writing.map(() => 'SELECT ? AS legacy_id, ? AS sub, ? AS expected').join(' UNION ALL ');
      ({ affected } = await exec(
        `UPDATE ${table.quotedTable} AS t JOIN (${input}) AS i ON t.${q(table.id)} = i.legacy_id AND CAST(t.${q(table.id)} AS CHAR) = i.legacy_id SET t.${sub} = i.sub${time ? `, t.${time.slice(2)}` : ''} WHERE NULLIF(TRIM(t.${sub}), '') <=> i.expected`,
        todo.flatMap((i) => [links[i]!.legacyId, links[i]!.sub, held.get(i)]),
      ));
    }
    // Every row taken: each holds its sub now. Otherwise a row changed between the two statements, and what each
    // holds now says what happened, as in linkSqlRow.
    const after = affected === writing.length
      ? new Map(writing.map((l) => [l.legacyId, [{ ...rows.get(l.legacyId)![0]!, [ledger.subColumn!]: l.sub }]]))
      : await readRows(writing.map((l) => l.legacyId));
    for (const i of todo) {
      const link = links[i]!;
      const found = after.get(link.legacyId) ?? [];
      const now = found.length === 1 ? heldSubOf(found[0]!, ledger) : null;
      const roles = found.length === 1 ? parseRoles(ledger.groupsColumn ? found[0]![ledger.groupsColumn] : undefined) : [];
      const carried = found.length === 1 ? identitiesOf(table.identities ? found[0]![table.identities] : undefined) : {};
      results[i] = found.length !== 1 || now === null ? { outcome: 'no_row' } : now === link.sub ? { outcome: 'linked', roles, ...carried } : { outcome: 'linked_elsewhere', sub: now };
    }
  }
  return results.map((r, i) => r ?? repeatedLink(links, results, i));
}

/**
 * What the read says of one link before any write: no row, a disabled row,
 * linked already (to this sub, or another), or undefined when the row is to
 * be written (`toWrite` learns the sub it holds now, for the compare-and-set).
 */
function answerFromRow(link: AccountLink, found: Record<string, unknown>[], ledger: SqlLedger, table: { enabled?: string; identities?: string }, toWrite: (held: string | null) => void): LinkResult | undefined {
  const { enabled } = table;
  // Two rows with one id (a table without a primary key) are no single person's row.
  if (found.length !== 1) return { outcome: 'no_row' };
  const row = found[0]!;
  if (enabled && Object.hasOwn(row, enabled)) {
    const probe: { enabled?: boolean } = {};
    applyEnabled(probe, row[enabled], enabled);
    if (!probe.enabled) return { outcome: 'row_disabled' };
  }
  const roles = parseRoles(ledger.groupsColumn ? row[ledger.groupsColumn] : undefined);
  const carried = identitiesOf(table.identities ? row[table.identities] : undefined);
  if (!ledger.subColumn) return { outcome: 'linked', roles, ...carried };
  const now = heldSubOf(row, ledger);
  if (now === link.sub) return { outcome: 'already_linked', roles, ...carried };
  // A row holding nothing where a gone user's sub was expected is linked as an empty one, as linkSqlRow does.
  if (now !== null && now !== link.expected) return { outcome: 'linked_elsewhere', sub: now };
  toWrite(now);
  return undefined;
}

/** A row's identities as a link result carries them: only when there are some. */
function identitiesOf(value: unknown): { identities?: Array<{ provider: string; sub: string }> } {
  const list = parseIdentities(value);
  return list.length ? { identities: list } : {};
}

/** The sub a row's ledger holds: null for none or a blank cell. */
function heldSubOf(row: Record<string, unknown>, ledger: SqlLedger): string | null {
  const held = ledger.subColumn ? row[ledger.subColumn] : undefined;
  return held === null || held === undefined || String(held).trim() === '' ? null : String(held);
}

/** A second link of one row in one batch, answered as a batch after the first one's would answer it. */
function repeatedLink(links: readonly AccountLink[], results: ReadonlyArray<LinkResult | undefined>, i: number): LinkResult {
  const first = links.findIndex((l) => l.legacyId === links[i]!.legacyId);
  const won = results[first]!;
  if (won.outcome !== 'linked' && won.outcome !== 'already_linked') return won;
  return links[first]!.sub === links[i]!.sub ? { outcome: 'already_linked', roles: won.roles } : { outcome: 'linked_elsewhere', sub: links[first]!.sub };
}
