// The MySQL / MariaDB store's self-checks, as the PostgreSQL store's: the
// credentials, the connection and its TLS, the lookup query and its columns,
// the repeated logins, the columns the guessing limit, the ledger and the
// mark write, the connections left, and the lookup's indexes. Each check is
// one function; which run is sqlCheckList's rule. Loaded only when a
// self-check runs.
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'mysql2/promise';
import { type CheckResult, type SelfCheck, fail, pass, warn } from '../../src/checks.js';
import { ConfigurationError } from '../../src/errors.js';
import type { SqlColumns, SqlLedger } from '../sql/rows.js';
import { repeatedLoginsCheck, sqlCheckList, tlsVerdict } from '../sql/checks.js';
import type { LookupQuery, StoreContext } from '../../src/types.js';
import { type MysqlError, type MysqlLookupPlan, explainMysqlError, isServerError } from './sql.js';

/**
 * Rows above which a scan on every sign-in is worth a warning.
 * @example if (Number(row.rows) > SCAN_ROWS_LIMIT) warn(…)
 */
export const SCAN_ROWS_LIMIT = 10_000;

/** What the checks need from the store. */
export interface MysqlProbe {
  mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>;
  columns: SqlColumns;
  table: string;
  quotedTable: string;
  markColumn?: string;
  /** The ledger columns the completion writes and reads. */
  ledger: SqlLedger;
  fromSecret: boolean;
  customQuery: { sql: string; params: number } | undefined;
  lookupPlan(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, ctx: StoreContext): Promise<MysqlLookupPlan>;
  settings(): Promise<ConnectionOptions>;
  query(sql: string, values: unknown[], ctx: StoreContext): Promise<Record<string, unknown>[]>;
  /** The column names a statement returns. */
  fields(sql: string, values: unknown[], ctx: StoreContext): Promise<string[]>;
}

const checkContext = (ms = 3000): StoreContext => {
  const deadline = Date.now() + ms;
  return { signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
};

const hostOf = (s: ConnectionOptions) => {
  try {
    return s.host ?? (s.uri ? decodeURIComponent(new URL(s.uri).hostname) : undefined);
  } catch {
    return undefined;
  }
};
const local = (host: string | undefined) => !host || host === 'localhost' || host === '::1' || /^127\./.test(host);
const tlsMode = (ssl: ConnectionOptions['ssl']) => (!ssl ? 'disable' : typeof ssl === 'object' && ssl.rejectUnauthorized === false ? 'require' : 'verify-full');

/**
 * The MySQL store's deep checks, as the PostgreSQL store's: credentials,
 * connection and TLS, the lookup query with its columns, the migrated-marker
 * column, connections left, and whether each lookup uses an index.
 *
 * @example
 * ```ts
 * const report = await runChecks(store.checks({ matchEmail: true, caseInsensitive: false }))
 * ```
 */
export function mysqlChecks(probe: MysqlProbe): SelfCheck[] {
  return sqlCheckList(probe, {
    credentials: credentialsCheck(probe), connect: connectCheck(probe), query: queryCheck(probe),
    repeated: () => repeatedLoginsCheck({
      dialect: 'mysql', table: probe.table, quotedTable: probe.quotedTable, columns: probe.columns, mode: probe.mode,
      count: async (sql) => Number((await probe.query(sql, [], checkContext()))[0]?.repeated),
    }),
    lockout: () => lockoutCheck(probe), ledger: () => ledgerCheck(probe), markMigrated: () => markMigratedCheck(probe),
    connections: connectionsCheck(probe), index: indexCheck(probe),
  });
}

function credentialsCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.credentials',
    async run() {
      try {
        await probe.settings();
        return pass('mysql.credentials', probe.fromSecret ? 'Database credentials read from Secrets Manager' : 'Connection settings present');
      } catch (err) {
        if (err instanceof ConfigurationError) return fail('mysql.credentials', err.message, err.fix);
        return fail('mysql.credentials', `Could not read the database secret: ${(err as Error).name}`, 'Check DATABASE_SECRET_ARN and the role\'s secretsmanager:GetSecretValue permission.');
      }
    },
  };
}

function queryCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.query',
    async run(): Promise<CheckResult[]> {
      const ctx = checkContext();
      const login = `cognito-migrate-self-check-${randomBytes(6).toString('hex')}`;
      let fields: string[];
      try {
        const { sql, values } = await lookupOf(probe, login, ctx);
        if ((await probe.query(sql, values, ctx)).length > 0) return [fail('mysql.query', 'The lookup query returned a row for a login no user has', 'A custom MYSQL_QUERY must filter on ?, the login Cognito sends.')];
        fields = await probe.fields(sql, values, ctx);
      } catch (err) {
        return [queryFailure(err as MysqlError, probe)];
      }
      const { columns } = probe;
      const results: CheckResult[] = [pass('mysql.query', `Lookup query on ${probe.table} runs (${modeTextOf(probe)})`)];
      if (!fields.includes(columns.passwordHash)) results.push(fail('mysql.columns', `The lookup query returns no "${columns.passwordHash}" column, so no password can be verified`, 'Set MYSQL_COLUMNS={"passwordHash":"<your hash column>"} or alias the column in MYSQL_QUERY.'));
      if (!fields.includes(columns.enabled)) results.push(warn('mysql.columns', `No "${columns.enabled}" column: every legacy user counts as active, disabled accounts included`, `Return a boolean "${columns.enabled}" column (or set MYSQL_COLUMNS enabled) so inactive users are never migrated.`));
      if (results.length === 1) results.push(pass('mysql.columns', `Columns present: ${[columns.passwordHash, columns.enabled].join(', ')}`));
      return results;
    },
  };
}

function connectCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.connect',
    async run(): Promise<CheckResult[]> {
      let mode = 'unknown';
      let isLocal = false;
      try {
        const settings = await probe.settings();
        mode = tlsMode(settings.ssl);
        isLocal = local(hostOf(settings));
      } catch { /* the credentials check says why */ }
      try {
        const [row] = await probe.query("SELECT VERSION() AS version, DATABASE() AS db, (SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher') AS cipher", [], checkContext());
        const tls = Boolean(row?.cipher);
        return [
          pass('mysql.connect', `Connected to ${String(row?.version).includes('MariaDB') ? 'MariaDB' : 'MySQL'} ${row?.version} (database ${row?.db})`),
          tlsVerdict('mysql', mode, isLocal, tls, 'MYSQL_SSL=disable'),
        ];
      } catch (err) {
        return [connectFailure(err as MysqlError), pass('mysql.tls', `TLS mode ${mode}`)];
      }
    },
  };
}

function lockoutCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.lockout',
    async run(): Promise<CheckResult> {
      const written = [probe.columns.failedAttempts!, probe.columns.lockedUntil!, ...(probe.columns.attemptKey ? [probe.columns.attemptKey] : [])];
      try {
        // Changes no row: proves the columns exist and the user may UPDATE them.
        await probe.query(`UPDATE ${probe.quotedTable} SET ${written.map((c) => `\`${c}\` = \`${c}\``).join(', ')} WHERE 1 = 0`, [], checkContext());
        return pass('mysql.lockout', `Failed sign-ins are counted in ${probe.table}.${written[0]}, locks kept in ${written[1]}`);
      } catch (err) {
        return fail('mysql.lockout', `The guessing limit cannot use its columns: ${isServerError(err) ? explainMysqlError(err as MysqlError) : (err as Error).name}`, `ALTER TABLE ${probe.quotedTable} ADD COLUMN \`${written[0]}\` INT NOT NULL DEFAULT 0, ADD COLUMN \`${written[1]}\` DATETIME(3) NULL, and GRANT UPDATE on both to the function's user.`);
      }
    },};
}

function ledgerCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.ledger',
    async run(): Promise<CheckResult> {
      const { subColumn, subTimeColumn, groupsColumn } = probe.ledger;
      const written = [subColumn, subTimeColumn].filter((c): c is string => Boolean(c));
      try {
        if (groupsColumn) await probe.query(`SELECT \`${groupsColumn}\` FROM ${probe.quotedTable} LIMIT 0`, [], checkContext());
        // Changes no row: proves the columns exist and the user may UPDATE them.
        if (written.length) await probe.query(`UPDATE ${probe.quotedTable} SET ${written.map((c) => `\`${c}\` = \`${c}\``).join(', ')} WHERE 1 = 0`, [], checkContext());
        return pass('mysql.ledger', `The completion ${subColumn ? `writes the Cognito sub to ${probe.table}.${subColumn}${subTimeColumn ? ` (time in ${subTimeColumn})` : ''}` : 'writes no sub'}${groupsColumn ? ` and reads roles from ${groupsColumn}` : ''}`);
      } catch (err) {
        return fail('mysql.ledger', `The completion cannot use the ledger columns: ${isServerError(err) ? explainMysqlError(err as MysqlError) : (err as Error).name}`, `ALTER TABLE ${probe.quotedTable} ${[subColumn && `ADD COLUMN \`${subColumn}\` VARCHAR(64) NULL`, subTimeColumn && `ADD COLUMN \`${subTimeColumn}\` DATETIME(3) NULL`, groupsColumn && `ADD COLUMN \`${groupsColumn}\` JSON NULL`].filter(Boolean).join(', ')}, and GRANT UPDATE on the written ones to the function's user; or fix MYSQL_COGNITO_SUB_COLUMN, MYSQL_COGNITO_SUB_TIME_COLUMN, MYSQL_GROUPS_COLUMN.`);
      }
    },};
}

function markMigratedCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.mark-migrated',
    async run(): Promise<CheckResult> {
      try {
        // Changes no row: proves the column exists and the user may UPDATE it.
        await probe.query(`UPDATE ${probe.quotedTable} SET \`${probe.markColumn}\` = \`${probe.markColumn}\` WHERE 1 = 0`, [], checkContext());
        return pass('mysql.mark-migrated', `Migrated users are recorded in ${probe.table}.${probe.markColumn}`);
      } catch (err) {
        return fail('mysql.mark-migrated', `Migrations cannot be recorded: ${isServerError(err) ? explainMysqlError(err as MysqlError) : (err as Error).name}`, `ALTER TABLE ${probe.quotedTable} ADD COLUMN \`${probe.markColumn}\` DATETIME(3) NULL, and GRANT UPDATE on it to the function's user; or unset MYSQL_MARK_MIGRATED_COLUMN.`);
      }
    },};
}

function connectionsCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.connections',
    async run() {
      const [row] = await probe.query("SELECT @@max_connections AS max, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'Threads_connected') AS used", [], checkContext());
      const max = Number(row?.max);
      const used = Number(row?.used);
      return { ...pass('mysql.connections', `max_connections ${max}, ${used} in use: room for ${Math.max(0, max - used)} more; each warm instance of this function holds one`), data: { maxConnections: max, inUse: used, available: Math.max(0, max - used) } };
    },
  };
}

function indexCheck(probe: MysqlProbe): SelfCheck {
  return {
    id: 'mysql.index',
    async run() {
      const ctx = checkContext();
      const { sql, values } = await lookupOf(probe, 'cognito-migrate-explain@example.com', ctx);
      const plan = await probe.query(`EXPLAIN ${sql}`, values, ctx);
      // A full scan of a large table on every sign-in: type ALL with many rows.
      const scans = plan.filter((r) => String(r.type ?? '').toUpperCase() === 'ALL' && Number(r.rows ?? 0) > SCAN_ROWS_LIMIT);
      if (scans.length === 0) return pass('mysql.index', `The lookup (${modeTextOf(probe)}) reads ${probe.table} through an index${plan.some((r) => String(r.type).toUpperCase() === 'ALL') ? ' or scans only a small table' : ''}`);
      const rows = Math.max(...scans.map((r) => Number(r.rows))).toLocaleString('en');
      const lookupPlan = probe.customQuery ? undefined : await probe.lookupPlan(probe.mode, ctx);
      const unindexable = lookupPlan?.probes.filter((p) => !p.indexable).map((p) => p.column) ?? [];
      return warn('mysql.index', `The lookup (${modeTextOf(probe)}) scans ${probe.table} (about ${rows} rows) on every sign-in`,
        unindexable.length
          ? `${unindexable.join(', ')} has a case-sensitive collation, so a case-insensitive lookup cannot use an index: give the column a _ci collation, or turn CASE_INSENSITIVE off.`
          : 'Run npx cognito-migrate db index --apply (it prints the CREATE INDEX statements first without --apply).');
    },
  };
}

function connectFailure(err: MysqlError): CheckResult {
  const code = err.code ?? '';
  if (code === 'ER_ACCESS_DENIED_ERROR') return fail('mysql.connect', 'The server refused the credentials (ER_ACCESS_DENIED_ERROR)', 'Check the user and password in DATABASE_URL or the secret, and the user\'s allowed hosts.');
  if (code === 'ER_BAD_DB_ERROR') return fail('mysql.connect', 'The database named in the connection settings does not exist (ER_BAD_DB_ERROR)', 'Fix the database name (dbname in the secret, the path of DATABASE_URL).');
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return fail('mysql.connect', `TLS certificate not trusted (${code})`, 'For RDS the Amazon roots are read from /var/runtime/ca-cert.pem; for another CA set MYSQL_SSL_CA_FILE to its PEM bundle.');
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return fail('mysql.connect', 'The server does not offer TLS, and TLS is required by default for a remote host', 'Enable TLS on the server (require_secure_transport), or set MYSQL_SSL=disable if the network is private and you accept that.');
  return fail('mysql.connect', `Could not reach the database (${code || err.name || 'error'})`, 'Check the host and port, that the function runs in subnets that route to the database, and that its security group admits the function\'s.');
}

function queryFailure(err: MysqlError, probe: MysqlProbe): CheckResult {
  if (err.code === 'ER_NO_SUCH_TABLE') return fail('mysql.query', `The lookup query failed: ${explainMysqlError(err)}`, `Set MYSQL_TABLE to the legacy users table (now "${probe.table}"), database-qualified if needed.`);
  if (err.code === 'ER_BAD_FIELD_ERROR') return fail('mysql.query', `The lookup query failed: ${explainMysqlError(err)}`, 'Map the column names with MYSQL_COLUMNS, e.g. {"username":"login","email":"mail"}.');
  if (isServerError(err)) return fail('mysql.query', `The lookup query failed: ${explainMysqlError(err)}`, 'Fix MYSQL_QUERY (a SELECT that takes ? for the login) or MYSQL_TABLE/MYSQL_COLUMNS.');
  return connectFailure(err);
}

/** The lookup mode in words, for messages. */
function modeTextOf(probe: MysqlProbe): string {
  return `${probe.mode.matchEmail ? 'username or email' : 'username'}${probe.mode.caseInsensitive ? ', case-insensitive' : ''}`;
}

/** The statement a sign-in with `login` runs, and its values. */
async function lookupOf(probe: MysqlProbe, login: string, ctx: StoreContext): Promise<{ sql: string; values: string[] }> {
  if (probe.customQuery) return { sql: probe.customQuery.sql, values: Array(probe.customQuery.params).fill(login) };
  const plan = await probe.lookupPlan(probe.mode, ctx);
  return { sql: plan.sql, values: Array(plan.params).fill(login) };
}
