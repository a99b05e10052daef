import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { runChecks, type SelfCheck } from '../../src/checks.js';
import { connectionSlot } from '../sql/connection-slot.js';
import { DeadlineExceededError, StoreUnavailableError } from '../../src/errors.js';
import { type SqlColumns, attemptSql, linkSqlRow, linkSqlRows, reserveParams, totpStepSql, identityFinder, rowToLegacyUser, sqlStoreSettings, userFromRows } from '../sql/rows.js';
import type { LegacyUser, LookupQuery, StoreContext, UserStore } from '../../src/types.js';
import { type Collations, type MysqlError, type MysqlLookupPlan, explainMysqlError, isServerError, lookupPlan, quoteTable } from './sql.js';

/** The smallest slice of a mysql2/promise connection the store uses, so tests can hand in a fake. */
export interface MysqlConnectionLike {
  execute(options: { sql: string; timeout?: number }, values: unknown[]): Promise<[unknown, unknown]>;
  end(): Promise<void>;
  destroy(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Options of {@link createMysqlStore}.
 *
 * @example
 * ```ts
 * { connectionString: 'mysql://app@db:3306/legacy', table: 'accounts', columns: { passwordHash: 'pw' } }
 * ```
 */
export interface MysqlStoreOptions {
  /** `mysql://user:pass@host:3306/db`; or give `connection`. */
  connectionString?: string;
  /** mysql2 connection options, or a function that resolves them (a Secrets Manager secret). Called again after an authentication failure. */
  connection?: ConnectionOptions | (() => Promise<ConnectionOptions>);
  /** Table, optionally database-qualified (default `users`). */
  table?: string;
  /** Column names, merged over the defaults. */
  columns?: Partial<SqlColumns>;
  /**
   * Your own SELECT instead of table/columns: every `?` is the login exactly
   * as sent, and it must return the columns named in `columns`. It must apply
   * the handler's matchEmail and caseInsensitive rules itself.
   */
  query?: string;
  /** Connect timeout in ms (default 1000). */
  connectTimeoutMs?: number;
  /** Query timeout in ms (default 1000); capped by the invocation's remaining time. */
  queryTimeoutMs?: number;
  /** Opens the connection; tests pass a fake. Default mysql2's `createConnection`. */
  connect?: (options: ConnectionOptions) => Promise<MysqlConnectionLike>;
  /** After a successful sign-in, set this timestamp column of the user's row to now(), once. */
  markMigrated?: { column: string };
  /** The ledger column the completion writes the Cognito sub to (and the time, with `timeColumn`); see the PostgreSQL store. */
  cognitoSub?: { column: string; timeColumn?: string };
  /** A column of legacy roles (a JSON array or comma-separated text) the completion maps to groups. */
  groupsColumn?: string;
}

const OPTION_NAMES = ['connectionString', 'connection', 'table', 'columns', 'query', 'connectTimeoutMs', 'queryTimeoutMs', 'connect', 'markMigrated', 'cognitoSub', 'groupsColumn'];
const WHERE = 'createMysqlStore';
// The server cannot compare the login with the column: its characters are outside the column's character set.
const CANNOT_COMPARE = new Set(['ER_CANT_AGGREGATE_2COLLATIONS', 'ER_CANT_AGGREGATE_3COLLATIONS', 'ER_CANT_AGGREGATE_NCOLLATIONS']);
// Wrong credentials, maybe rotated: fetch them again next time.
const AUTH_FAILED = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR']);

/** The MySQL store with its SQL exposed, for self-checks, `db index` and tests. */
export interface MysqlStore extends UserStore {
  /**
   * Opens the instance's connection now; resolves once it is open or has
   * failed, and never rejects. The Lambda entry awaits it during init (see
   * `startInstance`), so the first sign-in finds the connection made (a
   * failure is tried again by that sign-in).
   */
  warm(): Promise<void>;
  /** The lookup of a mode once the store knows the columns' collations; undefined for a custom `query`. */
  lookupPlan(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, ctx: StoreContext): Promise<MysqlLookupPlan | undefined>;
  readonly quotedTable: string;
  close(): Promise<void>;
  checks(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>): SelfCheck[];
}

/**
 * mysql2 settings every connection gets: exact big numbers, UTC dates, BOOLEAN and BIT(1) read as booleans.
 * @example await mysql.createConnection({ ...BASE_OPTIONS, uri })
 */
export const BASE_OPTIONS: ConnectionOptions = {
  supportBigNumbers: true,
  bigNumberStrings: true,
  timezone: 'Z',
  charset: 'utf8mb4',
  typeCast: (field, next) => {
    if (field.type === 'BIT' && field.length === 1) {
      const bytes = field.buffer();
      return bytes === null ? null : bytes[0] === 1;
    }
    // BOOLEAN is TINYINT(1): 0 and 1 read as false and true; any other number stays a number (and fails closed as a flag).
    if (field.type === 'TINY' && field.length === 1) {
      const text = field.string();
      return text === null ? null : text === '0' ? false : text === '1' ? true : Number(text);
    }
    return next();
  },
};

/**
 * Opens a mysql2 promise connection, loading the driver on first use; a
 * `mariadb://` URI is read as `mysql://`.
 * @example const conn = await connectMysql({ ...BASE_OPTIONS, uri: 'mariadb://app@db/legacy' })
 */
export async function connectMysql(options: ConnectionOptions): Promise<Connection> {
  // A CommonJS module: bundlers put its exports under default, Node also as named ones.
  const mysql = await import('mysql2/promise');
  const create = mysql.createConnection ?? (mysql as unknown as { default: typeof mysql }).default.createConnection;
  return create(options.uri ? { ...options, uri: options.uri.replace(/^mariadb:/, 'mysql:') } : options);
}

/**
 * A store that reads legacy users from MySQL or MariaDB rows holding password
 * hashes, with the same options and lookup modes as the PostgreSQL store.
 * One connection per warm Lambda instance, replaced when it breaks or a query
 * times out. Every lookup is a server-side prepared statement: the login never
 * becomes SQL text; table and column names are validated identifiers.
 *
 * @example
 * ```ts
 * const store = createMysqlStore({ connectionString: process.env.DATABASE_URL, table: 'legacy.accounts', columns: { username: 'login' } })
 * ```
 */
export function createMysqlStore(options: MysqlStoreOptions): MysqlStore {
  // Long because it is the store: one closure over one connection slot, and each method of the contract a step of
  // a few lines. The shared work lives in adapters/sql/rows.ts.
  const { columns, table, markColumn, ledger, connectTimeoutMs, queryTimeoutMs } = sqlStoreSettings(WHERE, options, { optionNames: OPTION_NAMES, placeholder: '?', url: 'mysql://user:pass@host:3306/db' });
  const quotedTable = quoteTable(table, WHERE);
  const customParams = options.query ? (options.query.match(/\?/g) ?? []).length : 0;
  const open = options.connect ?? (async (o: ConnectionOptions) => (await connectMysql(o)) as unknown as MysqlConnectionLike);

  let collations: Collations = new Map();
  let collationsRead: Promise<void> | undefined;
  const readCollations = (ctx: StoreContext) => (collationsRead ??= run(
    'SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME IN (?, ?)',
    [table.includes('.') ? table.split('.')[0] : null, table.split('.').pop(), columns.username, columns.email], ctx,
  ).then((rows) => { collations = new Map(rows.map((r) => [String(r.name), String(r.collation ?? '')])); }, () => { collationsRead = undefined; }));

  const slot = connectionSlot<ConnectionOptions, MysqlConnectionLike>({
    source: () => (typeof options.connection === 'function' ? options.connection() : Promise.resolve(options.connection ?? { uri: options.connectionString! })),
    async open(config, ctx, discard) {
      const timeout = Math.max(1, Math.min(connectTimeoutMs, ctx.remainingMs()));
      const fresh = await open({ ...BASE_OPTIONS, enableKeepAlive: true, ...config, connectTimeout: timeout });
      fresh.on('error', () => discard(fresh));
      return fresh;
    },
    // destroy, not end: end waits for a server that may never answer.
    destroy: (c) => c.destroy(),
    end: (c) => c.end(),
  });
  const resolveSettings = () => slot.settings();

  /** Runs one prepared statement on the instance's connection; a connection-level failure discards it. */
  async function execute(sql: string, values: unknown[], ctx: StoreContext): Promise<{ rows: Record<string, unknown>[]; fields: string[]; affected: number }> {
    const active = await slot.get(ctx);
    try {
      const [rows, fields] = await active.execute({ sql, timeout: Math.max(1, Math.min(queryTimeoutMs, ctx.remainingMs())) }, values);
      const affected = Array.isArray(rows) ? 0 : Number((rows as { affectedRows?: number } | null)?.affectedRows ?? 0);
      return { rows: Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [], fields: Array.isArray(fields) ? fields.map((f: { name: string }) => f.name) : [], affected };
    } catch (err) {
      if (!isServerError(err)) slot.discard(active);
      throw err;
    }
  }
  const run = async (sql: string, values: unknown[], ctx: StoreContext) => (await execute(sql, values, ctx)).rows;

  const planFor = async (mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, ctx: StoreContext) => {
    await readCollations(ctx);
    return lookupPlan(quotedTable, columns, mode, collations);
  };

  async function findUser(query: LookupQuery, ctx: StoreContext): Promise<LegacyUser | undefined> {
    let rows: Record<string, unknown>[];
    try {
      if (options.query) rows = await run(options.query, Array(customParams).fill(query.login), ctx);
      else {
        const plan = await planFor(query, ctx);
        rows = await run(plan.sql, Array(plan.params).fill(query.login), ctx);
      }
    } catch (err) {
      // A login the column's character set cannot hold (an emoji in a latin1 table): no row can have it.
      if (CANNOT_COMPARE.has((err as MysqlError).code ?? '')) return undefined;
      throw classify(err, ctx);
    }
    return userFromRows(rows, columns, query, ledger.subColumn);
  }

  function classify(err: unknown, ctx: StoreContext): StoreUnavailableError {
    const e = err as MysqlError;
    if (e.code && AUTH_FAILED.has(e.code)) slot.forgetSettings();
    if (ctx.remainingMs() <= 0 || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
      return new DeadlineExceededError('mysql', Math.min(queryTimeoutMs, connectTimeoutMs), { cause: err });
    }
    // Data and duplicate-key errors quote values; only schema errors keep the server's text.
    const detail = isServerError(err) ? explainMysqlError(e) : (e.code ?? (err instanceof Error ? err.name : 'unknown error'));
    return new StoreUnavailableError('mysql', detail, { cause: err });
  }

  const store: MysqlStore = {
    name: 'mysql',
    quotedTable,
    async lookupPlan(mode, ctx) {
      return options.query ? undefined : planFor(mode, ctx);
    },
    findUser,
    async sampleHashes(limit, ctx) {
      if (options.query) return [];
      const n = Math.max(1, Math.min(200, Math.floor(limit)));
      const rows = await run(`SELECT * FROM ${quotedTable} WHERE \`${columns.passwordHash}\` IS NOT NULL LIMIT ${n}`, [], ctx);
      return rows.map((row) => rowToLegacyUser(row, columns));
    },
    ...(markColumn ? {
      async markMigrated(user: LegacyUser, ctx: StoreContext) {
        await run(`UPDATE ${quotedTable} SET \`${markColumn}\` = CURRENT_TIMESTAMP(3) WHERE \`${columns.id}\` = ? AND \`${markColumn}\` IS NULL`, [user.id], ctx);
      },
    } : {}),
    ...(columns.failedAttempts ? {
      async reserveAttempt(user, policy, ctx, retry) {
        const keyed = Boolean(columns.attemptKey && retry);
        return (await execute(attemptSql('reserve', quotedTable, columns, 'mysql', keyed), reserveParams('mysql', user.id, policy, keyed ? retry : undefined), ctx)).affected > 0;
      },
      async recordAttempt(user, outcome, _policy, ctx) {
        // Failures were counted by the reservation; a success gives the attempts back.
        if (outcome === 'success') await run(attemptSql('success', quotedTable, columns, 'mysql'), [user.id], ctx);
      },
    } satisfies Pick<UserStore, 'recordAttempt' | 'reserveAttempt'> : {}),
    ...(columns.identities ? { findByIdentity: identityFinder({ quotedTable, dialect: 'mysql', ...(columns.identitiesTable ? { quotedSideTable: sideTable(quotedTable, columns.identitiesTable) } : {}) }, columns, ledger.subColumn, (sql, values, ctx) => run(sql, values, ctx).catch((err) => { throw classify(err, ctx); })) } : {}),
    ...(columns.totpLastStep ? {
      async useTotpStep(user: LegacyUser, step: number, ctx: StoreContext) {
        const { sql, params } = totpStepSql(quotedTable, columns, 'mysql');
        return (await execute(sql, params(user.id, step), ctx)).affected > 0;
      },
    } satisfies Pick<UserStore, 'useTotpStep'> : {}),
    ...(ledger.subColumn || ledger.groupsColumn ? {
      async linkAccount(link, ctx) {
        try {
          return await linkSqlRow(link, ledger, { quotedTable, id: columns.id, dialect: 'mysql', enabled: columns.enabled, ...(columns.identities ? { identities: columns.identities } : {}) }, (sql, values) => execute(sql, values, ctx));
        } catch (err) {
          throw classify(err, ctx);
        }
      },
      async linkAccounts(links, ctx) {
        try {
          return await linkSqlRows(links, ledger, { quotedTable, id: columns.id, dialect: 'mysql', enabled: columns.enabled, ...(columns.identities ? { identities: columns.identities } : {}) }, (sql, values) => execute(sql, values, ctx));
        } catch (err) {
          throw classify(err, ctx);
        }
      },
    } satisfies Pick<UserStore, 'linkAccount' | 'linkAccounts'> : {}),
    checks: (mode) => [{ id: 'mysql', run: async () => runChecks((await import('./checks.js')).mysqlChecks({
      mode, columns, table, quotedTable, ...(markColumn ? { markColumn } : {}), ledger,
      fromSecret: typeof options.connection === 'function' && (options.connection as { fromSecret?: boolean }).fromSecret !== false,
      customQuery: options.query ? { sql: options.query, params: customParams } : undefined,
      lookupPlan: (m, c) => planFor(m, c),
      settings: resolveSettings,
      query: run,
      fields: async (sql, values, ctx) => (await execute(sql, values, ctx)).fields,
    })).then((r) => r.checks) }],
    async warm() {
      const deadline = Date.now() + connectTimeoutMs;
      await slot.get({ signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) }).then(() => {}, () => {});
    },
    close: () => slot.close(),
  };
  return store;
}

/**
 * The side table's quoted name: in the users table's schema.
 * @example sideTable('`legacy`.`users`', 'users_cm_identities') // '`legacy`.`users_cm_identities`'
 */
export function sideTable(quotedTable: string, name: string): string {
  const dot = quotedTable.lastIndexOf('`.`');
  return `${dot >= 0 ? quotedTable.slice(0, dot + 2) : ''}\`${name}\``;
}
