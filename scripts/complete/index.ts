// `cognito-migrate complete`: the completion for users who never sign in
// through the trigger (a bulk import job created them): each pool user with a
// legacy id and no mark is completed as the Post authentication trigger
// completes one (src/completion.ts), within Cognito's request rates.
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type CompletionOutcome, type CompletionSettings, completeUser, completionSettings, needsCompletion } from '../../src/completion.js';
import { handlerOptionsFromEnv } from '../../src/environment.js';
import type { PoolAdmin } from '../../src/pool-admin.js';
import type { UserStore } from '../../src/types.js';
import { type Command, EXIT, type Io, UsageError, integerOption, parse } from '../cli/command.js';
import { databaseUrl, isMysqlUrl } from '../cli/database-url.js';

const USAGE = `Usage: cognito-migrate complete --user-pool-id ID [--database-url-file FILE] [--rate N] [--concurrency N] [--json]

Completes the migration of users a bulk import created, as the Post
authentication trigger completes a user who signs in: for every pool user
with custom:legacy_id and no completion mark, whose custom:legacy_proof
proves that the import or a migration made it (LINK_KEY_ARN, as the
function has it), and whose status is CONFIRMED, RESET_REQUIRED or
FORCE_CHANGE_PASSWORD, the legacy row (unless disabled) learns the
user's sub (PG_COGNITO_SUB_COLUMN), the user joins the groups of the row's
legacy roles (PG_GROUPS_COLUMN, GROUP_MAP, UNMAPPED_ROLES,
CREATE_MISSING_GROUPS), and the user is marked. Settings come from the
function's environment variables (MYSQL_* for a mysql:// DATABASE_URL).

It stays under --rate Cognito requests a second (default 10; ListUsers and
the admin calls count alike) and backs off when Cognito throttles
(TooManyRequestsException). Stopping it is safe: a user is marked only once
every step succeeded, so running it again goes on where it stopped, and
complete users cost one listing and nothing else. Progress goes to standard
error; the closing counts by outcome to standard output (--json: one object).

Exit code 1 when a user could not be completed (a failure, a row linked to
another user, a group missing).`;

/** The counts `complete` prints. */
export interface CompletionSummary {
  listed: number;
  /** Users with the mark already: nothing was called. */
  alreadyComplete: number;
  /** Users without a legacy id (they signed up in Cognito). */
  notMigrated: number;
  /**
   * Users with a legacy id whose status no import or migration gives
   * (UNCONFIRMED sign-ups, EXTERNAL_PROVIDER, …): nothing was called.
   */
  otherStatus: number;
  outcomes: Record<CompletionOutcome, number>;
}

/** Options of {@link completePool}. */
export interface CompletePoolOptions {
  cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  pool: PoolAdmin;
  store: UserStore;
  userPoolId: string;
  settings: CompletionSettings;
  remigrate: 'never' | 'if-absent';
  /** Cognito requests a second, at most. */
  rate: number;
  /** Users completed side by side. */
  concurrency: number;
  /** Each user's time, throttling back-off included (default 60 s). */
  userTimeoutMs?: number;
  onProgress?(summary: CompletionSummary): void;
  /** Stops listing; the users under way finish. */
  signal?: AbortSignal;
  /** Waits `ms`, for the request rate or to back off after a throttled call (tests pass a fake clock). */
  sleep?(ms: number, why: 'rate' | 'backoff'): Promise<void>;
}

/** The user statuses `complete` completes (API reference, UserType, UserStatus). */
export const COMPLETABLE_STATUS: ReadonlySet<string> = new Set(['CONFIRMED', 'RESET_REQUIRED', 'FORCE_CHANGE_PASSWORD']);

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Completes every user of the pool that needs it. Requests go through one
 * rate limiter; a throttled request waits (doubling from 200 ms up to 10 s,
 * eight tries) and is sent again.
 *
 * @example
 * ```ts
 * const summary = await completePool({ cognito, pool: cognitoPoolAdmin(cognito), store, userPoolId, settings, remigrate: 'never', rate: 10, concurrency: 4 })
 * ```
 */
export async function completePool(options: CompletePoolOptions): Promise<CompletionSummary> {
  const sleep = options.sleep ?? sleeper;
  const summary: CompletionSummary = { listed: 0, alreadyComplete: 0, notMigrated: 0, otherStatus: 0, outcomes: { completed: 0, completion_failed: 0, completion_conflict: 0, group_missing: 0, completion_unproven: 0 } };
  // One request start every 1/rate seconds, for every caller.
  let next = 0;
  const slot = async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + 1000 / options.rate;
    if (at > now) await sleep(at - now, 'rate');
  };
  const limited = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      await slot();
      try {
        return await call();
      } catch (err) {
        const name = (err as { name?: string }).name;
        if ((name !== 'TooManyRequestsException' && name !== 'ThrottlingException') || attempt >= 7) throw err;
        await sleep(Math.min(10_000, 200 * 2 ** attempt), 'backoff');
      }
    }
  };
  const pool: PoolAdmin = {
    addToGroup: (...a) => limited(() => options.pool.addToGroup(...a)),
    createGroup: (...a) => limited(() => options.pool.createGroup(...a)),
    setAttributes: (...a) => limited(() => options.pool.setAttributes(...a)),
    hasSub: (...a) => limited(() => options.pool.hasSub(...a)),
  };
  const deps = { store: options.store, pool, settings: options.settings, remigrate: options.remigrate };
  const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  let token: string | undefined;
  do {
    // Every attribute, not AttributesToGet: Cognito answers that with an error unless every user in the page has a
    // value for each custom attribute asked for (API reference, ListUsers, AttributesToGet), and the mark is what
    // the users still to complete lack.
    const page = await limited(() => options.cognito.send(new ListUsersCommand({ UserPoolId: options.userPoolId, Limit: 60, ...(token ? { PaginationToken: token } : {}) })));
    const todo: Array<{ userName: string; userAttributes: Record<string, string> }> = [];
    for (const u of page.Users ?? []) {
      summary.listed++;
      const userAttributes = Object.fromEntries((u.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']));
      if (!userAttributes[options.settings.legacyIdAttribute]) summary.notMigrated++;
      else if (!needsCompletion(userAttributes, options.settings)) summary.alreadyComplete++;
      // An import makes users CONFIRMED (with a hash) or RESET_REQUIRED, a migration CONFIRMED or RESET_REQUIRED, an
      // admin FORCE_CHANGE_PASSWORD; an UNCONFIRMED self sign-up or a federated user is nobody's migration.
      else if (!COMPLETABLE_STATUS.has(u.UserStatus ?? '')) summary.otherStatus++;
      else if (u.Username) todo.push({ userName: u.Username, userAttributes });
    }
    // A few users at a time; the rate limiter keeps the requests within the rate.
    for (let i = 0; i < todo.length; i += options.concurrency) {
      await Promise.all(todo.slice(i, i + options.concurrency).map(async ({ userName, userAttributes }) => {
        const record = await completeUser(deps, { triggerSource: 'cognito-migrate complete', userPoolId: options.userPoolId, userName, request: { userAttributes }, response: {} }, options.userTimeoutMs ?? 60_000);
        summary.outcomes[record.outcome]++;
      }));
    }
    options.onProgress?.(summary);
    token = page.PaginationToken;
  } while (token && !options.signal?.aborted);
  return summary;
}

/**
 * `complete`: reads the settings from the environment, builds the store and
 * the clients, completes the pool and prints the counts.
 * @example process.exitCode = await complete(['--user-pool-id', 'eu-west-1_Abc', '--json'])
 */
export async function complete(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t), progress: (t: string) => void = () => {}): Promise<number> {
  const { values } = parse(argv, {
    'user-pool-id': { type: 'string' }, 'database-url-file': { type: 'string' }, rate: { type: 'string' }, concurrency: { type: 'string' }, json: { type: 'boolean', default: false },
  });
  const userPoolId = values['user-pool-id'];
  if (!userPoolId) throw new UsageError('complete needs --user-pool-id ID (the pool the users were imported into)');
  const rate = integerOption('rate', values.rate, 1, 100) ?? 10;
  const concurrency = integerOption('concurrency', values.concurrency, 1, 16) ?? 4;
  const url = await databaseUrl(undefined, values['database-url-file'], 'complete');
  const env = { ...process.env, DATABASE_URL: url } as Record<string, string | undefined>;
  let store: UserStore;
  let settings: CompletionSettings;
  let remigrate: 'never' | 'if-absent';
  try {
    const options = handlerOptionsFromEnv(env);
    settings = completionSettings(options.completion, 'complete');
    remigrate = options.remigrate ?? 'never';
    store = isMysqlUrl(url)
      ? (await import('../../adapters/mysql/env.js')).mysqlStoreFromEnv(env)
      : (await import('../../adapters/postgres/env.js')).postgresStoreFromEnv(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const prefix = isMysqlUrl(url) ? 'MYSQL' : 'PG';
  if ((await settings.linkKey().catch((err: Error) => { throw new UsageError(err.message); })) === undefined) {
    throw new UsageError('complete needs the link key the function uses: set LINK_KEY_ARN (or LINK_KEY), as the function has it; without it no user can prove that the migration or the import made it');
  }
  if (!store.linkAccount) {
    throw new UsageError(`complete needs the ledger or the roles: set ${prefix}_COGNITO_SUB_COLUMN (and ${prefix}_GROUPS_COLUMN with GROUP_MAP for groups), as the function has them`);
  }
  const [{ CognitoIdentityProviderClient }, { cognitoPoolAdmin }] = await Promise.all([import('@aws-sdk/client-cognito-identity-provider'), import('../../src/pool-admin.js')]);
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? userPoolId.split('_')[0];
  const cognito = new CognitoIdentityProviderClient({ ...(region ? { region } : {}) });
  const abort = new AbortController();
  const stop = () => {
    process.stderr.write('\nStopping after the users under way; run complete again to go on.\n');
    abort.abort();
  };
  process.once('SIGINT', stop);
  try {
    const summary = await completePool({
      cognito, pool: cognitoPoolAdmin(cognito), store, userPoolId, settings, remigrate, rate, concurrency, signal: abort.signal,
      onProgress: (s) => progress(`\r  ${s.listed.toLocaleString('en')} listed: ${s.outcomes.completed.toLocaleString('en')} completed, ${s.alreadyComplete.toLocaleString('en')} already complete, ${s.notMigrated.toLocaleString('en')} not migrated, ${(s.outcomes.completion_failed + s.outcomes.completion_conflict + s.outcomes.group_missing + s.outcomes.completion_unproven).toLocaleString('en')} not completed   `),
    });
    progress('\n');
    const unfinished = summary.outcomes.completion_failed + summary.outcomes.completion_conflict + summary.outcomes.group_missing + summary.outcomes.completion_unproven;
    if (values.json) print(`${JSON.stringify({ userPoolId, stopped: abort.signal.aborted, ...summary }, null, 2)}\n`);
    else {
      print(`${summary.listed} pool users listed: ${summary.outcomes.completed} completed now, ${summary.alreadyComplete} already complete, ${summary.notMigrated} not migrated (no custom:legacy_id), ${summary.otherStatus} skipped for their status (not CONFIRMED, RESET_REQUIRED or FORCE_CHANGE_PASSWORD)${abort.signal.aborted ? '; stopped before the end' : ''}\n`);
      const why: Record<string, string> = {
        completion_failed: 'failed (a store or Cognito error, or no row with that legacy id); run complete again',
        completion_conflict: 'the legacy row is linked to another Cognito user: see which with the sub column',
        group_missing: 'a group GROUP_MAP names is missing from the pool: create it, or set CREATE_MISSING_GROUPS=true',
        completion_unproven: 'no proof that an import or a migration made the user (custom:legacy_proof): a sign-up or an admin creation set the legacy id; nothing was linked',
      };
      for (const [k, n] of Object.entries(summary.outcomes)) if (k !== 'completed' && n) print(`  ${String(n).padStart(7)}  ${why[k]}\n`);
    }
    return unfinished ? EXIT.findings : EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    cognito.destroy();
    await store.close?.();
  }
}

/** `cognito-migrate complete`. */
export const command: Command = { name: 'complete', summary: 'Complete the migration of bulk-imported users: sub written back, groups, mark', usage: USAGE, run: (argv: string[], io: Io) => complete(argv, io.out, process.stderr.isTTY ? io.err : () => {}) };
