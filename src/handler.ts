// The small piece that wires the flows: one deployed function serves the
// UserMigration trigger (src/migration.ts) and the completion triggers, Post
// authentication and Post confirmation (src/completion.ts), and answers the
// self-check event (src/self-check.ts, loaded on the first such event). The options and
// their checks are in src/options.ts.
import type { Context, UserMigrationTriggerEvent } from 'aws-lambda';
import { type CheckReport, fail, isSelfCheckEvent, report } from './checks.js';
import { COMPLETION_SOURCES, type CompletionEvent, createCompletionFlow } from './completion.js';
import type { SignUpEvent } from './signup.js';
import { AttributeValidationError, CognitoMigrateError, ConfigurationError, PUBLIC_MESSAGES, UnsupportedHashError, asMigrateError } from './errors.js';
import { createMigrationFlow } from './migration.js';
import { COGNITO_LIMIT_MS, type UserMigrationOptions, validate } from './options.js';
import { createPasswordVerifier } from './passwords/registry.js';
import { cognitoPoolAdmin } from './pool-admin.js';
import { type MigrationLogger, type MigrationMetrics, createDefaultLogger, createDefaultMetrics } from './telemetry.js';

// The trigger sources that never need the settings to answer: they pass when the configuration is broken.
const PASS_THROUGH = /^(PostAuthentication|PostConfirmation|PreSignUp)_/;

/** The Pre sign-up sources the guard checks (src/signup.ts); `PreSignUp_ExternalProvider`, a federated first sign-in, goes to src/federation.ts. */
export const SIGNUP_SOURCES = ['PreSignUp_SignUp', 'PreSignUp_AdminCreateUser'] as const;

export { COGNITO_LIMIT_MS, type UserMigrationOptions } from './options.js';

const WHERE = 'createUserMigrationHandler';

/**
 * The deployed function: a UserMigration handler that also completes
 * migrations, with a `close()` for tests and scripts. Given the self-check
 * event (`{ "cognito-migrate": "self-check" }`) it answers with a
 * {@link CheckReport} instead.
 */
export type UserMigrationHandler = {
  (event: UserMigrationTriggerEvent, context?: Partial<Context>): Promise<UserMigrationTriggerEvent>;
  <E extends CompletionEvent>(event: E, context?: Partial<Context>): Promise<E>;
  (event: unknown, context?: Partial<Context>): Promise<UserMigrationTriggerEvent | CheckReport>;
  /** Closes the store's connections. */
  close(): Promise<void>;
  /**
   * Resolves once the instance's start work is done: the timing hash's calibration and, for a store that links or
   * counts attempts, the link key's first read. Never rejects (a failure there is met again by the first invocation).
   */
  ready(): Promise<void>;
};

/**
 * Creates the function every deployment runs. By trigger source:
 * `UserMigration_Authentication` finds the one legacy row and verifies the
 * password, `UserMigration_ForgotPassword` only finds the row (src/migration.ts);
 * `PostAuthentication_Authentication` and
 * `PostConfirmation_ConfirmForgotPassword` complete the migration: the row
 * learns the sub, roles become groups, the user is marked (src/completion.ts).
 * Any other Post authentication or Post confirmation source is answered
 * unchanged, so wiring those triggers can never fail a sign-in or a sign-up.
 *
 * @example
 * ```ts
 * import { createUserMigrationHandler } from 'cognito-migrate'
 * import { createPostgresStore } from 'cognito-migrate/adapters/postgres'
 *
 * export const handler = createUserMigrationHandler({
 *   store: createPostgresStore({ connectionString: process.env.DATABASE_URL, cognitoSub: { column: 'cognito_sub' } }),
 *   matchEmail: true,
 *   attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' },
 *   completion: { groupMap: { ROLE_ADMIN: 'admins' } },
 * })
 * ```
 */
export function createUserMigrationHandler(options: UserMigrationOptions): UserMigrationHandler {
  const settings = validate(options);
  const { store } = settings;
  const logger = options.logger ?? createDefaultLogger();
  const metrics = options.metrics ?? createDefaultMetrics();
  const pool = options.pool ?? cognitoPoolAdmin();
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

  // Read the link key (a secret) while the instance starts, not on its first migration; a failure is read again then.
  // Only a store that links (the proof) or counts attempts (Cognito's retries counted once) needs it.
  const keyRead = store.linkAccount || store.reserveAttempt ? settings.completion.linkKey().catch(() => {}) : undefined;
  const migrate = createMigrationFlow({ settings, passwords, timing, pool, logger, metrics, describe: describeFailure });
  const complete = createCompletionFlow({ store, pool, settings: settings.completion, remigrate: settings.remigrate, logger, metrics });
  // The sign-up guard loads on the first Pre sign-up event: a sign-in never needs it.
  let guarding: Promise<(event: SignUpEvent, context?: Partial<Context>) => Promise<SignUpEvent>> | undefined;
  const guard = async (event: SignUpEvent, context?: Partial<Context>) => {
    guarding ??= import('./signup.js').then(({ createSignUpGuard }) => createSignUpGuard({
      store, mode: settings.signUpGuard, lookup: { matchEmail: settings.matchEmail, caseInsensitive: settings.caseInsensitive }, timeoutMs: settings.timeoutMs, logger, metrics,
      reserved: [settings.completion.legacyIdAttribute, settings.completion.markAttribute, settings.completion.proofAttribute, settings.totp.markAttribute],
      own: { linkKey: settings.completion.linkKey, legacyIdAttribute: settings.completion.legacyIdAttribute, proofAttribute: settings.completion.proofAttribute },
    }));
    return (await guarding)(event, context);
  };
  // The federated first sign-in likewise, on the first PreSignUp_ExternalProvider event.
  let federating: Promise<(event: SignUpEvent, context?: Partial<Context>) => Promise<SignUpEvent>> | undefined;
  const federate = async (event: SignUpEvent, context?: Partial<Context>) => {
    if (settings.signUpGuard === 'off') return event;
    federating ??= import('./federation.js').then(({ createFederatedFirst }) => createFederatedFirst({
      store, pool, completion: settings.completion, remigrate: settings.remigrate, attributes: settings.attributes,
      dropped: [settings.completion.markAttribute, settings.totp.markAttribute], linkByEmail: settings.linkByEmail,
      lookup: { matchEmail: settings.matchEmail, caseInsensitive: settings.caseInsensitive }, usernameField: settings.usernameField,
      // Cognito waits 5 s for Pre sign-up; creating and completing a user takes several calls, so the whole budget.
      timeoutMs: Math.max(settings.timeoutMs, COGNITO_LIMIT_MS - 200), logger, metrics,
    }));
    return (await federating)(event, context);
  };

  const handler = async (event: unknown, context?: Partial<Context>): Promise<unknown> => {
    if (isSelfCheckEvent(event)) return (await import('./self-check.js')).selfCheck({ settings, passwords, logger });
    const source = (event as { triggerSource?: unknown } | null)?.triggerSource;
    if ((COMPLETION_SOURCES as readonly unknown[]).includes(source)) return complete(event as CompletionEvent, context);
    if ((SIGNUP_SOURCES as readonly unknown[]).includes(source)) return guard(event as SignUpEvent, context);
    if (source === 'PreSignUp_ExternalProvider') return federate(event as SignUpEvent, context);
    if (typeof source === 'string' && /^Post(Authentication|Confirmation)_/.test(source)) return event;
    return migrate(event as UserMigrationTriggerEvent, context);
  };

  const ready = async () => { await Promise.allSettled([timing, keyRead]); };
  return Object.assign(handler, { close: async () => store.close?.(), ready }) as UserMigrationHandler;
}

/** The longest a Lambda entry's init waits for its start work (Lambda allows init 10 s). */
export const START_WAIT_MS = 2000;

/**
 * What a deployed entry awaits during Lambda's init: the handler's start work and the store's connection, so a fresh
 * instance's first sign-in does not run beside them (`bench --only cold`: PostgreSQL's first sign-in ran 58 to 59 ms
 * over a warm one without it, 8 to 26 ms with it over the day's runs; BENCHMARKS.md, "Cold start and first sign-in"). Waits at most
 * `waitMs`: a store that hangs is left to the first invocation's own deadline. Never throws.
 *
 * @example
 * ```ts
 * export const handler = guardColdStart(() => createUserMigrationHandler(options))
 * if (process.env.AWS_LAMBDA_FUNCTION_NAME) await startInstance(handler, store.warm())
 * ```
 */
export async function startInstance(handler: UserMigrationHandler, connecting?: Promise<unknown>, waitMs = START_WAIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<void>((resolve) => { timer = setTimeout(resolve, waitMs); });
  try {
    await Promise.race([Promise.allSettled([handler.ready(), connecting]), cap]);
  } finally {
    clearTimeout(timer);
  }
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
export function guardColdStart(build: () => UserMigrationHandler, logger: MigrationLogger = createDefaultLogger(), metrics?: MigrationMetrics): UserMigrationHandler {
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
      const source = (event as { triggerSource?: unknown } | null)?.triggerSource;
      // Cognito fails a sign-in whose Post authentication trigger fails: one bad setting would lock every user of the
      // pool out, not only the legacy users still to migrate. Those sources go on untouched, loudly logged and counted.
      // A sign-up is another matter: let through unchecked, it could take a legacy person's login for good, and
      // refusing it keeps every existing user signing in. So the guarded sign-ups fail closed.
      // A federated first sign-in too: let through, it would make a legacy person a second, empty user for good.
      if (typeof source === 'string' && PASS_THROUGH.test(source) && !(SIGNUP_SOURCES as readonly string[]).includes(source) && source !== 'PreSignUp_ExternalProvider') {
        logger.error('configuration invalid: this trigger answered unchanged, without completing anything', { triggerSource: source, ...describeFailure(failure) });
        // Built on first use: a healthy instance never needs it.
        (metrics ??= createDefaultMetrics()).count('configuration_invalid');
        return event as never;
      }
      logger.error('refusing invocation: configuration invalid', describeFailure(failure));
      (metrics ??= createDefaultMetrics()).count('configuration_invalid');
      throw new Error(PUBLIC_MESSAGES.unavailable);
    };
    return Object.assign(broken, { close: async () => {}, ready: async () => {} }) as UserMigrationHandler;
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
