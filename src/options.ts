// The handler's options: what each means, and the one check of them all
// when the handler is built.
import { type AttributeMapping, checkMappingSources, toCognitoAttributes } from './attributes.js';
import { type CompletionOptions, type CompletionSettings, completionSettings } from './completion.js';
import { oneOf, rejectUnknownKeys } from './config.js';
import { ConfigurationError } from './errors.js';
import { HANDLER_SETTINGS as S } from './handler-settings.js';
import { checked } from './settings.js';
import { DEFAULT_TIMING_HASH } from './passwords/bcrypt.js';
import type { Normalization } from './passwords/registry.js';
import type { PasswordVerifier } from './passwords/verifier.js';
import type { WorkLimits } from './passwords/work.js';
import { type TotpParameters, totpSettings } from './totp.js';
import { type PasswordPolicyOptions, type PasswordRules, type PolicyMode, passwordPolicySettings } from './password-policy.js';
import type { PoolAdmin } from './pool-admin.js';
import type { MigrationLogger, MigrationMetrics } from './telemetry.js';
import type { LegacyUser, UserStore } from './types.js';

/** Cognito gives up on a trigger after 5 seconds; nothing may take longer. */
export const COGNITO_LIMIT_MS = 5000;

const WHERE = 'createUserMigrationHandler';

/**
 * Options of `createUserMigrationHandler`. Validated once, when the
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
  /**
   * What happens when a legacy row that already became a Cognito user (its
   * sub is in the ledger, {@link LegacyUser.cognitoSub}) signs in again with
   * an old login: `never` (default) refuses it, so a user who changed their
   * email or was deleted from the pool is never created a second time;
   * `if-absent` looks the sub up in the pool and migrates again only when
   * that user is gone.
   */
  remigrate?: 'never' | 'if-absent';
  /**
   * The guessing limit, for stores that count failed sign-ins per row
   * (`failedAttempts` and `lockedUntil` columns): after `maxAttempts` wrong
   * passwords (default 10) the row is locked for `lockSeconds` (default 900),
   * refused without its password being checked. Cognito locks out only users
   * it has; this covers the legacy users it does not have yet.
   */
  lockout?: { maxAttempts?: number; lockSeconds?: number };
  /** The completion (Post authentication, Post confirmation): group mapping and the mark. */
  completion?: CompletionOptions;
  /**
   * The pool's password policy for migrated passwords, which Cognito does not
   * check itself: `warn` counts and logs a proven legacy password that fails
   * it (`password_policy_failed`), `reset` migrates that user as
   * RESET_REQUIRED so they choose a compliant one, `off` (the library's
   * default; the deployments set `warn`) skips it. The rules are the pool's
   * (DescribeUserPool, once per instance) unless given.
   */
  passwordPolicy?: PasswordPolicyOptions;
  /**
   * The legacy second factor (src/totp.ts): how the store's TOTP secrets are
   * encoded and used where a row does not say, and the attribute that tells
   * the app a migrated user had an authenticator (default
   * `custom:legacy_mfa`, set to `totp`), so it sends them to enrol one in
   * Cognito. Only rows with a secret are concerned.
   */
  totp?: Partial<TotpParameters> & { markAttribute?: string };
  /**
   * The Pre sign-up guard (src/signup.ts): `refuse` (default) refuses a
   * SignUp or AdminCreateUser whose username or email is a legacy login that
   * has not migrated, or that carries an attribute only the migration sets;
   * `off` lets every sign-up through.
   */
  signUpGuard?: 'refuse' | 'off';
  /**
   * A federated first sign-in (src/federation.ts) is matched to a legacy row
   * by a staged identity only. `verified` also matches it by email, when the
   * identity provider and the legacy row both mark that email verified;
   * `off` (default), because a provider's email is no proof of ownership.
   */
  linkByEmail?: 'off' | 'verified';
  /**
   * The legacy field that becomes the username of a user a federated first
   * sign-in creates, in a pool that signs in by username (default
   * `username`); a pool that signs in by email or phone uses those.
   */
  usernameField?: string;
  /** The user pool the completion and `remigrate: 'if-absent'` call (default: an SDK client in the function's region). */
  pool?: PoolAdmin;
  /** Defaults to a Powertools Logger. */
  logger?: MigrationLogger;
  /** Defaults to Powertools Metrics (EMF). */
  metrics?: MigrationMetrics;
}

export const OPTION_NAMES = [
  'store', 'matchEmail', 'caseInsensitive', 'finalUserStatus', 'messageAction', 'desiredDeliveryMediums',
  'forceAliasCreation', 'enableSMSMFA', 'attributes', 'timeoutMs', 'verifiers', 'timingHash', 'normalize', 'workLimits', 'verifyWorker', 'shadow',
  'remigrate', 'lockout', 'completion', 'passwordPolicy', 'totp', 'signUpGuard', 'linkByEmail', 'usernameField', 'pool', 'logger', 'metrics',
] as const;

/** The options, checked, with their defaults filled in. */
export interface Settings {
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
  remigrate: 'never' | 'if-absent';
  lockout: { maxAttempts: number; lockSeconds: number };
  completion: CompletionSettings;
  passwordPolicy: { mode: PolicyMode; rules?: PasswordRules };
  totp: TotpParameters & { markAttribute: string };
  signUpGuard: 'refuse' | 'off';
  linkByEmail: 'off' | 'verified';
  usernameField: string;
}

/**
 * Checks the handler's options once, when the handler is built: an unknown or
 * bad option is a `ConfigurationError` naming it and the fix.
 *
 * @example
 * ```ts
 * const settings = validate({ store, matchEmail: true })
 * ```
 */
export function validate(options: UserMigrationOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', `${WHERE}: options must be an object`, 'Pass { store, ... }.');
  }
  rejectUnknownKeys(WHERE, options, OPTION_NAMES);
  const store = options.store;
  if (!store || typeof store.findUser !== 'function' || typeof store.name !== 'string') {
    throw new ConfigurationError('store', `${WHERE}: option "store" is required and must implement the UserStore contract (name, findUser)`, 'Pass an adapter, e.g. createPostgresStore({...}).');
  }
  const mediums = options.desiredDeliveryMediums ?? ['EMAIL'];
  if (!Array.isArray(mediums) || mediums.length === 0) {
    throw new ConfigurationError('desiredDeliveryMediums', `${WHERE}: option "desiredDeliveryMediums" must be a non-empty array of "EMAIL" and/or "SMS"`, 'Pass ["EMAIL"], ["SMS"] or ["EMAIL", "SMS"].');
  }
  for (const m of mediums) oneOf(WHERE, 'desiredDeliveryMediums', m, ['EMAIL', 'SMS']);
  const timeoutMs = checked(WHERE, S.timeoutMs, options.timeoutMs);
  const attributes = options.attributes;
  if (attributes !== undefined && typeof attributes !== 'function') {
    if (typeof attributes !== 'object' || attributes === null || Object.values(attributes).some((v) => typeof v !== 'string')) {
      throw new ConfigurationError('attributes', `${WHERE}: option "attributes" must map Cognito attribute names to legacy field names (strings), or be a function`, 'Example: { email: "email", "custom:legacy_id": "id" }.');
    }
    // Checking names now turns a mapping typo into a cold-start error instead of a failed sign-in.
    toCognitoAttributes(Object.fromEntries(Object.keys(attributes).map((name) => [name, sample(name)])));
    checkMappingSources(attributes);
  }
  const completion = completionSettings(options.completion, WHERE);
  if (attributes !== undefined && typeof attributes !== 'function') {
    // Only the function writes these: a mapped legacy column would let the data forge a proof or a mark.
    const owned = [completion.proofAttribute, completion.markAttribute].filter((a) => Object.hasOwn(attributes, a));
    if (owned.length) {
      throw new ConfigurationError('attributes', `${WHERE}: option "attributes" (ATTRIBUTE_MAP) maps ${owned.join(' and ')}, which only the function sets`, `Remove ${owned.join(' and ')} from the mapping.`);
    }
  }
  return {
    store,
    matchEmail: checked(WHERE, S.matchEmail, options.matchEmail),
    caseInsensitive: checked(WHERE, S.caseInsensitive, options.caseInsensitive),
    finalUserStatus: checked(WHERE, S.finalUserStatus, options.finalUserStatus),
    messageAction: checked(WHERE, S.messageAction, options.messageAction),
    desiredDeliveryMediums: mediums,
    forceAliasCreation: checked(WHERE, S.forceAliasCreation, options.forceAliasCreation),
    enableSMSMFA: checked(WHERE, S.enableSMSMFA, options.enableSMSMFA),
    attributes,
    timeoutMs,
    normalize: checked(WHERE, S.normalize, options.normalize),
    shadow: checked(WHERE, S.shadow, options.shadow),
    timingHash: timingHashOption(options.timingHash),
    remigrate: checked(WHERE, S.remigrate, options.remigrate),
    lockout: lockoutOption(options.lockout),
    completion,
    passwordPolicy: passwordPolicySettings(options.passwordPolicy, WHERE),
    totp: totpOption(options.totp),
    signUpGuard: checked(WHERE, S.signUpGuard, options.signUpGuard),
    linkByEmail: checked(WHERE, S.linkByEmail, options.linkByEmail),
    usernameField: usernameFieldOption(options.usernameField),
  };
}

function usernameFieldOption(value: unknown): string {
  if (value === undefined) return 'username';
  if (typeof value !== 'string' || !/^[\w.-]{1,64}$/.test(value)) {
    throw new ConfigurationError('usernameField', `${WHERE}: "usernameField" (USERNAME_FIELD) must be the name of a legacy field (letters, digits, _ . -)`, 'Leave it out for username.');
  }
  return value;
}

function totpOption(value: Settings['totp'] | Partial<Settings['totp']> | undefined): Settings['totp'] {
  const { markAttribute = 'custom:legacy_mfa', ...parameters } = value ?? {};
  if (typeof markAttribute !== 'string' || !/^custom:[\w.:-]{1,20}$/.test(markAttribute)) {
    throw new ConfigurationError('totp.markAttribute', `${WHERE}: "totp.markAttribute" (TOTP_MARK_ATTRIBUTE) must be a custom attribute (custom: and 1 to 20 characters)`, 'Leave it out for custom:legacy_mfa.');
  }
  return { ...totpSettings(parameters, WHERE), markAttribute };
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

function lockoutOption(value: UserMigrationOptions['lockout']): { maxAttempts: number; lockSeconds: number } {
  return { maxAttempts: checked(WHERE, S.maxAttempts, value?.maxAttempts), lockSeconds: checked(WHERE, S.lockSeconds, value?.lockSeconds) };
}
