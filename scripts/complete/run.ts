// The pass `complete` makes over a pool. By default it touches no user: it
// lists the pool (ListUsers, UserList category, no billed user) and writes
// each page's subs back to the legacy store in one batch, with the trigger's
// compare-and-set; groups, the mark and identity links wait for each user's
// first sign-in, when the trigger completes them and the user is active
// anyway. `touch` also completes every user now, one user at a time in the
// UserUpdate category (25 a second for the account, not adjustable), and
// makes each one a billed monthly active user this month.
//
// The pool is listed in chains side by side, each under a `sub` prefix
// (ListUsers' Filter `sub ^= "a"`; a sub is a UUID, so 16 or 256 prefixes
// split any pool evenly), and a checkpoint after each page lets a stopped run
// go on where it stopped.
import type { CognitoIdentityProviderClient, UserType } from '@aws-sdk/client-cognito-identity-provider';
import { type CompletionOutcome, type CompletionSettings, completeUser, groupsFor, needsCompletion } from '../../src/completion.js';
import { proofHolds } from '../../src/link-proof.js';
import type { PoolAdmin } from '../../src/pool-admin.js';
import type { AccountLink, LinkResult, StoreContext, UserStore } from '../../src/types.js';
import { type CallCounts, type Operation, OPERATIONS, PAGE_SIZE, type QuotaCategory, QUOTAS, addCalls, touchCalls } from '../plan/quotas.js';
import type { Checkpoint, CheckpointState } from './checkpoint.js';

/** How a user's pass ended: the write-back's answers, or with `touch` the completion's. */
export type CompleteOutcome = CompletionOutcome | 'linked' | 'already_linked';

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
  /**
   * Without `touch`: `linked` (the row took the sub now), `already_linked`,
   * `completion_conflict` (the row holds another sub), `completion_failed`
   * (no such row, or a disabled one) and `completion_unproven`. With `touch`:
   * the completion's outcomes.
   */
  outcomes: Record<CompleteOutcome, number>;
  /** Cognito calls made, by operation (a throttled call sent again counts twice, as Cognito counts it). */
  calls: CallCounts;
  /** Users a per-user call touched: each is a billed monthly active user this month. */
  billedUsers: number;
  /** What `touch` would call for the users this pass linked: the eager path's plan. */
  touchPlan: { users: number; calls: CallCounts };
  chains: { total: number; done: number };
}

/** Options of {@link completePool}. */
export interface CompletePoolOptions {
  cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  pool: PoolAdmin;
  store: UserStore;
  userPoolId: string;
  settings: CompletionSettings;
  remigrate: 'never' | 'if-absent';
  /** Also complete every user now (groups, the mark): per-user calls, billed users. Default false. */
  touch?: boolean;
  /** ListUsers requests a second, at most, for all chains together (the UserList category allows 30). */
  rate: number;
  /** Per-user requests a second with `touch` (the UserUpdate category allows 25). Default 10. */
  writeRate?: number;
  /** Listing chains: 1 (no filter), 16 or 256 `sub` prefixes. Default 16. */
  chains?: 1 | 16 | 256;
  /** Chains listed side by side. Default 4. */
  parallel?: number;
  /** Users completed side by side with `touch`. */
  concurrency: number;
  /** Each user's time with `touch`, throttling back-off included (default 60 s). */
  userTimeoutMs?: number;
  /** Where the run is kept between pages; without it the run starts at the beginning. */
  checkpoint?: Checkpoint<CompletionSummary>;
  onProgress?(summary: CompletionSummary): void;
  /** Stops listing; the pages under way finish and are recorded. */
  signal?: AbortSignal;
  /** Waits `ms`, for the request rate or to back off after a throttled call (tests pass a fake clock). */
  sleep?(ms: number, why: 'rate' | 'backoff'): Promise<void>;
}

/** The user statuses `complete` completes (API reference, UserType, UserStatus). */
export const COMPLETABLE_STATUS: ReadonlySet<string> = new Set(['CONFIRMED', 'RESET_REQUIRED', 'FORCE_CHANGE_PASSWORD']);

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh summary. */
export function emptySummary(chains: number): CompletionSummary {
  return {
    listed: 0, alreadyComplete: 0, notMigrated: 0, otherStatus: 0,
    outcomes: { linked: 0, already_linked: 0, completed: 0, completion_failed: 0, completion_conflict: 0, group_missing: 0, completion_unproven: 0 },
    calls: {}, billedUsers: 0, touchPlan: { users: 0, calls: {} }, chains: { total: chains, done: 0 },
  };
}

/**
 * The `sub` prefixes that split a pool into `n` listing chains ('' for one chain, no filter).
 * @example chainPrefixes(16) // ['0', '1', …, 'f']
 */
export function chainPrefixes(n: 1 | 16 | 256): string[] {
  if (n === 1) return [''];
  const hex = [...'0123456789abcdef'];
  return n === 16 ? hex : hex.flatMap((a) => hex.map((b) => a + b));
}

/**
 * Calls Cognito within a rate per quota category: one request start every
 * 1/rate seconds in each category, for every caller; a throttled request
 * (TooManyRequestsException) or one Cognito failed (5xx) waits, doubling from
 * 200 ms up to 10 s, eight tries, and is sent again. Counts every request by
 * operation.
 *
 * @example
 * ```ts
 * const call = quotaLimiter({ UserList: 20 }, calls)
 * await call('ListUsers', () => cognito.send(new ListUsersCommand(input)))
 * ```
 */
export function quotaLimiter(rates: Partial<Record<QuotaCategory, number>>, calls: CallCounts, sleep: CompletePoolOptions['sleep'] = sleeper) {
  const next: Partial<Record<QuotaCategory, number>> = {};
  return async function call<T>(op: Operation, send: () => Promise<T>): Promise<T> {
    const category = OPERATIONS[op].category;
    const rate = rates[category] ?? QUOTAS[category];
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const at = Math.max(now, next[category] ?? 0);
      next[category] = at + 1000 / rate;
      if (at > now) await sleep!(at - now, 'rate');
      calls[op] = (calls[op] ?? 0) + 1;
      try {
        return await send();
      } catch (err) {
        if (!retryable(err) || attempt >= 7) throw err;
        await sleep!(Math.min(10_000, 200 * 2 ** attempt), 'backoff');
      }
    }
  };
}

/** Throttling, or Cognito's own failure: worth sending again after a wait. */
function retryable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'TooManyRequestsException' || e.name === 'ThrottlingException' || e.name === 'InternalErrorException' || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * Completes the pool's imported users: by default each page's subs written
 * back in one batch and no user touched; with `touch`, every user completed
 * now. Resumes from `checkpoint` when it holds a run of the same kind.
 *
 * @example
 * ```ts
 * const summary = await completePool({ cognito, pool: cognitoPoolAdmin(cognito), store, userPoolId, settings, remigrate: 'never', rate: 20, concurrency: 4, checkpoint: fileCheckpoint('complete.json') })
 * ```
 */
export async function completePool(options: CompletePoolOptions): Promise<CompletionSummary> {
  const chains = options.chains ?? 16;
  const touch = options.touch === true;
  const state = await resumeState(options, chains, touch);
  const summary = state.summary;
  const call = quotaLimiter({ UserList: options.rate, UserUpdate: options.writeRate ?? 10, UserRead: options.writeRate ?? 10, UserPoolResourceUpdate: Math.min(5, options.writeRate ?? 10) }, summary.calls, options.sleep);
  const key = await options.settings.linkKey();
  const page = pageWorker(options, summary, call, key, touch);
  const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const queue = chainPrefixes(chains).filter((p) => !state.done.includes(p));
  let failed: unknown;
  const stopped = () => failed !== undefined || options.signal?.aborted === true;

  async function listChain(prefix: string) {
    let token = state.cursor[prefix];
    let resumed = token !== undefined;
    while (!stopped()) {
      let out;
      try {
        // Every attribute, not AttributesToGet: Cognito answers that with an error unless every user in the page has
        // a value for each custom attribute asked for (API reference, ListUsers, AttributesToGet), and the mark is
        // what the users still to complete lack.
        out = await call('ListUsers', () => options.cognito.send(new ListUsersCommand({
          UserPoolId: options.userPoolId, Limit: PAGE_SIZE, ...(prefix ? { Filter: `sub ^= "${prefix}"` } : {}), ...(token ? { PaginationToken: token } : {}),
        })));
      } catch (err) {
        // A checkpoint's token Cognito no longer takes: that one chain is listed again from its start (its
        // write-backs are compare-and-sets, so nothing is written twice).
        if (resumed && (err as { name?: string }).name === 'InvalidParameterException') {
          token = undefined;
          resumed = false;
          continue;
        }
        throw err;
      }
      resumed = false;
      await page(out.Users ?? []);
      token = out.PaginationToken;
      if (token) state.cursor[prefix] = token;
      else {
        delete state.cursor[prefix];
        state.done.push(prefix);
        summary.chains.done = state.done.length;
      }
      await options.checkpoint?.save(state);
      options.onProgress?.(summary);
      if (!token) return;
    }
  }

  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 4, queue.length) }, async () => {
    while (!stopped() && queue.length) {
      try {
        await listChain(queue.shift()!);
      } catch (err) {
        failed ??= err;
      }
    }
  }));
  if (failed !== undefined) throw failed;
  return summary;
}

/** The checkpoint's state when it holds a run of this kind, or a fresh one; a checkpoint of another kind is an error. */
async function resumeState(options: CompletePoolOptions, chains: number, touch: boolean): Promise<CheckpointState<CompletionSummary>> {
  const saved = await options.checkpoint?.load();
  if (saved && (saved.userPoolId !== options.userPoolId || saved.touch !== touch || saved.chains !== chains)) {
    throw Object.assign(new Error(`the checkpoint ${options.checkpoint!.where} is of another run (pool ${saved.userPoolId}, ${saved.touch ? '--touch' : 'no --touch'}, --chains ${saved.chains}); pass --restart to start over, or another --checkpoint`), { name: 'CheckpointMismatch' });
  }
  return saved ?? { version: 1, userPoolId: options.userPoolId, touch, chains, done: [], cursor: {}, summary: emptySummary(chains) };
}

/** What one page of users costs: the write-back in one batch, then with `touch` each user completed. */
function pageWorker(options: CompletePoolOptions, summary: CompletionSummary, call: ReturnType<typeof quotaLimiter>, key: string | undefined, touch: boolean) {
  const { settings, store, userPoolId } = options;
  return async (users: UserType[]) => {
    const todo: Array<{ userName: string; attributes: Record<string, string> }> = [];
    for (const u of users) {
      summary.listed++;
      const attributes = Object.fromEntries((u.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']));
      const legacyId = attributes[settings.legacyIdAttribute];
      if (!legacyId) summary.notMigrated++;
      else if (!needsCompletion(attributes, settings)) summary.alreadyComplete++;
      // An import makes users CONFIRMED (with a hash) or RESET_REQUIRED, a migration CONFIRMED or RESET_REQUIRED, an
      // admin FORCE_CHANGE_PASSWORD; an UNCONFIRMED self sign-up or a federated user is nobody's migration.
      else if (!COMPLETABLE_STATUS.has(u.UserStatus ?? '') || !u.Username) summary.otherStatus++;
      // A user whose legacy id neither an import nor a migration set (a sign-up, an admin creation) takes no row.
      else if (key === undefined || !proofHolds(key, userPoolId, legacyId, attributes[settings.proofAttribute])) summary.outcomes.completion_unproven++;
      else todo.push({ userName: u.Username, attributes });
    }
    const links: AccountLink[] = todo.map((t) => ({ legacyId: t.attributes[settings.legacyIdAttribute]!, sub: t.attributes.sub!, expected: null }));
    const results = await writeBack(store, links);
    const touching: Array<() => Promise<void>> = [];
    todo.forEach((t, i) => {
      const link = results[i]!;
      if (link.outcome === 'linked' || link.outcome === 'already_linked') {
        summary.touchPlan.users++;
        addCalls(summary.touchPlan.calls, touchCalls(groupsFor(link.roles, settings).length, link.identities?.length ?? 0));
        if (touch) touching.push(() => touchUser(options, summary, call, t, link as LinkResult & { outcome: 'linked' | 'already_linked' }));
        else summary.outcomes[link.outcome]++;
      } else if (link.outcome === 'linked_elsewhere') {
        // With `touch` and REMIGRATE=if-absent the completion asks whether that other user is gone (a listing, no billed user).
        if (touch && options.remigrate === 'if-absent') touching.push(() => touchUser(options, summary, call, t));
        else summary.outcomes.completion_conflict++;
      } else summary.outcomes.completion_failed++;
    });
    for (let i = 0; i < touching.length; i += options.concurrency) await Promise.all(touching.slice(i, i + options.concurrency).map((f) => f()));
  };
}

// One batch at a time: a store holds one connection (it is built for a Lambda instance), and a batch takes
// milliseconds against a ListUsers page's tens.
let storeTurn: Promise<unknown> = Promise.resolve();

/** The page's write-back: one batch where the store has one, else one link at a time (still no Cognito call). */
function writeBack(store: UserStore, links: AccountLink[]): Promise<LinkResult[]> {
  const turn = storeTurn.then(() => writeBackNow(store, links));
  storeTurn = turn.catch(() => undefined);
  return turn;
}

async function writeBackNow(store: UserStore, links: AccountLink[]): Promise<LinkResult[]> {
  if (links.length === 0) return [];
  for (let attempt = 0; ; attempt++) {
    // A page's statements get 30 s; a store that fails three times in a row stops the run, which the checkpoint resumes.
    const deadline = Date.now() + 30_000;
    const ctx: StoreContext = { signal: AbortSignal.timeout(30_000), deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
    try {
      if (store.linkAccounts) return await store.linkAccounts(links, ctx);
      const results: LinkResult[] = [];
      for (const link of links) results.push(await store.linkAccount!(link, ctx));
      return results;
    } catch (err) {
      if (attempt >= 2) throw err;
      await sleeper(1000 * 2 ** attempt);
    }
  }
}

/** The eager completion of one user, its pool calls within the quota rates; a user any call reached is billed. */
async function touchUser(options: CompletePoolOptions, summary: CompletionSummary, call: ReturnType<typeof quotaLimiter>, user: { userName: string; attributes: Record<string, string> }, linked?: LinkResult & { outcome: 'linked' | 'already_linked' }) {
  let billed = false;
  const bill = <T>(op: Operation, send: () => Promise<T>) => {
    if (OPERATIONS[op].billsUser) billed = true;
    return call(op, send);
  };
  const pool: PoolAdmin = {
    addToGroup: (...a) => bill('AdminAddUserToGroup', () => options.pool.addToGroup(...a)),
    createGroup: (...a) => bill('CreateGroup', () => options.pool.createGroup(...a)),
    setAttributes: (...a) => bill('AdminUpdateUserAttributes', () => options.pool.setAttributes(...a)),
    hasSub: (...a) => bill('ListUsers', () => options.pool.hasSub(...a)),
    ...(options.pool.linkProvider ? { linkProvider: (...a: Parameters<NonNullable<PoolAdmin['linkProvider']>>) => bill('AdminLinkProviderForUser', () => options.pool.linkProvider!(...a)) } : {}),
  };
  const record = await completeUser({ store: options.store, pool, settings: options.settings, remigrate: options.remigrate },
    { triggerSource: 'cognito-migrate complete', userPoolId: options.userPoolId, userName: user.userName, request: { userAttributes: user.attributes }, response: {} },
    options.userTimeoutMs ?? 60_000, linked);
  summary.outcomes[record.outcome]++;
  if (billed) summary.billedUsers++;
}
