// The first half of a migration: the UserMigration trigger. Cognito sends it
// when a login it does not know signs in with a password
// (UserMigration_Authentication) or starts a password reset
// (UserMigration_ForgotPassword); the answer's attributes become the new user.
// Each step, in order, is a function of its own below: `invoke` (the budget,
// one log record and one metric), `answer` (the reset or the sign-in, then
// the attributes), `authenticate` (find the one legacy row, reserve an
// attempt, verify the password, refuse a disabled or migrated row, check the
// second factor), `refusalTime` (every refusal costs what a verification
// costs), and the writes on the row. They share one `Flow`: what the handler
// gave, and the times this instance measured.
import type { Context, UserMigrationTriggerEvent } from 'aws-lambda';
import { mapAttributes, toCognitoAttributes } from './attributes.js';
import {
  AuthenticationFailedError, CognitoMigrateError, DeadlineExceededError, InvalidEventError,
  type Outcome, PUBLIC_MESSAGES, asMigrateError,
} from './errors.js';
import { attemptRetry, linkProof } from './link-proof.js';
import { TOTP_CODE_KEY, totpParameters } from './totp.js';
import { type PasswordRules, failedRules } from './password-policy.js';
import { COGNITO_LIMIT_MS, type Settings } from './options.js';
import type { PasswordVerifierRegistry } from './passwords/registry.js';
import type { PoolAdmin } from './pool-admin.js';
import type { MigrationLogger, MigrationMetrics } from './telemetry.js';
import type { LegacyUser, LookupQuery, StoreContext, UserStore } from './types.js';

// Room left for Lambda to serialise the answer before its own timeout.
const SAFETY_MARGIN_MS = 150;
// Refusals wait for the median real verification once this many were measured: a few costly rows cannot set it.
const PAD_SAMPLE = 5;
// Recording a migration stops this long before the deadline, so the answer is never late for it.
const MARK_MARGIN_MS = 50;

/** What the migration flow needs from the handler it is wired into. */
export interface MigrationDeps {
  settings: Settings;
  passwords: PasswordVerifierRegistry;
  /** The timing hash's measured work; every refusal costs at least this. */
  timing: Promise<{ ms: number }>;
  pool: PoolAdmin;
  logger: MigrationLogger;
  metrics: MigrationMetrics;
  /** A failure's log fields (the handler's `describeFailure`). */
  describe(failure: CognitoMigrateError): Record<string, unknown>;
}

/**
 * The UserMigration flow. Every refusal a user can provoke (unknown,
 * disabled, wrong password, no or unreadable hash, a hash too costly to
 * verify, an ambiguous login, a row already migrated) carries the same public
 * message and costs at least one verification of the fixed timing hash;
 * the log and metric tell them apart. Outages and deadlines answer with a
 * different, retriable message.
 *
 * @example
 * ```ts
 * const migrate = createMigrationFlow({ settings, passwords, timing, pool, logger, metrics, describe: describeFailure })
 * await migrate(event, context) // the event with its response filled in, or a thrown Error with the public text
 * ```
 */
export function createMigrationFlow(deps: MigrationDeps): (event: UserMigrationTriggerEvent, context?: Partial<Context>) => Promise<UserMigrationTriggerEvent> {
  const flow: Flow = { ...deps, store: deps.settings.store, timingVerifies: recentTimes(), realPhases: recentTimes(), firstInvocation: true, policies: new Map() };
  return (event, context) => invoke(flow, event, context);
}

/**
 * One instance's migration flow: what the handler gave it, and what it learns
 * (wall times of the timing hash and of known rows' phases, which every
 * refusal is padded to, and whether the first invocation has run).
 */
interface Flow extends MigrationDeps {
  store: UserStore;
  timingVerifies: ReturnType<typeof recentTimes>;
  realPhases: ReturnType<typeof recentTimes>;
  firstInvocation: boolean;
  /** The pool's password policy, read once per pool (DescribeUserPool); a failed read is dropped, to be tried again. */
  policies: Map<string, Promise<PasswordRules | undefined>>;
}

/** One invocation: its budget and deadline, the answer, then one log record and one metric. */
async function invoke(flow: Flow, event: UserMigrationTriggerEvent, context?: Partial<Context>): Promise<UserMigrationTriggerEvent> {
  const { settings, store, logger, metrics } = flow;
  const started = performance.now();
  const spent: Spent = { store: 0, verify: 0 };
  if (context && typeof context.getRemainingTimeInMillis === 'function' && logger.addContext) logger.addContext(context as Context);
  const record: Record<string, unknown> = {};
  let outcome: Outcome;
  let failure: CognitoMigrateError | undefined;
  const budget = Math.max(0, Math.min(settings.timeoutMs, remaining(context) - coldStartElapsed(process.env, flow.firstInvocation, performance.now()) - SAFETY_MARGIN_MS));
  flow.firstInvocation = false;
  const abort = new AbortController();
  const deadline = Date.now() + budget;
  const timer = setTimeout(() => abort.abort(new DeadlineExceededError(store.name, budget)), budget);
  const ctx: StoreContext = { signal: abort.signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
  try {
  checkEvent(event);
  record.triggerSource = event.triggerSource;
  record.userPoolId = event.userPoolId;
  record.clientId = event.callerContext?.clientId;
  const metadata = appMetadata(event);
  if (metadata) ctx.clientMetadata = metadata;
  outcome = await answer(flow, event, ctx, record, spent);
  if (settings.shadow) outcome = outcome === 'migrated' ? 'shadow_would_migrate' : 'shadow_found';
} catch (err) {
  failure = asMigrateError(err);
  outcome = failure.outcome;
} finally {
  clearTimeout(timer);
}
  record.outcome = outcome;
  // Time in the store and in verification, each without the other; the rest is the handler's own overhead.
  const duration = performance.now() - started;
  record.durationMs = Math.round(duration);
  record.storeMs = round2(spent.store);
  record.verifyMs = round2(spent.verify);
  record.overheadMs = round2(Math.max(0, duration - spent.store - spent.verify));
  metrics.count(outcome);
  if (!failure && settings.shadow) {
  logger.info('shadow mode: credentials verified, user not migrated', record);
  throw new Error(PUBLIC_MESSAGES.unavailable);
}
  if (!failure) {
  // A migration the legacy store could not record still succeeds; the operator hears of it.
  if (record.markedMigrated === false) logger.warn('user migration answered; the legacy store did not record it', record);
  else logger.info('user migration answered', record);
  return event;
}
  if (failure.refusal) {
  // A refusal the operator can fix (no hash, unreadable or too costly hash, ambiguous login, a row already migrated) is a warning.
  const routine = failure instanceof AuthenticationFailedError && ['unknown_user', 'wrong_password', 'user_disabled', 'reset_required'].includes(failure.reason);
  if (routine && !record.dataProblems) logger.info('user migration refused', record);
  else logger.warn('user migration refused: the legacy data needs attention', { ...record, ...flow.describe(failure) });
} else {
  logger.error('user migration failed', { ...record, ...flow.describe(failure) });
}
  throw new Error(failure.publicMessage);
}


/**
 * A row the ledger links to a Cognito user is refused, so nobody gets a
 * second account (an old email after a change) or comes back after a
 * deletion; under `remigrate: 'if-absent'` only while that user still exists.
 */
async function refuseIfMigrated(flow: Flow, user: LegacyUser, stillThere: Promise<boolean> | undefined, record: Record<string, unknown>): Promise<void> {
  if (!user.cognitoSub) return;
  record.cognitoSub = user.cognitoSub;
  if (stillThere && !(await stillThere)) {
    record.remigrated = true;
    return;
  }
  throw new AuthenticationFailedError('already_migrated', 'the legacy row is linked to a Cognito user (cognitoSub in this record); an old login of a moved or deleted user');
}

/** A lock this project's guessing limit could have set: one that ends within LOGIN_LOCK_SECONDS of now, on a store that counts. */
function isOwnLock(flow: Flow, until: Date): boolean {
  const { store, settings } = flow;
  return Boolean(store.reserveAttempt || store.recordAttempt) && until.getTime() <= Date.now() + settings.lockout.lockSeconds * 1000 + 1000;
}

// Wall times on this instance: of the timing hash, and of a known row's phase from its lookup to its verdict (the
// attempt's reservation, a store write, and the verification of its stored hash).

/** Asks the pool whether the row's user still exists; only once the password is proven. */
function poolLookup(flow: Flow, event: UserMigrationTriggerEvent, user: LegacyUser | undefined, ctx: StoreContext, spent: Spent): Promise<boolean> | undefined {
  const { settings, store, pool } = flow;
  if (!user?.cognitoSub || settings.remigrate !== 'if-absent') return undefined;
  const asked = timed(spent, 'store', () => withDeadline(pool.hasSub(event.userPoolId, user.cognitoSub!, { signal: ctx.signal }), ctx, 'cognito'));
  asked.catch(() => {});
  return asked;
}

async function authenticate(flow: Flow, event: UserMigrationTriggerEvent, query: LookupQuery, ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<LegacyUser> {
  const { settings, store, passwords, timing, pool } = flow;
  const password = event.request.password;
  const within = <T>(work: Promise<T>) => withDeadline(work, ctx, store.name);
  const asking = <T>(work: () => Promise<T>) => timed(spent, 'store', () => within(work()));
  // Wall time, not estimates: what the user can measure is what must not differ.
  let verifiedMs: number | undefined;
  let phaseStart: number | undefined;
  const verifyContext: StoreContext = {
    ...ctx,
    lockout: settings.lockout,
    async verifyPassword(pw, encoded, format) {
      const started = performance.now();
      const { ok } = await timed(spent, 'verify', () => passwords.check(pw, encoded, format, { deadline: ctx.deadline, signal: ctx.signal }));
      verifiedMs = Math.max(verifiedMs ?? 0, performance.now() - started);
      return ok;
    },
  };
  try {
    let user: LegacyUser | undefined;
    let stillThere: Promise<boolean> | undefined;
    if (store.authenticate) {
      const result = await asking(() => store.authenticate!(query, password, verifyContext));
      if (result.outcome !== 'ok') throw new AuthenticationFailedError(result.outcome);
      user = result.user;
    } else {
      user = await asking(() => store.findUser(query, verifyContext));
      phaseStart = performance.now();
      if (!user) throw new AuthenticationFailedError('unknown_user');
      if (typeof user.passwordHash !== 'string' || user.passwordHash.length === 0) throw new AuthenticationFailedError('no_hash');
      // A locked row's password is never checked: the refusal costs the timing hash, as any other.
      if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
        record.lockedUntil = user.lockedUntil.toISOString();
        throw new AuthenticationFailedError('locked', 'the guessing limit (or the legacy system) locked this row; it unlocks by itself');
      }
      // The attempt is counted before the password is checked, atomically: guesses sent at once cannot pass the
      // limit, since each must win a reservation first. A store that cannot reserve is counted after the check.
      if (store.reserveAttempt) {
        // Cognito retries a trigger that did not answer in 5 s with the same event: that retry counts once.
        const key = await settings.completion.linkKey().catch(() => undefined);
        const retry = key === undefined ? undefined : attemptRetry(key, { userPoolId: event.userPoolId, clientId: event.callerContext?.clientId ?? '', userName: event.userName, password });
        const counted = await asking(() => store.reserveAttempt!(user!, settings.lockout, ctx, retry));
        record.attemptReserved = counted;
        if (!counted) throw new AuthenticationFailedError('locked', 'the guessing limit locked this row (its attempts were taken, perhaps at once); it unlocks by itself');
      }
      // Verify before looking at `enabled` or the ledger, so neither answers sooner than a wrong password.
      const ok = await within(verifyContext.verifyPassword!(password, user.passwordHash!, user.hashFormat));
      if (!ok && !store.reserveAttempt) await recordAttempt(flow, user, 'failure', ctx, record, spent);
      // Every refusal waits as long as this whole phase takes here: the store's writes as well as the hash.
      flow.realPhases.add(performance.now() - phaseStart);
      if (!ok) throw new AuthenticationFailedError('wrong_password');
    }
    if (user.warnings?.length) record.dataProblems = user.warnings;
    if (!isEnabled(user)) throw new AuthenticationFailedError('user_disabled');
    // Only now, with the password proven: asking the pool sooner would tell anyone who exists, and spend the
    // account's ListUsers quota on guesses.
    stillThere = poolLookup(flow, event, user, ctx, spent);
    await refuseIfMigrated(flow, user, stillThere, record);
    // Last, once all else holds: a wrong code is refused as a wrong password is, and its attempt was reserved
    // above (or is counted here), so codes cannot be guessed past the limit either.
    if (user.totp && !(await secondFactor(flow, user, ctx, record, spent))) {
      if (!store.reserveAttempt) await recordAttempt(flow, user, 'failure', ctx, record, spent);
      throw new AuthenticationFailedError('mfa_required', 'the legacy account has an authenticator: the sign-in must carry its current code as ClientMetadata legacy_totp_code');
    }
    return user;
  } catch (err) {
    if (err instanceof CognitoMigrateError && err.refusal) await refusalTime(flow, password, ctx, spent, verifiedMs, phaseStart);
    throw err;
  }
}

/**
 * What a refusal costs, whatever refused: at least the timing hash, unless a
 * real verification that took as long already ran, and then as long as a
 * real verification of a stored hash takes here, as measured (the timing
 * hash the operator set may be cheaper than the legacy hashes, and a known
 * user's wrong password must not stand out).
 */
async function refusalTime(flow: Flow, password: string, ctx: StoreContext, spent: Spent, verifiedMs: number | undefined, phaseStart: number | undefined): Promise<void> {
  const { passwords, timing } = flow;
  const timingMs = flow.timingVerifies.median() ?? (await timing).ms / passwords.limits.cpuShare;
  if (verifiedMs === undefined || verifiedMs < timingMs * 0.9) {
    const started = performance.now();
    await timed(spent, 'verify', () => withDeadline(passwords.verifyTimingHash(password, { deadline: ctx.deadline, signal: ctx.signal }), ctx, flow.store.name));
    flow.timingVerifies.add(performance.now() - started);
  }
  if (phaseStart !== undefined) await padTo(flow.realPhases.median(PAD_SAMPLE), phaseStart, ctx);
}

/** ForgotPassword's second factor: an attempt reserved (or counted after), then the code. */
async function resetSecondFactor(flow: Flow, user: LegacyUser, ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<void> {
  const { settings, store } = flow;
  if (store.reserveAttempt && !(await timed(spent, 'store', () => withDeadline(store.reserveAttempt!(user, settings.lockout, ctx), ctx, store.name)))) {
    throw new AuthenticationFailedError('locked', 'the guessing limit locked this row: its authenticator codes cannot be tried until it unlocks');
  }
  if (await secondFactor(flow, user, ctx, record, spent)) return;
  if (!store.reserveAttempt) await recordAttempt(flow, user, 'failure', ctx, record, spent);
  throw new AuthenticationFailedError('mfa_required', 'the legacy account has an authenticator: the reset must carry its current code as ClientMetadata legacy_totp_code');
}

/**
 * The legacy authenticator's code from the app's ClientMetadata, checked
 * against the row's secret (±1 step) and, where the store keeps the last
 * step, never accepted twice. Neither the secret nor the code is recorded:
 * only whether a code came and why it failed.
 */
async function secondFactor(flow: Flow, user: LegacyUser, ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<boolean> {
  const { settings, store } = flow;
  const code = ctx.clientMetadata?.[TOTP_CODE_KEY];
  // The check loads with the first row that has a secret; most instances never meet one.
  const { decodeSecret, matchTotp } = await import('./totp-check.js');
  const parameters = totpParameters(user.totp!, settings.totp);
  const secret = parameters && decodeSecret(user.totp!.secret, parameters.encoding);
  if (!parameters || !secret) {
    record.totp = 'unreadable';
    record.dataProblems = [...((record.dataProblems as string[] | undefined) ?? []), 'the row\'s TOTP secret or its algorithm, digits or period cannot be read: the user cannot migrate until it is fixed'];
    return false;
  }
  const step = typeof code === 'string' ? matchTotp(secret, code, parameters, Date.now()) : undefined;
  if (step === undefined) {
    record.totp = typeof code === 'string' ? 'wrong_code' : 'no_code';
    return false;
  }
  const last = user.totp!.lastStep;
  const fresh = (last === undefined || step > last) && (!store.useTotpStep || (await timed(spent, 'store', () => withDeadline(store.useTotpStep!(user, step, ctx), ctx, store.name))));
  record.totp = fresh ? 'proven' : 'replayed_code';
  return fresh;
}

async function answer(flow: Flow, event: UserMigrationTriggerEvent, ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<Outcome> {
  const { settings, store, timing, pool } = flow;
  const query: LookupQuery = { login: event.userName, matchEmail: settings.matchEmail, caseInsensitive: settings.caseInsensitive };
  const forgot = event.triggerSource === 'UserMigration_ForgotPassword';
  // Not awaited before the lookup: on a fresh instance the timing hash's calibration (started at init) and the
  // store's first connection overlap instead of following each other. A refusal awaits it (refusalTime), and so does
  // every answer below, so a timing hash over budget still fails them all.
  let user: LegacyUser | undefined;

  if (forgot) {
    user = await timed(spent, 'store', () => withDeadline(store.findUser(query, ctx), ctx, store.name));
    if (user?.warnings?.length) record.dataProblems = user.warnings;
    if (!user) throw new AuthenticationFailedError('unknown_user');
    if (!isEnabled(user)) throw new AuthenticationFailedError('user_disabled');
    // The guessing limit's own lock lets a reset through: proving the email or phone is the owner's way out. A
    // lock the legacy system wrote (longer than this limit ever locks: an admin's, or 'infinity') holds.
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now() && !isOwnLock(flow, user.lockedUntil)) {
      record.lockedUntil = user.lockedUntil.toISOString();
      throw new AuthenticationFailedError('locked', 'the legacy system locked this row (a lock longer than LOGIN_LOCK_SECONDS); a reset does not lift it');
    }
    // No pool look-up here: a reset proves nothing yet, so a linked row is refused whatever REMIGRATE says.
    await refuseIfMigrated(flow, user, undefined, record);
    // A reset proves the email or the phone, not the authenticator: a row with one needs its code here too
    // (ForgotPassword's ClientMetadata), each code an attempt against the guessing limit.
    if (user.totp) await resetSecondFactor(flow, user, ctx, record, spent);
  } else {
    user = await authenticate(flow, event, query, ctx, record, spent);
  }

  const attributes = toCognitoAttributes(mapAttributes(user, settings.attributes));
  // A function-given mapping may still produce these; only the proof computed here may stand.
  delete attributes[settings.completion.proofAttribute];
  delete attributes[settings.completion.markAttribute];
  delete attributes[settings.totp.markAttribute];
  // The app reads it to send the person straight to enrolling an authenticator in Cognito (AssociateSoftwareToken).
  if (user.totp) attributes[settings.totp.markAttribute] = 'totp';
  const legacyId = attributes[settings.completion.legacyIdAttribute];
  // The proof that this answer made the user: the completion links the row and grants its groups only with it. Only
  // where there is a completion: a pool that lacks the attribute refuses an answer that sets it, every sign-in.
  const key = store.linkAccount ? await settings.completion.linkKey() : undefined;
  if (key !== undefined && legacyId) attributes[settings.completion.proofAttribute] = linkProof(key, event.userPoolId, legacyId);
  // Refused like an unknown login, so a reset form cannot tell who exists; the log says why.
  if (forgot && attributes.email_verified !== 'true' && attributes.phone_number_verified !== 'true') {
    throw new AuthenticationFailedError('cannot_reset', 'neither email_verified nor phone_number_verified is "true", so Cognito could not deliver the reset code; map a verified email or phone, or let the user sign in with the legacy password first');
  }
  const response = event.response;
  response.userAttributes = attributes;
  const weak = forgot ? false : await failsPolicy(flow, event, ctx, record);
  if (!forgot) response.finalUserStatus = user.mustResetPassword || (weak && settings.passwordPolicy.mode === 'reset') ? 'RESET_REQUIRED' : settings.finalUserStatus;
  if (settings.messageAction === 'SUPPRESS') response.messageAction = 'SUPPRESS';
  response.desiredDeliveryMediums = [...settings.desiredDeliveryMediums];
  response.forceAliasCreation = settings.forceAliasCreation;
  if (settings.enableSMSMFA && user.smsMfa && attributes.phone_number && attributes.phone_number_verified === 'true') {
    response.enableSMSMFA = true;
  }
  if (!forgot && !settings.shadow) await recordAttempt(flow, user, 'success', ctx, record, spent);
  if (!forgot && !settings.shadow && store.markMigrated) await timed(spent, 'store', () => boundedWrite(flow, { done: 'markedMigrated', problem: 'markProblem' }, (c) => store.markMigrated!(user!, c), ctx, record));
  await timing;
  return forgot ? 'found' : 'migrated';
}

/**
 * A write the answer does not wait on for its result (the migration mark, the
 * guessing limit's count): bounded by the deadline, and a failure never
 * changes the answer; the record says what happened under `keys.done`, and
 * why it failed under `keys.problem`.
 */
async function boundedWrite(flow: Flow, keys: { done: string; problem: string }, work: (ctx: StoreContext) => Promise<void>, ctx: StoreContext, record: Record<string, unknown>): Promise<void> {
  const name = keys.done;
  const left = ctx.remainingMs() - MARK_MARGIN_MS;
  if (left <= 0) {
    record[name] = false;
    record[keys.problem] = 'no time left before the deadline';
    return;
  }
  const deadline = Date.now() + left;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(left)]);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work({ ...ctx, signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) }),
      new Promise((_, reject) => { timer = setTimeout(() => reject(Object.assign(new Error('no answer before the deadline'), { name: 'TimeoutError' })), left); }),
    ]);
    record[name] = true;
  } catch (err) {
    record[name] = false;
    const e = err as { name?: string; code?: unknown };
    record[keys.problem] = typeof e.code === 'string' ? `${e.name ?? 'Error'} ${e.code}` : (e.name ?? 'Error');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a proven legacy password fails the pool's password policy, which
 * Cognito does not apply to a migrated password (developer guide, "Migrate
 * user Lambda trigger"). Never fails the sign-in: a policy that cannot be
 * read in time is a note in the record. The record names the rules failed,
 * never anything of the password.
 */
async function failsPolicy(flow: Flow, event: UserMigrationTriggerEvent, ctx: StoreContext, record: Record<string, unknown>): Promise<boolean> {
  const { settings, pool, metrics } = flow;
  const { mode, rules: given } = settings.passwordPolicy;
  if (mode === 'off' || settings.shadow) return false;
  let rules = given;
  if (!rules) {
    if (!pool.passwordPolicy) return false;
    let read = flow.policies.get(event.userPoolId);
    if (!read) {
      read = pool.passwordPolicy(event.userPoolId, { signal: ctx.signal }).catch(() => undefined);
      flow.policies.set(event.userPoolId, read);
    }
    const left = ctx.remainingMs() - MARK_MARGIN_MS;
    let timer: NodeJS.Timeout | undefined;
    rules = left > 0 ? await Promise.race([read, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), left); })]).finally(() => clearTimeout(timer)) : undefined;
    if (!rules) {
      flow.policies.delete(event.userPoolId);
      record.passwordPolicy = 'unread';
      return false;
    }
  }
  const failed = failedRules(event.request.password, rules);
  if (failed.length === 0) return false;
  record.passwordPolicy = failed;
  metrics.count('password_policy_failed');
  return true;
}

/** The guessing limit's count, when the store keeps one. */
function recordAttempt(flow: Flow, user: LegacyUser, outcome: 'failure' | 'success', ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<void> {
  const { store, settings } = flow;
  return store.recordAttempt ? timed(spent, 'store', () => boundedWrite(flow, { done: outcome === 'failure' ? 'failureCounted' : 'failuresReset', problem: 'attemptProblem' }, (c) => store.recordAttempt!(user, outcome, settings.lockout, c), ctx, record)) : Promise.resolve();
}


/** Milliseconds one invocation spent in the store and in verifying passwords, each without the other. */
interface Spent {
  store: number;
  verify: number;
}

/** Runs `work`, adding its time to `spent[what]`, less any time the other kind spent inside it (a chain store verifies). */
async function timed<T>(spent: Spent, what: keyof Spent, work: () => Promise<T>): Promise<T> {
  const other = what === 'store' ? 'verify' : 'store';
  const before = spent[other];
  const t = performance.now();
  try {
    return await work();
  } finally {
    spent[what] += performance.now() - t - (spent[other] - before);
  }
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

/** The last few measured durations, and their median (undefined before the first). */
function recentTimes(size = 31) {
  const times: number[] = [];
  return {
    add(ms: number) {
      times.push(ms);
      if (times.length > size) times.shift();
    },
    /** The median, once there are `least` times: one costly row alone must not set every refusal's time. */
    median(least = 1): number | undefined {
      if (times.length === 0 || times.length < least) return undefined;
      const sorted = [...times].sort((a, b) => a - b);
      return sorted[sorted.length >> 1];
    },
  };
}

/** Waits until `target` ms have passed since `from`, never past the deadline. */
async function padTo(target: number | undefined, from: number, ctx: StoreContext): Promise<void> {
  if (target === undefined) return;
  const wait = Math.min(target - (performance.now() - from), ctx.remainingMs() - 20);
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
}

// Fails closed: only `true`, or no such field at all, lets a user in.
function isEnabled(user: LegacyUser): boolean {
  return user.enabled === true || user.enabled === undefined;
}

/**
 * How much of Cognito's 5 s an on-demand cold start spent before the first
 * invocation began: Cognito's wait started with its call, Lambda's Init
 * phase (the runtime, this code's loading) came before the handler, and
 * `getRemainingTimeInMillis` counts from the invocation only. A trigger that
 * answers late is retried by Cognito, so the first budget leaves that time
 * out. `AWS_LAMBDA_INITIALIZATION_TYPE` is `on-demand` for such a start
 * (Lambda developer guide, "Defined runtime environment variables"); a
 * provisioned or SnapStart instance was initialised before any request.
 * `uptimeMs` is the process's time so far (`performance.now()`).
 *
 * @example
 * ```ts
 * coldStartElapsed({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }, true, 850) // 850
 * ```
 */
export function coldStartElapsed(env: Readonly<Record<string, string | undefined>>, first: boolean, uptimeMs: number): number {
  return first && env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand' ? Math.max(0, uptimeMs) : 0;
}

function remaining(context?: Partial<Context>): number {
  const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : COGNITO_LIMIT_MS;
  return Math.min(left, COGNITO_LIMIT_MS);
}

async function withDeadline<T>(work: Promise<T>, ctx: StoreContext, storeName: string): Promise<T> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(ctx.signal.reason ?? new DeadlineExceededError(storeName, 0));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    // The store's promise may still settle (or reject) after the deadline; nobody listens then.
    work.catch(() => {});
  }
}

/**
 * What the app passed as ClientMetadata, where Cognito puts it for each source:
 * InitiateAuth and AdminInitiateAuth pass it to the User migration trigger as
 * `validationData` (API reference, InitiateAuth and AdminInitiateAuth,
 * ClientMetadata), ForgotPassword as `clientMetadata` (API reference,
 * ForgotPassword, ClientMetadata). Only string values are kept: user input.
 */
function appMetadata(event: UserMigrationTriggerEvent): Record<string, string> | undefined {
  const request = event.request as { validationData?: unknown; clientMetadata?: unknown };
  const raw = event.triggerSource === 'UserMigration_Authentication' ? request.validationData : request.clientMetadata;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') out[key] = value;
  return out;
}

function checkEvent(event: unknown): asserts event is UserMigrationTriggerEvent {
  if (typeof event !== 'object' || event === null) throw new InvalidEventError('(event)', 'must be an object');
  const e = event as Record<string, unknown>;
  if (e.triggerSource !== 'UserMigration_Authentication' && e.triggerSource !== 'UserMigration_ForgotPassword') {
    throw new InvalidEventError('triggerSource', 'must be UserMigration_Authentication or UserMigration_ForgotPassword');
  }
  if (typeof e.userName !== 'string' || e.userName.length === 0) throw new InvalidEventError('userName', 'must be a non-empty string');
  if (e.userName.length > 2048) throw new InvalidEventError('userName', 'is longer than 2048 characters');
  if (typeof e.request !== 'object' || e.request === null) throw new InvalidEventError('request', 'must be an object');
  if (e.triggerSource === 'UserMigration_Authentication' && typeof (e.request as Record<string, unknown>).password !== 'string') {
    throw new InvalidEventError('request.password', 'must be a string for UserMigration_Authentication');
  }
  if (typeof e.response !== 'object' || e.response === null) e.response = {};
}
