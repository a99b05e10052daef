import type pg from 'pg';
import PgClient from 'pg/lib/client.js';
import { type LookupPlan, citextColumns, lookupPlan } from './lookup.js';
import { explainSqlState, quoteTable } from './sql.js';
import { runChecks, type SelfCheck } from '../../src/checks.js';
import { connectionSlot } from '../sql/connection-slot.js';
import { DeadlineExceededError, StoreUnavailableError } from '../../src/errors.js';
import { type SqlColumns, attemptSql, linkSqlRow, linkSqlRows, reserveParams, totpStepSql, identityFinder, rowToLegacyUser, sqlStoreSettings, userFromRows } from '../sql/rows.js';
import { type LegacyUser, type LookupQuery, type StoreContext, type UserStore } from '../../src/types.js';

/** Which columns hold what (the same for every SQL store). */
export type PostgresColumns = SqlColumns;

/** The smallest slice of `pg.Client` the store uses, so unit tests can hand in a fake. */
export interface PgClientLike {
  connect(): Promise<unknown>;
  query(config: { text: string; values: unknown[]; query_timeout?: number }): Promise<{ rows: Record<string, unknown>[]; fields?: Array<{ name: string }>; rowCount?: number | null }>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Options of {@link createPostgresStore}.
 *
 * @example
 * ```ts
 * { connectionString: 'postgres://app@db:5432/legacy', table: 'accounts', columns: { passwordHash: 'pw' } }
 * ```
 */
export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:5432/db`; or give `connection`. */
  connectionString?: string;
  /** Connection settings, or a function that resolves them (a Secrets Manager secret). Called again after an authentication failure, for rotated secrets. */
  connection?: pg.ClientConfig | (() => Promise<pg.ClientConfig>);
  /** Table, optionally schema-qualified (default `users`). */
  table?: string;
  /** Column names, merged over the defaults. */
  columns?: Partial<PostgresColumns>;
  /**
   * Your own SELECT instead of table/columns: `$1` is the login exactly as sent,
   * and it must return the columns named in `columns`. It must apply the
   * handler's matchEmail and caseInsensitive rules itself.
   */
  query?: string;
  /** Connect timeout in ms (default 1000). */
  connectTimeoutMs?: number;
  /** Query timeout in ms (default 1000); capped by the invocation's remaining time. */
  queryTimeoutMs?: number;
  /** Builds the client; tests pass a fake. Default `new pg.Client(config)`. */
  clientFactory?: (config: pg.ClientConfig) => PgClientLike;
  /**
   * After a successful sign-in, set this timestamp column of the user's row
   * (by id) to now(), once: `csv export --migrated-column` then leaves them
   * out. Best effort, bounded by the deadline; needs UPDATE on the table.
   */
  markMigrated?: { column: string };
  /**
   * The ledger: the completion writes the Cognito user's sub (and the time,
   * with `timeColumn`) to this text column of the user's row, by id. A row
   * with a sub is never migrated again (see the handler's `remigrate`).
   * Needs UPDATE on the columns.
   */
  cognitoSub?: { column: string; timeColumn?: string };
  /** A column of legacy roles (text[], a JSON array, or comma-separated text) the completion maps to groups. */
  groupsColumn?: string;
}

const OPTION_NAMES = ['connectionString', 'connection', 'table', 'columns', 'query', 'connectTimeoutMs', 'queryTimeoutMs', 'clientFactory', 'markMigrated', 'cognitoSub', 'groupsColumn'];
const WHERE = 'createPostgresStore';
// SQLSTATE 28P01/28000: the credentials are wrong, maybe rotated; fetch them again next time.
const AUTH_FAILED = new Set(['28P01', '28000']);

/** The PostgreSQL store with its SQL exposed, for self-checks, `db index` and tests. */
export interface PostgresStore extends UserStore {
  /**
   * Opens the instance's connection now; resolves once it is open or has
   * failed, and never rejects. The Lambda entry awaits it during init (see
   * `startInstance`), so the first sign-in finds the connection made (a
   * failure is tried again by that sign-in).
   */
  warm(): Promise<void>;
  /** The SQL text used for each lookup mode; parameters only, never input. */
  sqlFor(query: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>): string;
  /**
   * The lookup of a mode and its index probes, once the store knows which
   * columns are citext (read from the catalog on first use). Undefined for a
   * custom `query`.
   */
  lookupPlan(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, ctx: StoreContext): Promise<LookupPlan | undefined>;
  /** The quoted table name. */
  readonly quotedTable: string;
  /** Ends the connection, if one is open. */
  close(): Promise<void>;
  checks(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>): SelfCheck[];
}

/**
 * A store that reads legacy users from PostgreSQL rows holding password hashes.
 *
 * One connection per warm Lambda instance, opened on first use, reused across
 * invocations and replaced when it breaks or a query times out. Every query is
 * parameterised; table and column names are validated identifiers.
 *
 * @example
 * ```ts
 * const store = createPostgresStore({
 *   connectionString: process.env.DATABASE_URL,
 *   table: 'legacy.accounts',
 *   columns: { username: 'login', passwordHash: 'pw_hash' },
 * })
 * ```
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  // Long because it is the store: one closure over one connection slot, and each method of the contract a step of
  // a few lines (node-postgres's Pool reads the same way). The shared work lives in adapters/sql/rows.ts.
  const { columns, table, markColumn, ledger, connectTimeoutMs, queryTimeoutMs } = sqlStoreSettings(WHERE, options, { optionNames: OPTION_NAMES, placeholder: '$1', url: 'postgres://user:pass@host:5432/db' });
  const quotedTable = quoteTable(table, WHERE);
  const makeClient = options.clientFactory ?? ((config: pg.ClientConfig) => new PgClient(config) as unknown as PgClientLike);

  // Columns of type citext compare case-insensitively as they are (and their plain index serves that).
  let citext: ReadonlySet<string> = new Set();
  let citextRead: Promise<void> | undefined;
  const readCitext = (ctx: StoreContext) => (citextRead ??= citextColumns((text, values) => run(text, values, ctx), quotedTable, [columns.username, columns.email])
    .then((found) => { citext = found; }, () => { citextRead = undefined; }));

  const sqlFor = (mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>): string =>
    options.query ?? lookupPlan(quotedTable, table, columns, mode, citext).sql;

  const slot = connectionSlot<pg.ClientConfig, PgClientLike>({
    source: () => (typeof options.connection === 'function' ? options.connection() : Promise.resolve(options.connection ?? { connectionString: options.connectionString })),
    async open(config, ctx, discard) {
      const timeout = Math.max(1, Math.min(connectTimeoutMs, ctx.remainingMs()));
      const fresh = makeClient({ application_name: 'cognito-migrate', keepAlive: true, ...config, connectionTimeoutMillis: timeout });
      fresh.on('error', () => discard(fresh));
      try {
        await fresh.connect();
      } catch (err) {
        discard(fresh);
        throw err;
      }
      return fresh;
    },
    destroy(broken) {
      broken.end().catch(() => {});
      // end() waits for a server that may never answer; the socket must go now.
      (broken as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
    },
    end: (c) => c.end(),
  });
  const resolveSettings = () => slot.settings();

  /** Runs one query on the instance's connection; a connection-level failure (not an SQL error) discards it. */
  async function run(text: string, values: unknown[], ctx: StoreContext) {
    const active = await slot.get(ctx);
    try {
      return await active.query({ text, values, query_timeout: Math.max(1, Math.min(queryTimeoutMs, ctx.remainingMs())) });
    } catch (err) {
      if (!isSqlError(err)) slot.discard(active);
      throw err;
    }
  }

  // The ledger's statements: rows and the count of rows changed.
  const execIn = (ctx: StoreContext) => async (text: string, values: unknown[]) => {
    const result = await run(text, values, ctx);
    return { rows: result.rows, affected: result.rowCount ?? 0 };
  };
  const linkTable = { quotedTable, id: columns.id, dialect: 'postgres' as const, enabled: columns.enabled, ...(columns.identities ? { identities: columns.identities } : {}) };

  async function findUser(query: LookupQuery, ctx: StoreContext): Promise<LegacyUser | undefined> {
    // PostgreSQL text cannot hold NUL, so no row can match, and the server would reject the parameter.
    if (query.login.includes('\u0000')) return undefined;
    let rows: Record<string, unknown>[];
    try {
      if (query.caseInsensitive && !options.query) await readCitext(ctx);
      ({ rows } = await run(sqlFor(query), [query.login], ctx));
    } catch (err) {
      throw classify(err, ctx);
    }
    return userFromRows(rows, columns, query, ledger.subColumn);
  }

  async function sampleHashes(limit: number, ctx: StoreContext): Promise<LegacyUser[]> {
    if (options.query) return [];
    const n = Math.max(1, Math.min(200, Math.floor(limit)));
    // Bounded: the first rows with a hash, no sort, no scan of the whole table.
    const { rows } = await run(`SELECT * FROM ${quotedTable} WHERE "${columns.passwordHash}" IS NOT NULL LIMIT ${n}`, [], ctx);
    return rows.map((row) => toLegacyUser(row, columns));
  }

  function classify(err: unknown, ctx: StoreContext): StoreUnavailableError {
    const e = err as { code?: string; message?: string; severity?: string };
    const sqlError = isSqlError(err);
    if (e.code && AUTH_FAILED.has(e.code)) slot.forgetSettings();
    if (ctx.remainingMs() <= 0 || e.message === 'Query read timeout' || /timeout/i.test(e.message ?? '')) {
      return new DeadlineExceededError('postgres', Math.min(queryTimeoutMs, connectTimeoutMs), { cause: err });
    }
    // Data and constraint errors quote values; only schema errors keep the server's text.
    const detail = sqlError ? explainSqlState(e) : (e.code ?? (err instanceof Error ? err.name : 'unknown error'));
    return new StoreUnavailableError('postgres', detail, { cause: err });
  }

  const store: PostgresStore = {
    name: 'postgres',
    quotedTable,
    sqlFor,
    async lookupPlan(mode, ctx) {
      if (options.query) return undefined;
      if (mode.caseInsensitive) await readCitext(ctx);
      return lookupPlan(quotedTable, table, columns, mode, citext);
    },
    findUser,
    sampleHashes,
    ...(markColumn ? {
      async markMigrated(user: LegacyUser, ctx: StoreContext) {
        // Once: the first migration's time stays.
        await run(`UPDATE ${quotedTable} SET "${markColumn}" = now() WHERE "${columns.id}" = $1 AND "${markColumn}" IS NULL`, [user.id], ctx);
      },
    } : {}),
    ...(columns.failedAttempts ? {
      async reserveAttempt(user, policy, ctx, retry) {
        const keyed = Boolean(columns.attemptKey && retry);
        return ((await run(attemptSql('reserve', quotedTable, columns, 'postgres', keyed), reserveParams('postgres', user.id, policy, keyed ? retry : undefined), ctx)).rowCount ?? 0) > 0;
      },
      async recordAttempt(user, outcome, _policy, ctx) {
        // Failures were counted by the reservation; a success gives the attempts back.
        if (outcome === 'success') await run(attemptSql('success', quotedTable, columns, 'postgres'), [user.id], ctx);
      },
    } satisfies Pick<UserStore, 'recordAttempt' | 'reserveAttempt'> : {}),
    ...(columns.identities ? { findByIdentity: identityFinder({ quotedTable, dialect: 'postgres' }, columns, ledger.subColumn, (sql, values, ctx) => run(sql, values, ctx).then((r) => r.rows, (err) => { throw classify(err, ctx); })) } : {}),
    ...(columns.totpLastStep ? {
      async useTotpStep(user: LegacyUser, step: number, ctx: StoreContext) {
        const { sql, params } = totpStepSql(quotedTable, columns, 'postgres');
        return ((await run(sql, params(user.id, step), ctx)).rowCount ?? 0) > 0;
      },
    } satisfies Pick<UserStore, 'useTotpStep'> : {}),
    ...(ledger.subColumn || ledger.groupsColumn ? {
      async linkAccount(link, ctx) {
        try {
          return await linkSqlRow(link, ledger, linkTable, execIn(ctx));
        } catch (err) {
          // An id the key's type cannot hold (text in a bigint column) names no row.
          if (isSqlError(err) && ['22P02', '22003'].includes((err as { code: string }).code)) return { outcome: 'no_row' };
          throw classify(err, ctx);
        }
      },
      async linkAccounts(links, ctx) {
        try {
          return await linkSqlRows(links, ledger, linkTable, execIn(ctx));
        } catch (err) {
          // An id the key's type cannot hold (text in a bigint column) fails the whole statement: each link alone then.
          if (isSqlError(err) && ['22P02', '22003'].includes((err as { code: string }).code)) return Promise.all(links.map((l) => this.linkAccount!(l, ctx)));
          throw classify(err, ctx);
        }
      },
    } satisfies Pick<UserStore, 'linkAccount' | 'linkAccounts'> : {}),
    // The check code loads only when a self-check runs, not at every cold start.
    checks: (mode) => [{ id: 'postgres', run: async () => runChecks((await import('./checks.js')).postgresChecks({
      mode, columns, table, sqlFor, quotedTable, ...(markColumn ? { markColumn } : {}), ledger, customQuery: options.query !== undefined, lookupPlan: (m, c) => store.lookupPlan(m, c), fromSecret: typeof options.connection === 'function' && (options.connection as { fromSecret?: boolean }).fromSecret !== false,
      settings: resolveSettings,
      query: run,
    })).then((r) => r.checks) }],
    async warm() {
      const deadline = Date.now() + connectTimeoutMs;
      await slot.get({ signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) }).then(() => {}, () => {});
    },
    close: () => slot.close(),
  };
  return store;
}

/** A row as a legacy user: the hash column never lands in `fields`. */
export const toLegacyUser = rowToLegacyUser;

/** An error the server raised about the statement (it has a SQLSTATE and a severity); the connection is fine. */
function isSqlError(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string';
}
