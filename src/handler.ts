import type { Context, UserMigrationTriggerEvent } from 'aws-lambda';
import { type AttributeMapping, checkMappingSources, mapAttributes, toCognitoAttributes } from './attributes.js';
import { type CheckReport, fail, isSelfCheckEvent, pass, report, runChecks, warn } from './checks.js';
import { oneOf, rejectUnknownKeys } from './config.js';
import {
  AttributeValidationError,
  AuthenticationFailedError,
  CognitoMigrateError,
  ConfigurationError,
  DeadlineExceededError,
  InvalidEventError,
  UnsupportedHashError,
  type Outcome,
  PUBLIC_MESSAGES,
  asMigrateError,
} from './errors.js';
import { DEFAULT_TIMING_HASH } from './passwords/bcrypt.js';
import { type Normalization, createPasswordVerifier } from './passwords/registry.js';
import type { PasswordVerifier } from './passwords/verifier.js';
import type { WorkLimits } from './passwords/work.js';
import { timingHashCheck } from './timing-check.js';
import { type MigrationLogger, type MigrationMetrics, createDefaultLogger, createDefaultMetrics } from './telemetry.js';
import type { LegacyUser, LookupQuery, StoreContext, UserStore } from './types.js';

/** Cognito gives up on a trigger after 5 seconds; nothing may take longer. */
export const COGNITO_LIMIT_MS = 5000;
// Room left for Lambda to serialise the answer before its own timeout.
const SAFETY_MARGIN_MS = 150;
// Recording a migration stops this long before the deadline, so the answer is never late for it.
const MARK_MARGIN_MS = 50;

/**
 * Options of {@link createUserMigrationHandler}. Validated once, when the
 * handler is created; an unknown or bad option throws `ConfigurationError`.
 *
 * @example
 * ```ts
 * const options: UserMigrationOptions = { store, matchEmail: true, finalUserStatus: 'CONFIRMED' }
 * ```
 */
export interface UserMigrationOptions {
  /** Where legacy users live. */
  store: UserStore;
  /** Also find users by their legacy email (pools where users sign in with an email alias). Default false. */
  matchEmail?: boolean;
  /** Match logins case-insensitively. Default false. */
  caseInsensitive?: boolean;
  /** `CONFIRMED` keeps the legacy password (default); `RESET_REQUIRED` makes the user choose a new one. */
  finalUserStatus?: 'CONFIRMED' | 'RESET_REQUIRED';
  /** `SUPPRESS` (default) sends no welcome message; `SEND` lets Cognito send one. */
  messageAction?: 'SUPPRESS' | 'SEND';
  /** Where Cognito sends a welcome message, when it sends one. Default `['EMAIL']`. */
  desiredDeliveryMediums?: ReadonlyArray<'EMAIL' | 'SMS'>;
  /** Move an email/phone alias that another pool user already has to the migrated user. Default false. */
  forceAliasCreation?: boolean;
  /**
   * Turn SMS MFA on for users whose legacy account had it and whose phone is
   * verified, so the migration never drops a second factor. Default true
   * (the pool must allow SMS MFA; doctor checks).
   */
  enableSMSMFA?: boolean;
  /** Legacy fields → Cognito attributes. Default: fields already named like Cognito attributes. */
  attributes?: AttributeMapping;
  /** Total budget for the store and the hash, in ms. Default 3000, at most 4800. */
  timeoutMs?: number;
  /** Verifiers for hash formats beyond the built-in ones. */
  verifiers?: readonly PasswordVerifier[];
  /**
   * The hash every refusal is timed against (unknown user, disabled, no or
   * unreadable hash, ambiguous login), so none of them answers faster than a
   * wrong password. Default bcrypt cost 10; set a hash of a random password
   * with the legacy hashes' usual format and cost (the self-check samples the
   * store and prints the value to set). Never taken from the store.
   */
  timingHash?: string;
  /** Unicode normalisation of passwords before hashing: `none` (default), `NFC` or `NFKC`. */
  normalize?: Normalization;
  /**
   * What one verification may cost, over the defaults (the Lambda's CPU share
   * and half its memory). A stored hash whose estimated work does not fit the
   * time left is refused before any of it is done.
   */
  workLimits?: Partial<WorkLimits>;
  /** The verification worker script, or `false` to verify on the event loop (default: found beside the code). */
  verifyWorker?: URL | string | false;
  /**
   * Shadow mode: verify credentials and record the outcome (`shadow_would_migrate`,
   * `shadow_found`, or the usual refusals), but never migrate: every answer is the
   * retriable public message, so Cognito creates nobody. Measures how many users
   * would migrate before the cut-over.
   */
  shadow?: boolean;
  /** Defaults to a Powertools Logger. */
  logger?: MigrationLogger;
  /** Defaults to Powertools Metrics (EMF). */
  metrics?: MigrationMetrics;
}

const OPTION_NAMES = [
  'store', 'matchEmail', 'caseInsensitive', 'finalUserStatus', 'messageAction', 'desiredDeliveryMediums',
  'forceAliasCreation', 'enableSMSMFA', 'attributes', 'timeoutMs', 'verifiers', 'timingHash', 'normalize', 'workLimits', 'verifyWorker', 'shadow', 'logger', 'metrics',
] as const;

/**
 * A UserMigration handler with a `close()` for tests and scripts. Given the
 * self-check event (`{ "cognito-migrate": "self-check" }`) it answers with a
 * {@link CheckReport} instead.
 */
export type UserMigrationHandler = {
  (event: UserMigrationTriggerEvent, context?: Partial<Context>): Promise<UserMigrationTriggerEvent>;
  (event: unknown, context?: Partial<Context>): Promise<UserMigrationTriggerEvent | CheckReport>;
  /** Closes the store's connections. */
  close(): Promise<void>;
};

const WHERE = 'createUserMigrationHandler';

/**
 * Creates the UserMigration trigger handler.
 *
 * `UserMigration_Authentication` finds the user and verifies the password;
 * `UserMigration_ForgotPassword` only finds the user. Every refusal a user can
 * provoke (unknown, disabled, wrong password, no or unreadable hash, a hash
 * too costly to verify, an ambiguous login) carries the same public message
 * and costs at least one verification of the fixed timing hash, so neither
 * text nor time tells them apart; the log and metric do. Outages and
 * deadlines answer with a different, retriable message.
 *
 * @example
 * ```ts
 * import { createUserMigrationHandler } from 'cognito-migrate'
 * import { createPostgresStore } from 'cognito-migrate/adapters/postgres'
 *
 * export const handler = createUserMigrationHandler({
 *   store: createPostgresStore({ connectionString: process.env.DATABASE_URL }),
 *   matchEmail: true,
 *   attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' },
 * })
 * ```
 */
export function createUserMigrationHandler(options: UserMigrationOptions): UserMigrationHandler {
  const settings = validate(options);
  const { store } = settings;
  const logger = options.logger ?? createDefaultLogger();
  const metrics = options.metrics ?? createDefaultMetrics();
  const passwords = createPasswordVerifier({
    verifiers: options.verifiers ?? [],
    normalize: settings.normalize,
    timingHash: settings.timingHash,
    ...(options.workLimits ? { limits: options.workLimits } : {}),
    ...(options.verifyWorker !== undefined ? { worker: options.verifyWorker } : {}),
  });
  if (!passwords.verifiers.some((v) => v.recognizes(settings.timingHash))) {
    throw new ConfigurationError('timingHash', `${WHERE}: option "timingHash" is not in a format any registered verifier recognises`, 'Use a bcrypt hash of a random password ($2b$…) at the legacy hashes\' usual cost.');
  }
  // The timing hash must fit any invocation's budget with room to spare, or refusals could not be timed.
  const timing = passwords.timingWork().then((work) => {
    if (work.ms / passwords.limits.cpuShare > settings.timeoutMs / 2) {
      throw new ConfigurationError('timingHash', `${WHERE}: the timing hash takes about ${Math.round(work.ms / passwords.limits.cpuShare)} ms here, over half the ${settings.timeoutMs} ms budget`, 'Use a cheaper timing hash, or give the function more memory (CPU).');
    }
    return work;
  });
  timing.catch(() => {});
  if (!passwords.isolated) logger.warn('password verification runs on the event loop: no verification worker script was found beside the code, so a costly hash cannot be stopped at the deadline', {});

  async function authenticate(event: UserMigrationTriggerEvent, query: LookupQuery, ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<LegacyUser> {
    const password = event.request.password;
    const within = <T>(work: Promise<T>) => withDeadline(work, ctx, store.name);
    const verifying = <T>(work: () => Promise<T>) => timed(spent, 'verify', () => within(work()));
    const asking = <T>(work: () => Promise<T>) => timed(spent, 'store', () => within(work()));
    let verifiedMs: number | undefined;
    const verifyContext: StoreContext = {
      ...ctx,
      async verifyPassword(pw, encoded, format) {
        const { ok, work } = await timed(spent, 'verify', () => passwords.check(pw, encoded, format, { deadline: ctx.deadline, signal: ctx.signal }));
        verifiedMs = Math.max(verifiedMs ?? 0, work.ms);
        return ok;
      },
    };
    try {
      let user: LegacyUser | undefined;
      if (store.authenticate) {
        const result = await asking(() => store.authenticate!(query, password, verifyContext));
        if (result.outcome !== 'ok') throw new AuthenticationFailedError(result.outcome);
        user = result.user;
      } else {
        user = await asking(() => store.findUser(query, verifyContext));
        if (!user) throw new AuthenticationFailedError('unknown_user');
        if (typeof user.passwordHash !== 'string' || user.passwordHash.length === 0) throw new AuthenticationFailedError('no_hash');
        // Verify before looking at `enabled`, so a disabled account costs what a wrong password costs.
        if (!(await within(verifyContext.verifyPassword!(password, user.passwordHash!, user.hashFormat)))) throw new AuthenticationFailedError('wrong_password');
      }
      if (user.warnings?.length) record.dataProblems = user.warnings;
      if (!isEnabled(user)) throw new AuthenticationFailedError('user_disabled');
      return user;
    } catch (err) {
      // Every refusal costs at least the timing hash, unless a real verification of that cost already ran.
      if (err instanceof CognitoMigrateError && err.refusal && (verifiedMs === undefined || verifiedMs < (await timing).ms * 0.9)) {
        await verifying(() => passwords.verifyTimingHash(password, { deadline: ctx.deadline, signal: ctx.signal }));
      }
      throw err;
    }
  }

  async function answer(event: UserMigrationTriggerEvent, ctx: StoreContext, record: Record<string, unknown>, spent: Spent): Promise<Outcome> {
    const query: LookupQuery = { login: event.userName, matchEmail: settings.matchEmail, caseInsensitive: settings.caseInsensitive };
    const forgot = event.triggerSource === 'UserMigration_ForgotPassword';
    await timing;
    let user: LegacyUser | undefined;

    if (forgot) {
      user = await timed(spent, 'store', () => withDeadline(store.findUser(query, ctx), ctx, store.name));
      if (user?.warnings?.length) record.dataProblems = user.warnings;
      if (!user) throw new AuthenticationFailedError('unknown_user');
      if (!isEnabled(user)) throw new AuthenticationFailedError('user_disabled');
    } else {
      user = await authenticate(event, query, ctx, record, spent);
    }

    const attributes = toCognitoAttributes(mapAttributes(user, settings.attributes));
    if (forgot && attributes.email_verified !== 'true' && attributes.phone_number_verified !== 'true') {
      throw new AttributeValidationError('email_verified', 'is not "true" and neither is phone_number_verified, so Cognito could not deliver the reset code', 'Map a verified email or phone for users who reset their password, or let them sign in with their legacy password first.');
    }
    const response = event.response;
    response.userAttributes = attributes;
    if (!forgot) response.finalUserStatus = user.mustResetPassword ? 'RESET_REQUIRED' : settings.finalUserStatus;
    if (settings.messageAction === 'SUPPRESS') response.messageAction = 'SUPPRESS';
    response.desiredDeliveryMediums = [...settings.desiredDeliveryMediums];
    response.forceAliasCreation = settings.forceAliasCreation;
    if (settings.enableSMSMFA && user.smsMfa && attributes.phone_number && attributes.phone_number_verified === 'true') {
      response.enableSMSMFA = true;
    }
    if (!forgot && !settings.shadow && store.markMigrated) await timed(spent, 'store', () => markMigrated(user!, ctx, record));
    return forgot ? 'found' : 'migrated';
  }

  /** Tells the store the user migrated: bounded by the deadline, and a failure never fails the sign-in. */
  async function markMigrated(user: LegacyUser, ctx: StoreContext, record: Record<string, unknown>): Promise<void> {
    const left = ctx.remainingMs() - MARK_MARGIN_MS;
    if (left <= 0) {
      record.markedMigrated = false;
      record.markProblem = 'no time left before the deadline';
      return;
    }
    const deadline = Date.now() + left;
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(left)]);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.markMigrated!(user, { ...ctx, signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) }),
        new Promise((_, reject) => { timer = setTimeout(() => reject(Object.assign(new Error('no answer before the deadline'), { name: 'TimeoutError' })), left); }),
      ]);
      record.markedMigrated = true;
    } catch (err) {
      record.markedMigrated = false;
      const e = err as { name?: string; code?: unknown };
      record.markProblem = typeof e.code === 'string' ? `${e.name ?? 'Error'} ${e.code}` : (e.name ?? 'Error');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Proves the verification worker answers: the timing hash, verified through it. */
  async function isolationCheck() {
    if (!passwords.isolated) {
      return warn('verify.isolation', 'No verification worker script beside the code: passwords are verified on the event loop, and a costly hash cannot be stopped at the deadline', 'Deploy verify-worker.mjs beside the handler (npm run build and sam build put it there).');
    }
    try {
      await passwords.check('self-check', settings.timingHash, undefined, { deadline: Date.now() + 3000 });
      return pass('verify.isolation', 'Passwords are verified on a worker thread that the deadline can stop (the timing hash verified through it)');
    } catch (err) {
      const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.name : 'no answer';
      return fail('verify.isolation', `The verification worker did not answer (${why}): every sign-in would fail`, 'Deploy the verify-worker.mjs that the same build made, beside the handler; if you bundle the handler yourself, add cognito-migrate/verify-worker as a second entry point.');
    }
  }

  async function selfCheck(): Promise<CheckReport> {
    const mode = { matchEmail: settings.matchEmail, caseInsensitive: settings.caseInsensitive };
    const timingCheck = {
      id: 'timing.hash',
      run: async () => {
        const deadline = Date.now() + 3000;
        return timingHashCheck(store, passwords, { signal: AbortSignal.timeout(3000), deadline, remainingMs: () => Math.max(0, deadline - Date.now()) });
      },
    };
    const deep = await runChecks([...(store.checks?.(mode) ?? []), timingCheck], { timeoutMs: 4000 });
    const isolation = await isolationCheck();
    const checks = [pass('config', `Configuration valid; store "${store.name}"`), isolation, ...deep.checks];
    const outcome = report(checks);
    logger.info('self-check', { ok: outcome.ok, failed: checks.filter((c) => c.status === 'fail').map((c) => c.id) });
    return outcome;
  }

  const handler = async (event: UserMigrationTriggerEvent, context?: Partial<Context>): Promise<UserMigrationTriggerEvent> => {
    if (isSelfCheckEvent(event)) return (await selfCheck()) as never;
    const started = performance.now();
    const spent: Spent = { store: 0, verify: 0 };
    if (context && typeof context.getRemainingTimeInMillis === 'function' && logger.addContext) logger.addContext(context as Context);
    const record: Record<string, unknown> = {};
    let outcome: Outcome;
    let failure: CognitoMigrateError | undefined;
    const budget = Math.max(0, Math.min(settings.timeoutMs, remaining(context) - SAFETY_MARGIN_MS));
    const abort = new AbortController();
    const deadline = Date.now() + budget;
    const timer = setTimeout(() => abort.abort(new DeadlineExceededError(store.name, budget)), budget);
    const ctx: StoreContext = { signal: abort.signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
    try {
      checkEvent(event);
      record.triggerSource = event.triggerSource;
      record.userPoolId = event.userPoolId;
      record.clientId = event.callerContext?.clientId;
      const metadata = event.request.clientMetadata;
      if (metadata && typeof metadata === 'object') ctx.clientMetadata = metadata;
      outcome = await answer(event, ctx, record, spent);
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
      // A refusal the operator can fix (no hash, unreadable or too costly hash, ambiguous login) is a warning.
      const routine = failure instanceof AuthenticationFailedError && ['unknown_user', 'wrong_password', 'user_disabled', 'reset_required'].includes(failure.reason);
      if (routine && !record.dataProblems) logger.info('user migration refused', record);
      else logger.warn('user migration refused: the legacy data needs attention', { ...record, ...describeFailure(failure) });
    } else {
      logger.error('user migration failed', { ...record, ...describeFailure(failure) });
    }
    throw new Error(failure.publicMessage);
  };

  return Object.assign(handler, { close: async () => store.close?.() }) as UserMigrationHandler;
}

/**
 * Wraps a handler factory so that a configuration error at cold start is
 * logged once, and every invocation then fails fast with the generic public
 * message instead of crashing the runtime's init phase.
 *
 * @example
 * ```ts
 * export const handler = guardColdStart(() => createUserMigrationHandler(optionsFromEnv(process.env)))
 * ```
 */
export function guardColdStart(build: () => UserMigrationHandler, logger: MigrationLogger = createDefaultLogger()): UserMigrationHandler {
  try {
    const handler = build();
    logger.info('cold start: configuration valid');
    return handler;
  } catch (err) {
    const failure = asMigrateError(err);
    logger.error('cold start: configuration invalid; every sign-in will fail until it is fixed', describeFailure(failure));
    const fix = failure instanceof ConfigurationError ? failure.fix : 'See the cold-start log record.';
    const broken = async (event: unknown): Promise<never> => {
      if (isSelfCheckEvent(event)) return report([fail('config', failure.message, fix)]) as never;
      logger.error('refusing invocation: configuration invalid', describeFailure(failure));
      throw new Error(PUBLIC_MESSAGES.unavailable);
    };
    return Object.assign(broken, { close: async () => {} }) as UserMigrationHandler;
  }
}

/** What an operator-facing log record says about a failure: never the cause's text, which may quote data. */
export function describeFailure(failure: CognitoMigrateError): Record<string, unknown> {
  const out: Record<string, unknown> = { code: failure.code, error: failure.message };
  if (failure instanceof ConfigurationError) out.setting = failure.setting;
  if (failure instanceof AttributeValidationError) out.attribute = failure.attribute;
  if (failure instanceof UnsupportedHashError) out.hashFormat = failure.format;
  const cause = failure.cause;
  if (cause instanceof Error) {
    out.cause = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') out.causeCode = code;
  }
  return out;
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

// Fails closed: only `true`, or no such field at all, lets a user in.
function isEnabled(user: LegacyUser): boolean {
  return user.enabled === true || user.enabled === undefined;
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

interface Settings {
  store: UserStore;
  matchEmail: boolean;
  caseInsensitive: boolean;
  finalUserStatus: 'CONFIRMED' | 'RESET_REQUIRED';
  messageAction: 'SUPPRESS' | 'SEND';
  desiredDeliveryMediums: ReadonlyArray<'EMAIL' | 'SMS'>;
  forceAliasCreation: boolean;
  enableSMSMFA: boolean;
  attributes: AttributeMapping | undefined;
  timeoutMs: number;
  normalize: Normalization;
  shadow: boolean;
  timingHash: string;
}

function validate(options: UserMigrationOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', `${WHERE}: options must be an object`, 'Pass { store, ... }.');
  }
  rejectUnknownKeys(WHERE, options, OPTION_NAMES);
  const store = options.store;
  if (!store || typeof store.findUser !== 'function' || typeof store.name !== 'string') {
    throw new ConfigurationError('store', `${WHERE}: option "store" is required and must implement the UserStore contract (name, findUser)`, 'Pass an adapter, e.g. createPostgresStore({...}).');
  }
  const bool = (name: 'matchEmail' | 'caseInsensitive' | 'forceAliasCreation' | 'enableSMSMFA' | 'shadow') =>
    options[name] === undefined ? false : oneOf(WHERE, name, options[name], [true, false]);
  const mediums = options.desiredDeliveryMediums ?? ['EMAIL'];
  if (!Array.isArray(mediums) || mediums.length === 0) {
    throw new ConfigurationError('desiredDeliveryMediums', `${WHERE}: option "desiredDeliveryMediums" must be a non-empty array of "EMAIL" and/or "SMS"`, 'Pass ["EMAIL"], ["SMS"] or ["EMAIL", "SMS"].');
  }
  for (const m of mediums) oneOf(WHERE, 'desiredDeliveryMediums', m, ['EMAIL', 'SMS']);
  const timeoutMs = options.timeoutMs ?? 3000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > COGNITO_LIMIT_MS - 200) {
    throw new ConfigurationError('timeoutMs', `${WHERE}: option "timeoutMs" must be a whole number of ms from 100 to ${COGNITO_LIMIT_MS - 200}, got ${JSON.stringify(timeoutMs)}`, "Cognito waits 5 s for the trigger; leave room for it to answer (default 3000).");
  }
  const attributes = options.attributes;
  if (attributes !== undefined && typeof attributes !== 'function') {
    if (typeof attributes !== 'object' || attributes === null || Object.values(attributes).some((v) => typeof v !== 'string')) {
      throw new ConfigurationError('attributes', `${WHERE}: option "attributes" must map Cognito attribute names to legacy field names (strings), or be a function`, 'Example: { email: "email", "custom:legacy_id": "id" }.');
    }
    // Checking names now turns a mapping typo into a cold-start error instead of a failed sign-in.
    toCognitoAttributes(Object.fromEntries(Object.keys(attributes).map((name) => [name, sample(name)])));
    checkMappingSources(attributes);
  }
  return {
    store,
    matchEmail: bool('matchEmail'),
    caseInsensitive: bool('caseInsensitive'),
    finalUserStatus: oneOf(WHERE, 'finalUserStatus', options.finalUserStatus ?? 'CONFIRMED', ['CONFIRMED', 'RESET_REQUIRED'] as const),
    messageAction: oneOf(WHERE, 'messageAction', options.messageAction ?? 'SUPPRESS', ['SUPPRESS', 'SEND'] as const),
    desiredDeliveryMediums: mediums,
    forceAliasCreation: bool('forceAliasCreation'),
    enableSMSMFA: options.enableSMSMFA === undefined ? true : bool('enableSMSMFA'),
    attributes,
    timeoutMs,
    normalize: oneOf(WHERE, 'normalize', options.normalize ?? 'none', ['none', 'NFC', 'NFKC'] as const),
    shadow: bool('shadow'),
    timingHash: timingHashOption(options.timingHash),
  };
}

function timingHashOption(value: unknown): string {
  if (value === undefined) return DEFAULT_TIMING_HASH;
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw new ConfigurationError('timingHash', `${WHERE}: option "timingHash" must be a hash string`, 'Use a bcrypt hash of a random password ($2b$…) at the legacy hashes\' usual cost.');
  }
  return value;
}

// A value that passes the value rules of each attribute, so only the name is checked.
function sample(name: string): string {
  const samples: Record<string, string> = {
    email: 'a@b.co', phone_number: '+12065550100', email_verified: 'true', phone_number_verified: 'true',
    updated_at: '0', birthdate: '2000-01-01',
  };
  return samples[name] ?? 'x';
}
