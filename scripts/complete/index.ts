// `cognito-migrate complete`: the completion for users who never sign in
// through the trigger (a bulk import job created them). By default it writes
// each user's sub back to the legacy row without touching the user (no billed
// user, no UserUpdate call); `--touch` completes users now, after a plan.
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type CompletionSettings, completionSettings } from '../../src/completion.js';
import { handlerOptionsFromEnv } from '../../src/environment.js';
import type { UserStore } from '../../src/types.js';
import { type Command, EXIT, type Io, UsageError, integerOption, parse } from '../cli/command.js';
import { databaseUrl, isMysqlUrl } from '../cli/database-url.js';
import { type CallCounts, OPERATIONS, type Operation, QUOTAS, type QuotaCategory, byCategory, seconds } from '../plan/quotas.js';
import { type Checkpoint, fileCheckpoint } from './checkpoint.js';
import { type CompletionSummary, completePool } from './run.js';

export { COMPLETABLE_STATUS, type CompletePoolOptions, type CompletionSummary, completePool } from './run.js';

const USAGE = `Usage: cognito-migrate complete --user-pool-id ID [--database-url-file FILE] [--touch [--yes]]
       [--rate N] [--write-rate N] [--chains 1|16|256] [--parallel N] [--concurrency N]
       [--checkpoint FILE] [--restart] [--json]

Writes the sub of every user a bulk import created back to their legacy row
(PG_COGNITO_SUB_COLUMN), page by page, with the trigger's compare-and-set: a
row linked to another user is a conflict, counted and left as it is. It
touches no user: ListUsers is its only Cognito call (UserList category), so
no user becomes a billed monthly active user. Groups, the completion mark and
identity links come at each user's first sign-in, from the Post
authentication trigger, as for any migrated user.

A user counts when they have custom:legacy_id and no completion mark, a
custom:legacy_proof that proves an import or a migration made them (LINK_KEY_ARN,
as the function has it), and the status CONFIRMED, RESET_REQUIRED or
FORCE_CHANGE_PASSWORD. Settings come from the function's environment variables
(MYSQL_* for a mysql:// DATABASE_URL; HTTP_LINKS_PATH for the HTTP store).

--touch        Also complete every user now: groups (AdminAddUserToGroup) and
               the mark (AdminUpdateUserAttributes), in the UserUpdate category
               (25 requests a second for the account, not adjustable), each
               user a billed MAU this month. Without --yes it makes the
               default pass and prints the plan: users to touch, calls by
               quota category, hours, billed users. Then --touch --yes runs it.
--rate N       ListUsers requests a second for all chains (default 20, at most
               30: the UserList quota, which the app's own calls share).
--write-rate N Per-user requests a second with --touch (default 10, at most 25).
--chains N     Split the listing into N chains by sub prefix (1, 16 or 256;
               default 16); --parallel of them (default 4) run side by side.
--checkpoint FILE  Where the run is kept after every page (default
               complete-<pool>.checkpoint.json, or ...-touch...); a run that
               stopped goes on from there. --restart starts over.

Progress goes to standard error; the closing counts, Cognito calls by quota
category and the share of each quota used go to standard output (--json: one
object). Exit code 1 when a user could not be completed (a conflict, a row
that failed, a group missing).`;

/** The store `complete` writes to, from the function's environment: SQL by DATABASE_URL, else the HTTP store. */
async function storeFromEnv(values: { 'database-url-file'?: string }): Promise<{ store: UserStore; env: Record<string, string | undefined>; ledgerHint: string }> {
  if (!values['database-url-file'] && !process.env.DATABASE_URL && process.env.HTTP_BASE_URL) {
    const env = { ...process.env };
    return { store: (await import('../../adapters/http/env.js')).httpStoreFromEnv(env), env, ledgerHint: 'HTTP_LINK_PATH (and HTTP_LINKS_PATH for a page at once)' };
  }
  const url = await databaseUrl(undefined, values['database-url-file'], 'complete');
  const env = { ...process.env, DATABASE_URL: url } as Record<string, string | undefined>;
  const prefix = isMysqlUrl(url) ? 'MYSQL' : 'PG';
  const store = isMysqlUrl(url)
    ? (await import('../../adapters/mysql/env.js')).mysqlStoreFromEnv(env)
    : (await import('../../adapters/postgres/env.js')).postgresStoreFromEnv(env);
  return { store, env, ledgerHint: `${prefix}_COGNITO_SUB_COLUMN (and ${prefix}_GROUPS_COLUMN with GROUP_MAP for groups)` };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const hours = (s: number) => (s / 3600).toLocaleString('en', { maximumFractionDigits: s < 360 ? 2 : 1 });

/** The eager path's plan, from the default pass's counts: the calls --touch --yes then makes, by category. */
export function touchPlan(summary: CompletionSummary, writeRate: number) {
  const calls: CallCounts = { ...summary.touchPlan.calls, ListUsers: summary.calls.ListUsers ?? 0 };
  return {
    usersToTouch: summary.touchPlan.users,
    billedUsers: summary.touchPlan.users,
    calls,
    byCategory: byCategory(calls),
    hoursAtDefaultQuotas: seconds(calls) / 3600,
    hoursAtWriteRate: seconds(calls, { UserUpdate: writeRate, UserList: QUOTAS.UserList }) / 3600,
  };
}

/** Calls by category, with the share of each default quota the run used on average. */
function quotaUse(calls: CallCounts, elapsedS: number) {
  return Object.fromEntries((Object.entries(byCategory(calls)) as Array<[QuotaCategory, number]>).map(([c, n]) => [c, {
    calls: n, perSecond: Number((n / Math.max(elapsedS, 0.001)).toFixed(2)), quotaShare: Number((n / Math.max(elapsedS, 0.001) / QUOTAS[c]).toFixed(3)),
  }]));
}

/**
 * `complete`: reads the settings from the environment, builds the store and
 * the clients, completes the pool and prints the counts.
 * @example process.exitCode = await complete(['--user-pool-id', 'eu-west-1_Abc', '--json'])
 */
export async function complete(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t), progress: (t: string) => void = () => {}): Promise<number> {
  const { values } = parse(argv, {
    'user-pool-id': { type: 'string' }, 'database-url-file': { type: 'string' }, rate: { type: 'string' }, 'write-rate': { type: 'string' }, concurrency: { type: 'string' },
    chains: { type: 'string' }, parallel: { type: 'string' }, checkpoint: { type: 'string' }, restart: { type: 'boolean', default: false },
    touch: { type: 'boolean', default: false }, yes: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  });
  const userPoolId = values['user-pool-id'];
  if (!userPoolId) throw new UsageError('complete needs --user-pool-id ID (the pool the users were imported into)');
  if (values.yes && !values.touch) throw new UsageError('--yes confirms the plan of --touch; without --touch nothing needs confirming');
  const rate = integerOption('rate', values.rate, 1, QUOTAS.UserList) ?? 20;
  const writeRate = integerOption('write-rate', values['write-rate'], 1, QUOTAS.UserUpdate) ?? 10;
  const concurrency = integerOption('concurrency', values.concurrency, 1, 16) ?? 4;
  const parallel = integerOption('parallel', values.parallel, 1, 16) ?? 4;
  const chains = (integerOption('chains', values.chains, 1, 256) ?? 16) as 1 | 16 | 256;
  if (![1, 16, 256].includes(chains)) throw new UsageError('--chains must be 1, 16 or 256 (sub prefixes of one or two hex digits)');
  let store: UserStore;
  let settings: CompletionSettings;
  let remigrate: 'never' | 'if-absent';
  let ledgerHint: string;
  try {
    const built = await storeFromEnv(values);
    ({ store, ledgerHint } = built);
    const options = handlerOptionsFromEnv(built.env);
    settings = completionSettings(options.completion, 'complete');
    remigrate = options.remigrate ?? 'never';
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
  if ((await settings.linkKey().catch((err: Error) => { throw new UsageError(err.message); })) === undefined) {
    throw new UsageError('complete needs the link key the function uses: set LINK_KEY_ARN (or LINK_KEY), as the function has it; without it no user can prove that the migration or the import made it');
  }
  if (!store.linkAccount) throw new UsageError(`complete needs the ledger or the roles: set ${ledgerHint}, as the function has them`);
  // Planning --touch is the default pass: it writes subs back (no billed user) and counts what touching would call.
  const planning = values.touch && !values.yes;
  const touch = values.touch && values.yes;
  const checkpointFile = values.checkpoint ?? `complete-${userPoolId}${touch ? '-touch' : ''}.checkpoint.json`;
  let checkpoint: Checkpoint<CompletionSummary> | undefined;
  if (!planning) {
    checkpoint = fileCheckpoint<CompletionSummary>(checkpointFile);
    if (values.restart) await (await import('node:fs/promises')).rm(checkpointFile, { force: true });
  }
  const [{ CognitoIdentityProviderClient }, { cognitoPoolAdmin }] = await Promise.all([import('@aws-sdk/client-cognito-identity-provider'), import('../../src/pool-admin.js')]);
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? userPoolId.split('_')[0];
  // Throttling is this command's to pace (it backs off itself): one SDK attempt per request.
  const cognito = new CognitoIdentityProviderClient({ ...(region ? { region } : {}), maxAttempts: 1 });
  const abort = new AbortController();
  const stop = () => {
    process.stderr.write(`\nStopping after the pages under way; run complete again to go on${checkpoint ? ` (checkpoint ${checkpointFile})` : ''}.\n`);
    abort.abort();
  };
  process.once('SIGINT', stop);
  const started = performance.now();
  try {
    let summary: CompletionSummary;
    try {
      summary = await completePool({
        cognito, pool: cognitoPoolAdmin(cognito), store, userPoolId, settings, remigrate, touch, rate, writeRate, chains, parallel, concurrency, signal: abort.signal, ...(checkpoint ? { checkpoint } : {}),
        onProgress: (s) => progress(`\r  ${fmt(s.listed)} listed (${s.chains.done}/${s.chains.total} chains): ${fmt(s.outcomes.linked + s.outcomes.already_linked + s.outcomes.completed)} ${touch ? 'completed' : 'linked'}, ${fmt(s.alreadyComplete)} already complete, ${fmt(s.notMigrated)} not migrated, ${fmt(unfinished(s))} not done   `),
      });
    } catch (err) {
      if ((err as Error).name === 'CheckpointMismatch') throw new UsageError((err as Error).message);
      throw err;
    }
    progress('\n');
    const elapsedS = (performance.now() - started) / 1000;
    const quota = quotaUse(summary.calls, elapsedS);
    const plan = planning ? touchPlan(summary, writeRate) : undefined;
    if (values.json) print(`${JSON.stringify({ userPoolId, touch, stopped: abort.signal.aborted, ...summary, quota, ...(plan ? { plan } : {}), ...(checkpoint ? { checkpoint: checkpointFile } : {}) }, null, 2)}\n`);
    else printSummary(print, summary, { touch, stopped: abort.signal.aborted, quota, checkpoint: checkpoint ? checkpointFile : undefined });
    if (plan && !values.json) printPlan(print, plan, writeRate);
    return unfinished(summary) ? EXIT.findings : EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    cognito.destroy();
    await store.close?.();
  }
}

/** Users the pass could not do: a conflict, a failure, a group missing, no proof. */
function unfinished(s: CompletionSummary): number {
  return s.outcomes.completion_failed + s.outcomes.completion_conflict + s.outcomes.group_missing + s.outcomes.completion_unproven;
}

function printSummary(print: (t: string) => void, summary: CompletionSummary, run: { touch: boolean; stopped: boolean; quota: ReturnType<typeof quotaUse>; checkpoint?: string }) {
  const done = run.touch ? `${fmt(summary.outcomes.completed)} completed` : `${fmt(summary.outcomes.linked)} subs written back, ${fmt(summary.outcomes.already_linked)} already there`;
  print(`${fmt(summary.listed)} pool users listed (${summary.chains.done} of ${summary.chains.total} chains done): ${done}, ${fmt(summary.alreadyComplete)} already complete, ${fmt(summary.notMigrated)} not migrated (no custom:legacy_id), ${fmt(summary.otherStatus)} skipped for their status${run.stopped ? '; stopped before the end' : ''}\n`);
  const why: Record<string, string> = {
    completion_failed: 'failed (no row with that legacy id, a disabled row, or a store or Cognito error); run complete again',
    completion_conflict: 'the legacy row is linked to another Cognito user: see which with the sub column',
    group_missing: 'a group GROUP_MAP names is missing from the pool: create it, or set CREATE_MISSING_GROUPS=true',
    completion_unproven: 'no proof that an import or a migration made the user (custom:legacy_proof): a sign-up or an admin creation set the legacy id; nothing was linked',
  };
  for (const [k, n] of Object.entries(summary.outcomes)) if (why[k] && n) print(`  ${fmt(n).padStart(9)}  ${why[k]}\n`);
  for (const [c, q] of Object.entries(run.quota)) print(`  ${c}: ${fmt(q.calls)} calls, ${q.perSecond}/s, ${(q.quotaShare * 100).toFixed(0)}% of the default quota (${QUOTAS[c as QuotaCategory]}/s)\n`);
  print(`  ${fmt(summary.billedUsers)} users touched (billed monthly active users this month)${run.touch ? '' : ': none without --touch'}\n`);
  if (!run.touch && summary.touchPlan.users) print(`  Groups, the mark and identity links come at each user's first sign-in (the Post authentication trigger).\n`);
  if (run.checkpoint) print(`  Checkpoint: ${run.checkpoint}${summary.chains.done === summary.chains.total ? ' (the whole pool is done; --restart lists it again)' : ''}\n`);
}

function printPlan(print: (t: string) => void, plan: ReturnType<typeof touchPlan>, writeRate: number) {
  print('\nPlan for complete --touch (counted by the pass above, which touched no user):\n');
  print(`  ${'users to touch'.padEnd(27)} ${fmt(plan.usersToTouch).padStart(12)}  each a billed monthly active user this month\n`);
  for (const [op, n] of Object.entries(plan.calls) as Array<[Operation, number]>) if (n) print(`  ${op.padEnd(27)} ${fmt(n).padStart(12)}  ${OPERATIONS[op].category}\n`);
  print(`  ${hours(plan.hoursAtDefaultQuotas)} h at the default quotas (UserUpdate ${QUOTAS.UserUpdate}/s, shared with the app); ${hours(plan.hoursAtWriteRate)} h at --write-rate ${writeRate}\n`);
  print('Run complete --touch --yes to make these calls.\n');
}

/** `cognito-migrate complete`. */
export const command: Command = { name: 'complete', summary: 'Write bulk-imported users\' subs back page by page (no billed user); --touch completes them now', usage: USAGE, run: (argv: string[], io: Io) => complete(argv, io.out, process.stderr.isTTY ? io.err : () => {}) };
