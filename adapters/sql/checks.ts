// The self-check both SQL stores share: logins that more than one row holds
// under the handler's lookup mode, counted by one bounded statement. It loads
// with the stores' other checks, only when a self-check runs.
import { type CheckResult, type SelfCheck, fail, pass, warn } from '../../src/checks.js';
import type { LookupQuery } from '../../src/types.js';
import type { SqlColumns, SqlLedger } from './rows.js';

/**
 * A bounded statement that counts the logins more than one row holds under a
 * lookup mode (at most `limit` + 1 of them, so the answer says "over
 * `limit`" without grouping further): the same username twice, case variants
 * when matching case-insensitively, one row's username equal to another's
 * email when matching emails. It returns a count only, never a login.
 *
 * @example
 * ```ts
 * repeatedLoginsSql('"legacy"."users"', DEFAULT_COLUMNS, { matchEmail: true, caseInsensitive: true }, 'postgres', 1000)
 * ```
 */
export function repeatedLoginsSql(quotedTable: string, columns: SqlColumns, mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, dialect: 'postgres' | 'mysql', limit: number): string {
  const q = (c: string) => (dialect === 'postgres' ? `"${c}"` : `\`${c}\``);
  // MySQL's usual collations fold case and accents; the lookup compares bytes, so grouping must too.
  const key = (c: string) => {
    const folded = mode.caseInsensitive ? `lower(${q(c)})` : q(c);
    return dialect === 'mysql' ? `CAST(${folded} AS BINARY)` : folded;
  };
  const logins = [`SELECT ${key(columns.username)} AS login FROM ${quotedTable}`];
  // A row whose email is its own username is one login, not two.
  if (mode.matchEmail) logins.push(`SELECT ${key(columns.email)} FROM ${quotedTable} WHERE ${q(columns.email)} IS NOT NULL AND ${key(columns.email)} <> ${key(columns.username)}`);
  return `SELECT count(*) AS repeated FROM (SELECT login FROM (${logins.join(' UNION ALL ')}) AS logins WHERE login IS NOT NULL GROUP BY login HAVING count(*) > 1 LIMIT ${Math.floor(limit) + 1}) AS r`;
}

/** How many repeated logins the self-check counts before it stops grouping. */
export const REPEATED_LOGINS_LIMIT = 1000;

/**
 * The self-check that counts the logins two rows of an SQL table hold under
 * the handler's lookup mode, with {@link repeatedLoginsSql}. It names no
 * login. The statement scans the table, so on a very large one it may not
 * finish in the self-check's time: the finding then gives the statement to
 * run by hand.
 *
 * @example
 * ```ts
 * repeatedLoginsCheck({ dialect: 'postgres', table: 'legacy.users', quotedTable, columns, mode, count: async (sql) => Number((await query(sql)).rows[0].repeated) })
 * ```
 */
export function repeatedLoginsCheck(options: {
  dialect: 'postgres' | 'mysql'; table: string; quotedTable: string; columns: SqlColumns; mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>;
  count(sql: string): Promise<number>;
}): SelfCheck {
  const id = `${options.dialect}.duplicates`;
  const { table, mode } = options;
  const sql = repeatedLoginsSql(options.quotedTable, options.columns, mode, options.dialect, REPEATED_LOGINS_LIMIT);
  const modeText = `${mode.matchEmail ? 'username or email' : 'username'}${mode.caseInsensitive ? ', case-insensitive' : ''}`;
  return {
    id,
    async run(): Promise<CheckResult> {
      let repeated: number;
      try {
        repeated = await options.count(sql);
      } catch (err) {
        const e = err as { code?: string; name?: string };
        return warn(id, `Could not count repeated logins in ${table} within the self-check's time (${e.code ?? e.name ?? 'error'})`, `Run it on a replica: ${sql}. Every login it counts is refused as ambiguous_login.`);
      }
      if (repeated === 0) return pass(id, `No login is held by two rows of ${table} (${modeText})`);
      const n = repeated > REPEATED_LOGINS_LIMIT ? `Over ${REPEATED_LOGINS_LIMIT.toLocaleString('en')}` : String(repeated);
      return fail(id, `${n} login${repeated === 1 ? ' is' : 's are'} held by more than one row of ${table} (${modeText}): each is refused as ambiguous_login, whichever row's password is given`,
        `Merge or rename the rows (list them with: ${sql.replace(/^SELECT count\(\*\) AS repeated FROM \((.*) LIMIT \d+\) AS r$/, '$1')}), then add a unique index on the login.`);
    },
  };
}

/**
 * What the connection's TLS mode means, for both SQL stores' connect check:
 * off is fine only for a database on this host.
 * @example tlsVerdict('postgres', 'verify-full', false, true, 'PG_SSL=disable') // pass
 */
export function tlsVerdict(dialect: 'postgres' | 'mysql', mode: string, local: boolean, tls: boolean, disabledBy: string): CheckResult {
  const id = `${dialect}.tls`;
  const setting = dialect === 'postgres' ? 'PG_SSL' : 'MYSQL_SSL';
  if (mode === 'disable' && local) return pass(id, 'TLS off: the database is on this host (loopback)');
  if (mode === 'disable') return warn(id, `TLS is off (${disabledBy}): password hashes and user data cross the network in clear`, `Leave ${setting} unset (verify-full) unless the database is on this host.`);
  return pass(id, `TLS mode ${mode}${mode === 'verify-full' ? ' (server certificate and host name checked)' : ' (encrypted, certificate not checked)'}; this session ${tls ? 'is' : 'is not'} encrypted`);
}

/** The checks of one SQL store, made by its dialect; the ones its settings do not use are only made when needed. */
export interface SqlCheckSet {
  credentials: SelfCheck;
  connect: SelfCheck;
  query: SelfCheck;
  /** The logins two rows hold (not for a custom query: its own rules decide). */
  repeated(): SelfCheck;
  lockout(): SelfCheck;
  ledger(): SelfCheck;
  markMigrated(): SelfCheck;
  connections: SelfCheck;
  index: SelfCheck;
}

/**
 * Which checks an SQL store runs, the same rule for both dialects: the
 * guessing limit's with its two columns, the ledger's with a sub or roles
 * column, the mark's with a mark column, the repeated logins unless the query
 * is the operator's own.
 * @example sqlCheckList(probe, { credentials: credentialsCheck(probe), … })
 */
export function sqlCheckList(settings: { customQuery?: unknown; columns: SqlColumns; ledger: SqlLedger; markColumn?: string | undefined }, made: SqlCheckSet): SelfCheck[] {
  return [
    made.credentials,
    made.connect,
    made.query,
    ...(settings.customQuery ? [] : [made.repeated()]),
    ...(settings.columns.failedAttempts && settings.columns.lockedUntil ? [made.lockout()] : []),
    ...(settings.ledger.subColumn || settings.ledger.groupsColumn ? [made.ledger()] : []),
    ...(settings.markColumn ? [made.markMigrated()] : []),
    made.connections,
    made.index,
  ];
}
