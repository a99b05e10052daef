/**
 * Every error cognito-migrate raises, in one file.
 *
 * Two audiences read these errors. The operator reads `message` (in logs and
 * in thrown configuration errors): it names the bad value and the fix. The
 * signing-in user only ever sees {@link PUBLIC_MESSAGES}: Cognito forwards a
 * thrown message as "UserMigration failed with error <message>", so that text
 * must not reveal whether the user exists or what broke.
 *
 * No message built here contains a password or a password hash: constructors
 * take names of things (settings, attributes, formats), never secret values.
 */

/** The only texts a signing-in (or signing-up) user can see. */
export const PUBLIC_MESSAGES = {
  /**
   * Same text for every refusal a user can provoke: unknown user, wrong
   * password, disabled account, no or unreadable hash, ambiguous login.
   */
  rejected: 'Incorrect username or password.',
  /** Anything the user cannot fix by typing again: outage, timeout, bad configuration. */
  unavailable: 'Sign-in is temporarily unavailable. Please try again later.',
  /**
   * A sign-up refused by the Pre sign-up guard (src/signup.ts): a legacy
   * account holds the username or email. It tells the person the way in.
   */
  signUpTaken: 'An account already exists for this username or email. Sign in with its existing password, or reset the password.',
  /**
   * A federated first sign-in that was just linked to the person's legacy
   * account (src/federation.ts): Cognito fails that one attempt, and the next
   * signs in as the linked user.
   */
  federatedLinked: 'Your sign-in is now linked to your existing account. Please sign in again to continue.',
} as const;

/**
 * Every way one invocation can end: the log record's `outcome` and the name
 * of the metric counted (template.yaml's dashboard and alarms use these names).
 *
 * @example
 * ```ts
 * OUTCOMES.includes('migrated') // true
 * ```
 */
export const OUTCOMES = [
  'migrated', 'found', 'password_policy_failed',
  'unknown_user', 'wrong_password', 'user_disabled', 'reset_required',
  'no_hash', 'malformed_hash', 'hash_over_budget', 'ambiguous_login', 'mfa_required', 'already_migrated', 'cannot_reset', 'locked',
  'shadow_would_migrate', 'shadow_found',
  'completed', 'completion_failed', 'completion_conflict', 'group_missing', 'completion_unproven',
  'signup_refused', 'federated_linked',
  'store_unavailable', 'deadline_exceeded',
  'invalid_attributes', 'invalid_event', 'configuration_invalid', 'internal_error',
] as const;

/** How one invocation ended; used for the log record and as the metric name. */
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Base class of every cognito-migrate error.
 *
 * @example
 * ```ts
 * try { await store.findUser(query, ctx) }
 * catch (err) { if (err instanceof CognitoMigrateError && err.retriable) retryLater() }
 * ```
 */
export abstract class CognitoMigrateError extends Error {
  /** Stable machine-readable code, e.g. `STORE_UNAVAILABLE`. */
  abstract readonly code: string;
  /** How the invocation is recorded when this error ends it. */
  abstract readonly outcome: Outcome;
  /** The text Cognito may show the user. */
  abstract readonly publicMessage: string;
  /** True when trying the same sign-in again later can succeed. */
  readonly retriable: boolean = false;
  /**
   * True for a refusal the user can provoke by what they type: it answers
   * {@link PUBLIC_MESSAGES.rejected} and takes at least the timing hash's time.
   */
  readonly refusal: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Why a sign-in was refused; all of them look the same from outside.
 * `no_hash`, `ambiguous_login`, `mfa_required` and `already_migrated` are the operator's to fix
 * (or the user's to complete) and are logged as warnings.
 */
export type RejectionReason =
  | 'unknown_user' | 'wrong_password' | 'user_disabled' | 'reset_required'
  | 'no_hash' | 'ambiguous_login' | 'mfa_required'
  /** The legacy row already became a Cognito user (its sub is in the ledger): never a second account. */
  | 'already_migrated'
  /** ForgotPassword for a user with no verified email or phone: Cognito could not deliver the code. */
  | 'cannot_reset'
  /** The guessing limit: too many wrong passwords for this row, or a lock the legacy system set. */
  | 'locked';

/**
 * The credentials were refused. The public message is identical for every
 * {@link RejectionReason}, so a caller cannot probe which usernames exist.
 *
 * @example
 * ```ts
 * throw new AuthenticationFailedError('wrong_password')
 * throw new AuthenticationFailedError('ambiguous_login', 'two legacy rows match this login case-insensitively')
 * ```
 */
export class AuthenticationFailedError extends CognitoMigrateError {
  readonly code = 'AUTHENTICATION_FAILED';
  readonly publicMessage = PUBLIC_MESSAGES.rejected;
  override readonly refusal = true;
  readonly outcome: Outcome;

  constructor(
    readonly reason: RejectionReason,
    /** What the operator should know; names things, never values. */
    detail?: string,
  ) {
    super(`Sign-in refused: ${reason.replace(/_/g, ' ')}${detail ? ` (${detail})` : ''}.`);
    this.outcome = reason;
  }
}

/**
 * The legacy store could not answer (connection refused, query failed,
 * HTTP 5xx). Never reported to the user as a wrong password.
 *
 * @example
 * ```ts
 * throw new StoreUnavailableError('postgres', 'connection refused by db.internal:5432', { cause: err })
 * ```
 */
export class StoreUnavailableError extends CognitoMigrateError {
  readonly code: string = 'STORE_UNAVAILABLE';
  readonly outcome: Outcome = 'store_unavailable';
  readonly publicMessage = PUBLIC_MESSAGES.unavailable;
  override readonly retriable = true;

  constructor(
    readonly store: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Legacy store "${store}" is unavailable: ${detail}`, options);
  }
}

/**
 * The store did not answer before the invocation's deadline (derived from
 * Cognito's 5-second limit and the Lambda's remaining time).
 *
 * @example
 * ```ts
 * throw new DeadlineExceededError('postgres', 2500)
 * ```
 */
export class DeadlineExceededError extends StoreUnavailableError {
  override readonly code = 'DEADLINE_EXCEEDED';
  override readonly outcome: Outcome = 'deadline_exceeded';

  constructor(store: string, budgetMs: number, options?: { cause?: unknown }) {
    super(store, `no answer within the ${budgetMs} ms left before Cognito's 5-second limit`, options);
  }
}

/**
 * A setting is missing or malformed. Thrown once, at cold start, with the
 * setting's name and the fix.
 *
 * @example
 * ```ts
 * throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is required', 'Set it to postgres://user:pass@host:5432/db or set DATABASE_SECRET_ARN.')
 * ```
 */
export class ConfigurationError extends CognitoMigrateError {
  readonly code = 'CONFIGURATION_INVALID';
  readonly outcome: Outcome = 'configuration_invalid';
  readonly publicMessage = PUBLIC_MESSAGES.unavailable;

  constructor(
    /** The option or environment variable at fault. */
    readonly setting: string,
    problem: string,
    /** What to do about it. */
    readonly fix: string,
  ) {
    super(`${problem}. ${fix}`);
  }
}

/**
 * An attribute the handler was about to return would make Cognito reject the
 * migration ("Attributes did not conform to the schema"). Names the attribute
 * and the rule, never the value.
 *
 * @example
 * ```ts
 * throw new AttributeValidationError('phone_number', 'must be E.164, e.g. +12065550100')
 * ```
 */
export class AttributeValidationError extends CognitoMigrateError {
  readonly code = 'ATTRIBUTE_INVALID';
  readonly outcome: Outcome = 'invalid_attributes';
  readonly publicMessage = PUBLIC_MESSAGES.unavailable;

  constructor(
    readonly attribute: string,
    readonly rule: string,
    readonly fix: string = 'Fix the attribute mapping or the legacy data for this user.',
  ) {
    super(`Attribute "${attribute}" ${rule}. ${fix}`);
  }
}

/**
 * A stored password hash cannot be verified: it is malformed or in a format
 * no registered verifier reads (`malformed`), or verifying it would cost more
 * time or memory than the function has (`over_budget`). Names the format
 * problem, never the hash. On the sign-in path it is a refusal like a wrong
 * password (the user cannot tell the difference); the operator sees the
 * outcome `malformed_hash` or `hash_over_budget`.
 *
 * @example
 * ```ts
 * throw new UnsupportedHashError('bcrypt $2x$', 'the pre-2011 buggy variant cannot be verified safely')
 * ```
 */
export class UnsupportedHashError extends CognitoMigrateError {
  readonly code = 'HASH_UNSUPPORTED';
  readonly outcome: Outcome;
  readonly publicMessage = PUBLIC_MESSAGES.rejected;
  override readonly refusal = true;

  constructor(
    readonly format: string,
    readonly reason: string,
    readonly kind: 'malformed' | 'over_budget' = 'malformed',
  ) {
    super(`Stored password hash (${format}) cannot be verified: ${reason}.`);
    this.outcome = kind === 'over_budget' ? 'hash_over_budget' : 'malformed_hash';
  }
}

/**
 * The trigger event is not a UserMigration event this handler can answer.
 *
 * @example
 * ```ts
 * throw new InvalidEventError('triggerSource', 'must be UserMigration_Authentication or UserMigration_ForgotPassword')
 * ```
 */
export class InvalidEventError extends CognitoMigrateError {
  readonly code = 'EVENT_INVALID';
  readonly outcome: Outcome = 'invalid_event';
  readonly publicMessage = PUBLIC_MESSAGES.unavailable;

  constructor(
    readonly field: string,
    rule: string,
  ) {
    super(`Trigger event field "${field}" ${rule}. Configure this function only as a pool's UserMigration trigger.`);
  }
}

/**
 * Reduces any thrown value to a {@link CognitoMigrateError}; unknown errors
 * become an internal error whose message keeps only the error's class name,
 * because a foreign error's text may quote data (a driver echoing a value).
 *
 * @example
 * ```ts
 * const err = asMigrateError(caught); logger.error(err.message, { code: err.code })
 * ```
 */
export function asMigrateError(err: unknown): CognitoMigrateError {
  if (err instanceof CognitoMigrateError) return err;
  return new InternalError(err);
}

/**
 * A bug or an unexpected throw from user code (a custom adapter or mapper).
 *
 * @example
 * ```ts
 * throw new InternalError(new TypeError('x is undefined'))
 * ```
 */
export class InternalError extends CognitoMigrateError {
  readonly code = 'INTERNAL';
  readonly outcome: Outcome = 'internal_error';
  readonly publicMessage = PUBLIC_MESSAGES.unavailable;

  constructor(cause: unknown) {
    const kind = cause instanceof Error ? cause.name : typeof cause;
    super(`Unexpected ${kind} while handling the migration; see the cause's stack.`, { cause });
  }
}
