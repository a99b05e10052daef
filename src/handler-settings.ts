// The handler's settings, each declared once (src/settings.ts): what
// handlerOptionsFromEnv reads (src/environment.ts), what validate checks
// (src/options.ts, src/completion.ts), what doctor knows and what the README's
// configuration table says (test/unit/settings.test.ts holds it to this).
import { settings } from './settings.js';

/**
 * The handler's settings (the stores declare their own beside their code).
 *
 * @example
 * ```ts
 * fromEnv(process.env, HANDLER_SETTINGS.timeoutMs) // 3000 unless TIMEOUT_MS says otherwise
 * ```
 */
export const HANDLER_SETTINGS = settings({
  matchEmail: { env: 'MATCH_EMAIL', option: 'matchEmail', kind: 'boolean', default: false, doc: 'also find users by email' },
  caseInsensitive: { env: 'CASE_INSENSITIVE', option: 'caseInsensitive', kind: 'boolean', default: false, doc: 'case-insensitive logins' },
  finalUserStatus: { env: 'FINAL_USER_STATUS', option: 'finalUserStatus', kind: 'enum', values: ['CONFIRMED', 'RESET_REQUIRED'] as const, default: 'CONFIRMED', doc: 'or RESET_REQUIRED' },
  messageAction: { env: 'MESSAGE_ACTION', option: 'messageAction', kind: 'enum', values: ['SUPPRESS', 'SEND'] as const, default: 'SUPPRESS', doc: 'or SEND' },
  desiredDeliveryMediums: { env: 'DESIRED_DELIVERY_MEDIUMS', option: 'desiredDeliveryMediums', kind: 'text', default: 'EMAIL', doc: 'EMAIL, SMS or EMAIL,SMS' },
  forceAliasCreation: { env: 'FORCE_ALIAS_CREATION', option: 'forceAliasCreation', kind: 'boolean', default: false, doc: 'Cognito moves an alias another user holds' },
  enableSMSMFA: { env: 'ENABLE_SMS_MFA', option: 'enableSMSMFA', kind: 'boolean', default: true, doc: 'legacy SMS MFA users keep SMS MFA' },
  timeoutMs: { env: 'TIMEOUT_MS', option: 'timeoutMs', kind: 'integer', default: 3000, min: 100, max: 4800, unit: 'ms', doc: 'handler budget' },
  normalize: { env: 'PASSWORD_NORMALIZATION', option: 'normalize', kind: 'enum', values: ['none', 'NFC', 'NFKC'] as const, default: 'none', doc: 'NFC or NFKC' },
  shadow: { env: 'SHADOW_MODE', option: 'shadow', kind: 'boolean', default: false, doc: 'verify and log, never migrate' },
  remigrate: { env: 'REMIGRATE', option: 'remigrate', kind: 'enum', values: ['never', 'if-absent'] as const, default: 'never', doc: 'migrate a linked row again when its user is gone' },
  maxAttempts: { env: 'LOGIN_ATTEMPTS_MAX', option: 'lockout.maxAttempts', kind: 'integer', default: 10, min: 1, max: 1000, doc: 'the guessing limit' },
  lockSeconds: { env: 'LOGIN_LOCK_SECONDS', option: 'lockout.lockSeconds', kind: 'integer', default: 900, min: 1, max: 31_536_000, unit: 'seconds', doc: 'how long the guessing limit locks a row' },
  passwordPolicy: { env: 'PASSWORD_POLICY', option: 'passwordPolicy.mode', kind: 'enum', values: ['off', 'warn', 'reset'] as const, default: 'off', doc: 'migrated passwords against the pool policy' },
  passwordPolicyRules: { env: 'PASSWORD_POLICY_RULES', option: 'passwordPolicy.rules', kind: 'json', doc: 'the policy instead of the pool\'s' },
  signUpGuard: { env: 'SIGNUP_GUARD', option: 'signUpGuard', kind: 'enum', values: ['refuse', 'off'] as const, default: 'refuse', doc: 'the Pre sign-up guard and the federated first sign-in' },
  linkByEmail: { env: 'LINK_BY_EMAIL', option: 'linkByEmail', kind: 'enum', values: ['off', 'verified'] as const, default: 'off', doc: 'match a federated first sign-in by a verified email' },
  usernameField: { env: 'USERNAME_FIELD', option: 'usernameField', kind: 'text', default: 'username', doc: 'the username of a user a federated first sign-in creates' },
  totpEncoding: { env: 'TOTP_ENCODING', option: 'totp.encoding', kind: 'enum', values: ['base32', 'hex'] as const, default: 'base32', doc: 'how the legacy authenticator secrets are kept' },
  totpAlgorithm: { env: 'TOTP_ALGORITHM', option: 'totp.algorithm', kind: 'enum', values: ['SHA1', 'SHA256', 'SHA512'] as const, default: 'SHA1', doc: 'RFC 6238 algorithm' },
  totpDigits: { env: 'TOTP_DIGITS', option: 'totp.digits', kind: 'enum', values: ['6', '8'] as const, default: '6', doc: 'RFC 6238 digits' },
  totpPeriod: { env: 'TOTP_PERIOD', option: 'totp.period', kind: 'integer', default: 30, min: 1, max: 300, unit: 'seconds', doc: 'RFC 6238 period' },
  totpMarkAttribute: { env: 'TOTP_MARK_ATTRIBUTE', option: 'totp.markAttribute', kind: 'text', default: 'custom:legacy_mfa', doc: 'set to totp on a user who had an authenticator' },
  attributeMap: { env: 'ATTRIBUTE_MAP', option: 'attributes', kind: 'json', doc: 'Cognito attribute → legacy field' },
  timingHash: { env: 'TIMING_HASH', option: 'timingHash', kind: 'text', doc: 'the hash every refusal is timed against' },
  verifyWorker: { env: 'VERIFY_WORKER', option: 'verifyWorker', kind: 'boolean', default: true, doc: 'verify on a worker thread' },
  groupMap: { env: 'GROUP_MAP', option: 'completion.groupMap', kind: 'json', default: '{}', doc: 'legacy role → Cognito group' },
  unmappedRoles: { env: 'UNMAPPED_ROLES', option: 'completion.unmappedRoles', kind: 'enum', values: ['ignore', 'same-name'] as const, default: 'ignore', doc: 'a role outside GROUP_MAP' },
  createMissingGroups: { env: 'CREATE_MISSING_GROUPS', option: 'completion.createMissingGroups', kind: 'boolean', default: false, doc: 'create a group the pool lacks' },
  completionTimeoutMs: { env: 'COMPLETION_TIMEOUT_MS', option: 'completion.timeoutMs', kind: 'integer', default: 2000, min: 100, max: 3000, unit: 'ms', doc: 'the completion\'s own time limit' },
  markAttribute: { env: 'COMPLETION_MARK_ATTRIBUTE', option: 'completion.markAttribute', kind: 'text', default: 'custom:migrated_at', doc: 'marks a completed user' },
  legacyIdAttribute: { env: 'COMPLETION_LEGACY_ID_ATTRIBUTE', option: 'completion.legacyIdAttribute', kind: 'text', default: 'custom:legacy_id', doc: 'the legacy id' },
  proofAttribute: { env: 'COMPLETION_PROOF_ATTRIBUTE', option: 'completion.proofAttribute', kind: 'text', default: 'custom:legacy_proof', doc: 'the link proof' },
  linkKeyArn: { env: 'LINK_KEY_ARN', option: 'completion.linkKey', kind: 'secret', doc: 'the link key\'s secret' },
  linkKey: { env: 'LINK_KEY', option: 'completion.linkKey', kind: 'secret', doc: 'the link key itself, for local runs' },
  firebaseArn: { env: 'FIREBASE_HASH_CONFIG_ARN', kind: 'secret', doc: 'Firebase hash parameters, from a secret' },
  firebase: { env: 'FIREBASE_HASH_CONFIG', kind: 'text', doc: 'Firebase hash parameters, for local runs' },
});
