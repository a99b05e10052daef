// The PostgreSQL store's self-checks, run by the self-check invocation with
// the function's own role and network: the credentials, the connection and
// its TLS, the lookup query and its columns, the repeated logins, the columns
// the guessing limit, the ledger and the mark write (with the grants they
// need), the connections left, and the lookup's indexes. Each check is one
// function; which run is sqlCheckList's rule. Loaded only when a self-check runs.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { type CheckResult, type SelfCheck, fail, pass, warn } from '../../src/checks.js';
import { ConfigurationError } from '../../src/errors.js';
import type { SqlLedger } from '../sql/rows.js';
import { repeatedLoginsCheck, sqlCheckList, tlsVerdict } from '../sql/checks.js';
import { type LookupQuery, type StoreContext } from '../../src/types.js';
import { SCAN_ROWS_LIMIT, estimatedRows, explain, indexAdvice, scannedRelations } from './explain.js';
import type { LookupPlan } from './lookup.js';
import { explainSqlState, isLocalHost } from './sql.js';
import type { PostgresColumns } from './store.js';

/** What the checks need from the store, without reaching into its connection handling. */
export interface PostgresProbe {
  mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>;
  columns: PostgresColumns;
  table: string;
  fromSecret: boolean;
  sqlFor(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>): string;
  lookupPlan(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, ctx: StoreContext): Promise<LookupPlan | undefined>;
  quotedTable: string;
  /** The column markMigrated sets, when configured. */
  markColumn?: string;
  /** The ledger columns the completion writes and reads. */
  ledger: SqlLedger;
  /** True for a custom PG_QUERY, whose matching rules the checks cannot know. */
  customQuery?: boolean;
  settings(): Promise<pg.ClientConfig>;
  query(text: string, values: unknown[], ctx: StoreContext): Promise<{ rows: Record<string, unknown>[]; fields?: Array<{ name: string }> }>;
}

const checkContext = (ms = 3000): StoreContext => {
  const deadline = Date.now() + ms;
  return { signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
};

type PgError = { code?: string; name?: string; message?: string; severity?: string };

/**
 * The PostgreSQL store's deep checks: credentials readable, server reachable,
 * lookup query valid (table and columns exist). Run by the self-check
 * invocation inside the deployed function.
 *
 * @example
 * ```ts
 * const report = await runChecks(store.checks({ matchEmail: true, caseInsensitive: false }))
 * ```
 */
export function postgresChecks(probe: PostgresProbe): SelfCheck[] {
  return sqlCheckList(probe, {
    credentials: credentialsCheck(probe), connect: connectCheck(probe), query: queryCheck(probe),
    repeated: () => repeatedLoginsCheck({
      dialect: 'postgres', table: probe.table, quotedTable: probe.quotedTable, columns: probe.columns, mode: probe.mode,
      count: async (sql) => Number((await probe.query(sql, [], checkContext())).rows[0]?.repeated),
    }),
    lockout: () => lockoutCheck(probe), ledger: () => ledgerCheck(probe), markMigrated: () => markMigratedCheck(probe),
    connections: connectionsCheck(probe), index: indexCheck(probe),
  });
}

function credentialsCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.credentials',
    async run(): Promise<CheckResult> {
      try {
        await probe.settings();
        return pass('postgres.credentials', probe.fromSecret ? 'Database credentials read from Secrets Manager' : 'Connection settings present');
      } catch (err) {
        return credentialsFailure(err as PgError);
      }
    },
  };
}

function queryCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.query',
    async run(): Promise<CheckResult[]> {
      // A login no row can have: the query runs for real and returns no user.
      const login = `cognito-migrate-self-check-${randomBytes(6).toString('hex')}`;
      let fields: string[];
      try {
        const result = await probe.query(probe.sqlFor(probe.mode), [login], checkContext());
        fields = (result.fields ?? []).map((f) => f.name);
        if (result.rows.length > 0) {
          return [fail('postgres.query', 'The lookup query returned a row for a login no user has', 'A custom PG_QUERY must filter on $1, the login Cognito sends.')];
        }
      } catch (err) {
        return [queryFailure(err as PgError, probe)];
      }
      const { columns } = probe;
      const results: CheckResult[] = [];
      if (!fields.includes(columns.passwordHash)) {
        results.push(fail('postgres.columns', `The lookup query returns no "${columns.passwordHash}" column, so no password can be verified`, `Set PG_COLUMNS={"passwordHash":"<your hash column>"} or alias the column in PG_QUERY.`));
      }
      if (!fields.includes(columns.enabled)) {
        results.push(warn('postgres.columns', `No "${columns.enabled}" column: every legacy user counts as active, disabled accounts included`, `Return a boolean "${columns.enabled}" column (or set PG_COLUMNS enabled) so inactive users are never migrated.`));
      }
      results.unshift(pass('postgres.query', `Lookup query on ${probe.table} runs (${probe.mode.matchEmail ? 'username or email' : 'username'}${probe.mode.caseInsensitive ? ', case-insensitive' : ''})`));
      if (results.every((r) => r.id !== 'postgres.columns')) results.push(pass('postgres.columns', `Columns present: ${[columns.passwordHash, columns.enabled].join(', ')}`));
      return results;
    },
  };
}

function lockoutCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.lockout',
    async run(): Promise<CheckResult> {
      const ctx = checkContext();
      const written = [probe.columns.failedAttempts!, probe.columns.lockedUntil!, ...(probe.columns.attemptKey ? [probe.columns.attemptKey] : [])];
      try {
        await probe.query(`SELECT ${written.map((c) => `"${c}"`).join(', ')} FROM ${probe.quotedTable} LIMIT 0`, [], ctx);
      } catch (err) {
        return fail('postgres.lockout', `The guessing limit cannot use its columns: ${explainSqlState(err as PgError)}`, `Add them: ALTER TABLE ${probe.quotedTable} ADD COLUMN "${written[0]}" integer NOT NULL DEFAULT 0, ADD COLUMN "${written[1]}" timestamptz;`);
      }
      const { rows } = await probe.query(`SELECT ${written.map((_, i) => `has_column_privilege(to_regclass($1), $${i + 2}, 'UPDATE') AS c${i}`).join(', ')}`, [probe.quotedTable, ...written], ctx);
      const denied = written.filter((_, i) => rows[0]?.[`c${i}`] !== true);
      return denied.length
        ? fail('postgres.lockout', `The database user may not UPDATE ${denied.join(', ')} of ${probe.table}: failed sign-ins are not counted, and nothing is ever locked`, `GRANT UPDATE (${denied.map((c) => `"${c}"`).join(', ')}) ON ${probe.quotedTable} TO the function's database user.`)
        : pass('postgres.lockout', `Failed sign-ins are counted in ${probe.table}.${written[0]}, locks kept in ${written[1]}`);
    },};
}

function ledgerCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.ledger',
    async run(): Promise<CheckResult> {
      const ctx = checkContext();
      const { subColumn, subTimeColumn, groupsColumn } = probe.ledger;
      const all = [subColumn, subTimeColumn, groupsColumn].filter((c): c is string => Boolean(c));
      try {
        await probe.query(`SELECT ${all.map((c) => `"${c}"`).join(', ')} FROM ${probe.quotedTable} LIMIT 0`, [], ctx);
      } catch (err) {
        return fail('postgres.ledger', `The completion cannot use the ledger columns: ${explainSqlState(err as PgError)}`, `Add them: ALTER TABLE ${probe.quotedTable} ${[subColumn && `ADD COLUMN "${subColumn}" text`, subTimeColumn && `ADD COLUMN "${subTimeColumn}" timestamptz`, groupsColumn && `ADD COLUMN "${groupsColumn}" text[]`].filter(Boolean).join(', ')}; (or fix PG_COGNITO_SUB_COLUMN, PG_COGNITO_SUB_TIME_COLUMN, PG_GROUPS_COLUMN).`);
      }
      const written = [subColumn, subTimeColumn].filter((c): c is string => Boolean(c));
      if (written.length) {
        const { rows } = await probe.query(`SELECT ${written.map((_, i) => `has_column_privilege(to_regclass($1), $${i + 2}, 'UPDATE') AS c${i}`).join(', ')}`, [probe.quotedTable, ...written], ctx);
        const denied = written.filter((_, i) => rows[0]?.[`c${i}`] !== true);
        if (denied.length) return fail('postgres.ledger', `The database user may not UPDATE ${denied.join(', ')} of ${probe.table}: no migration can complete, and moved users are not refused`, `GRANT UPDATE (${denied.map((c) => `"${c}"`).join(', ')}) ON ${probe.quotedTable} TO the function's database user.`);
      }
      return pass('postgres.ledger', `The completion ${subColumn ? `writes the Cognito sub to ${probe.table}.${subColumn}${subTimeColumn ? ` (time in ${subTimeColumn})` : ''}` : 'writes no sub'}${groupsColumn ? ` and reads roles from ${groupsColumn}` : ''}`);
    },};
}

function markMigratedCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.mark-migrated',
    async run(): Promise<CheckResult> {
      const ctx = checkContext();
      try {
        await probe.query(`SELECT "${probe.markColumn}" FROM ${probe.quotedTable} LIMIT 0`, [], ctx);
      } catch (err) {
        return fail('postgres.mark-migrated', `Migrations cannot be recorded: ${explainSqlState(err as PgError)}`, `Add the column: ALTER TABLE ${probe.quotedTable} ADD COLUMN "${probe.markColumn}" timestamptz;`);
      }
      const { rows } = await probe.query("SELECT has_table_privilege(to_regclass($1), 'UPDATE') AS can", [probe.quotedTable], ctx);
      return rows[0]?.can === true
        ? pass('postgres.mark-migrated', `Migrated users are recorded in ${probe.table}.${probe.markColumn}`)
        : fail('postgres.mark-migrated', `The database user may not UPDATE ${probe.table}, so migrations cannot be recorded (sign-ins still work)`, `GRANT UPDATE ("${probe.markColumn}") ON ${probe.quotedTable} TO the function's database user, or unset PG_MARK_MIGRATED_COLUMN.`);
    },};
}

function connectionsCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.connections',
    async run(): Promise<CheckResult> {
      const { rows } = await probe.query(
        "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved, (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used",
        [], checkContext(),
      );
      const max = Number(rows[0]?.max);
      const used = Number(rows[0]?.used);
      const reserved = Number(rows[0]?.reserved);
      const available = Math.max(0, max - reserved - used);
      let viaProxy = 0;
      try {
        const settings = await probe.settings();
        viaProxy = /\.proxy-[a-z0-9]+\./i.test(String(settings.host ?? settings.connectionString ?? '')) ? 1 : 0;
      } catch {
        // the credentials check reports this
      }
      const result = pass('postgres.connections', `max_connections ${max}, ${used} in use, ${reserved} reserved for superusers: room for ${available} more${viaProxy ? ' (through RDS Proxy, which pools them)' : ''}; each warm instance of this function holds one`);
      return { ...result, data: { maxConnections: max, inUse: used, available, viaProxy } };
    },
  };
}

function indexCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.index',
    async run(): Promise<CheckResult> {
      const ctx = checkContext();
      const query = (text: string, values: unknown[]) => probe.query(text, values, ctx);
      const plan = await probe.lookupPlan(probe.mode, ctx);
      const mode = `${probe.mode.matchEmail ? 'username or email' : 'username'}${probe.mode.caseInsensitive ? ', case-insensitive' : ''}`;
      if (!plan) {
        // A custom query: its own plan, each relation it scans weighed by its size.
        const scanned = scannedRelations(await explain(query, probe.sqlFor(probe.mode), 'cognito-migrate-explain@example.com'));
        const large: string[] = [];
        for (const relation of scanned) if ((await estimatedRows(query, relation)) > SCAN_ROWS_LIMIT) large.push(relation);
        return large.length
          ? warn('postgres.index', `The custom PG_QUERY scans ${large.join(', ')} (over ${SCAN_ROWS_LIMIT.toLocaleString('en')} rows) on every sign-in`, 'Index the columns its WHERE clause compares with $1, as the expression it uses (lower(col) for lower(col) = lower($1)).')
          : pass('postgres.index', 'The custom PG_QUERY reads no large table with a sequential scan');
      }
      const advice = await indexAdvice(query, probe.quotedTable, plan);
      if (advice.missing.length === 0) return pass('postgres.index', `Every probe of the lookup (${mode}) uses an index: ${advice.indexed.map((i) => i.index).join(', ')}`);
      const rows = Math.round(advice.rows).toLocaleString('en');
      if (advice.rows <= SCAN_ROWS_LIMIT) return pass('postgres.index', `The lookup (${mode}) scans ${probe.table} (about ${rows} rows), which is small enough`);
      return warn('postgres.index', `The lookup (${mode}) scans ${probe.table} (about ${rows} rows) on every sign-in: ${advice.missing.map((m) => m.probe.index.expression).join(', ')} has no index`, `Run: ${advice.missing.map((m) => `${m.statement};`).join(' ')} (or npx cognito-migrate db index --apply)`);
    },
  };
}

function connectCheck(probe: PostgresProbe): SelfCheck {
  return {
    id: 'postgres.connect',
    async run(): Promise<CheckResult[]> {
      let mode: string;
      let local = false;
      try {
        const settings = await probe.settings();
        mode = tlsMode(settings.ssl);
        local = isLocalHost(settings.host ?? hostOf(settings.connectionString));
      } catch {
        mode = 'unknown';
      }
      try {
        const { rows } = await probe.query('SELECT current_setting(\'server_version\') AS version, current_database() AS db, coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS tls', [], checkContext());
        const tls = rows[0]?.tls === true;
        return [
          pass('postgres.connect', `Connected to PostgreSQL ${rows[0]?.version} (database ${rows[0]?.db})`),
          tlsVerdict('postgres', mode, local, tls, 'PG_SSL=disable or sslmode=disable'),
        ];
      } catch (err) {
        return [connectFailure(err as PgError), pass('postgres.tls', `TLS mode ${mode}`)];
      }
    },
  };
}

function credentialsFailure(err: PgError): CheckResult {
  if (err instanceof ConfigurationError) return fail('postgres.credentials', err.message, err.fix);
  const name = err.name ?? 'Error';
  const fixes: Record<string, string> = {
    AccessDeniedException: 'Give the function role secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key if it uses a customer managed key).',
    ResourceNotFoundException: 'The secret does not exist in this account and region; check DATABASE_SECRET_ARN.',
    DecryptionFailure: 'The role cannot decrypt the secret; allow kms:Decrypt on the secret\'s KMS key.',
  };
  return fail('postgres.credentials', `Could not read the database secret: ${name}`, fixes[name] ?? 'Check DATABASE_SECRET_ARN and the role\'s permissions.');
}

function connectFailure(err: PgError): CheckResult {
  const code = err.code ?? '';
  if (code === '28P01' || code === '28000') return fail('postgres.connect', `PostgreSQL refused the credentials (SQLSTATE ${code})`, 'Check the user and password in DATABASE_URL or the secret, and pg_hba.conf.');
  if (code === '3D000') return fail('postgres.connect', 'The database named in the connection settings does not exist (SQLSTATE 3D000)', 'Fix the database name (dbname in the secret, the path of DATABASE_URL).');
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return fail('postgres.connect', `TLS certificate not trusted (${code})`, 'For RDS the Amazon roots are read from /var/runtime/ca-cert.pem; for another CA set PG_SSL_CA_FILE to its PEM bundle (PG_SSL=require encrypts without checking, as a last resort).');
  }
  const what = code || (/timeout/i.test(err.message ?? '') ? 'connection timeout' : (err.name ?? 'error'));
  return fail('postgres.connect', `Could not reach PostgreSQL (${what})`, 'Check the host and port, that the function runs in subnets that route to the database, and that the database security group admits the function\'s.');
}

function queryFailure(err: PgError, probe: PostgresProbe): CheckResult {
  if (err.severity && err.code === '42P01') {
    return fail('postgres.query', `The lookup query failed: ${err.message} (SQLSTATE 42P01)`, `Set PG_TABLE to the legacy users table (now "${probe.table}"), schema-qualified if needed.`);
  }
  if (err.severity && err.code === '42703') {
    return fail('postgres.query', `The lookup query failed: ${err.message} (SQLSTATE 42703)`, 'Map the column names with PG_COLUMNS, e.g. {"username":"login","email":"mail"}.');
  }
  if (err.severity) return fail('postgres.query', `The lookup query failed: ${explainSqlState(err)}`, 'Fix PG_QUERY (it must be a SELECT that takes $1) or PG_TABLE/PG_COLUMNS.');
  return connectFailure(err);
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? decodeURIComponent(new URL(url).hostname) : undefined;
  } catch {
    return undefined;
  }
}

function tlsMode(ssl: unknown): string {
  if (!ssl) return 'disable';
  return (ssl as { rejectUnauthorized?: boolean }).rejectUnauthorized === false ? 'require' : 'verify-full';
}
