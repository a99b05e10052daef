import type { AttributeMapping } from './attributes.js';
import { type Env, booleanEnv, enumEnv, integerEnv, jsonEnv, optionalEnv } from './config.js';
import { ConfigurationError } from './errors.js';
import type { UserMigrationOptions } from './handler.js';
import { COMPLETION_TIMEOUT_MAX_MS } from './completion.js';
import type { LinkKeySource } from './link-proof.js';
import type { PasswordRules } from './password-policy.js';
import { createFirebaseScryptVerifier, createFirebaseScryptVerifierFrom, parseFirebaseHashConfig } from './passwords/firebase.js';
import type { PasswordVerifier } from './passwords/verifier.js';
import { readSecretString } from './secrets.js';

/**
 * The handler options every deployable entry reads from its environment
 * (documented in the README's configuration table). The store is built by
 * the adapter's own `…FromEnv`.
 *
 * @example
 * ```ts
 * const handler = createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store })
 * ```
 */
export function handlerOptionsFromEnv(env: Env): Omit<UserMigrationOptions, 'store'> {
  const mediums = optionalEnv(env, 'DESIRED_DELIVERY_MEDIUMS') ?? 'EMAIL';
  const parsedMediums = mediums.split(',').map((m) => m.trim().toUpperCase());
  for (const m of parsedMediums) {
    if (m !== 'EMAIL' && m !== 'SMS') {
      throw new ConfigurationError('DESIRED_DELIVERY_MEDIUMS', `DESIRED_DELIVERY_MEDIUMS must be EMAIL, SMS or EMAIL,SMS, got "${mediums}"`, 'Set DESIRED_DELIVERY_MEDIUMS=EMAIL.');
    }
  }
  const attributes = jsonEnv(env, 'ATTRIBUTE_MAP');
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) {
    throw new ConfigurationError('ATTRIBUTE_MAP', 'ATTRIBUTE_MAP must be a JSON object of Cognito attribute → legacy column', 'Example: ATTRIBUTE_MAP={"email":"email","custom:legacy_id":"id"}.');
  }
  const timingHash = optionalEnv(env, 'TIMING_HASH');
  const worker = booleanEnv(env, 'VERIFY_WORKER', true);
  // A Firebase project's hash parameters, for users staged from `firebase auth:export`.
  const firebase = firebaseVerifier(env);
  const groupMap = jsonEnv(env, 'GROUP_MAP');
  if (groupMap !== undefined && (typeof groupMap !== 'object' || groupMap === null || Array.isArray(groupMap))) {
    throw new ConfigurationError('GROUP_MAP', 'GROUP_MAP must be a JSON object of legacy role → Cognito group', 'Example: GROUP_MAP={"ROLE_ADMIN":"admins","ROLE_STAFF":"staff"}.');
  }
  const markAttribute = optionalEnv(env, 'COMPLETION_MARK_ATTRIBUTE');
  const legacyIdAttribute = optionalEnv(env, 'COMPLETION_LEGACY_ID_ATTRIBUTE');
  const proofAttribute = optionalEnv(env, 'COMPLETION_PROOF_ATTRIBUTE');
  const linkKey = linkKeyFromEnv(env);
  const policyRules = jsonEnv(env, 'PASSWORD_POLICY_RULES');
  return {
    matchEmail: booleanEnv(env, 'MATCH_EMAIL', false),
    caseInsensitive: booleanEnv(env, 'CASE_INSENSITIVE', false),
    finalUserStatus: enumEnv(env, 'FINAL_USER_STATUS', ['CONFIRMED', 'RESET_REQUIRED'] as const, 'CONFIRMED'),
    messageAction: enumEnv(env, 'MESSAGE_ACTION', ['SUPPRESS', 'SEND'] as const, 'SUPPRESS'),
    desiredDeliveryMediums: parsedMediums as Array<'EMAIL' | 'SMS'>,
    forceAliasCreation: booleanEnv(env, 'FORCE_ALIAS_CREATION', false),
    enableSMSMFA: booleanEnv(env, 'ENABLE_SMS_MFA', true),
    timeoutMs: integerEnv(env, 'TIMEOUT_MS', { fallback: 3000, min: 100, max: 4800 }),
    normalize: enumEnv(env, 'PASSWORD_NORMALIZATION', ['none', 'NFC', 'NFKC'] as const, 'none'),
    shadow: booleanEnv(env, 'SHADOW_MODE', false),
    remigrate: enumEnv(env, 'REMIGRATE', ['never', 'if-absent'] as const, 'never'),
    lockout: {
      maxAttempts: integerEnv(env, 'LOGIN_ATTEMPTS_MAX', { fallback: 10, min: 1, max: 1000 }),
      lockSeconds: integerEnv(env, 'LOGIN_LOCK_SECONDS', { fallback: 900, min: 1, max: 31_536_000 }),
    },
    passwordPolicy: {
      mode: enumEnv(env, 'PASSWORD_POLICY', ['off', 'warn', 'reset'] as const, 'off'),
      ...(policyRules === undefined ? {} : { rules: policyRules as PasswordRules }),
    },
    signUpGuard: enumEnv(env, 'SIGNUP_GUARD', ['refuse', 'off'] as const, 'refuse'),
    linkByEmail: enumEnv(env, 'LINK_BY_EMAIL', ['off', 'verified'] as const, 'off'),
    ...(optionalEnv(env, 'USERNAME_FIELD') ? { usernameField: optionalEnv(env, 'USERNAME_FIELD') } : {}),
    totp: {
      encoding: enumEnv(env, 'TOTP_ENCODING', ['base32', 'hex'] as const, 'base32'),
      algorithm: enumEnv(env, 'TOTP_ALGORITHM', ['SHA1', 'SHA256', 'SHA512'] as const, 'SHA1'),
      digits: enumEnv(env, 'TOTP_DIGITS', ['6', '8'] as const, '6') === '8' ? 8 : 6,
      period: integerEnv(env, 'TOTP_PERIOD', { fallback: 30, min: 1, max: 300 }),
      ...(optionalEnv(env, 'TOTP_MARK_ATTRIBUTE') ? { markAttribute: optionalEnv(env, 'TOTP_MARK_ATTRIBUTE') } : {}),
    },
    completion: {
      ...(groupMap === undefined ? {} : { groupMap: groupMap as Record<string, string> }),
      unmappedRoles: enumEnv(env, 'UNMAPPED_ROLES', ['ignore', 'same-name'] as const, 'ignore'),
      createMissingGroups: booleanEnv(env, 'CREATE_MISSING_GROUPS', false),
      timeoutMs: integerEnv(env, 'COMPLETION_TIMEOUT_MS', { fallback: 2000, min: 100, max: COMPLETION_TIMEOUT_MAX_MS }),
      ...(markAttribute ? { markAttribute } : {}),
      ...(legacyIdAttribute ? { legacyIdAttribute } : {}),
      ...(proofAttribute ? { proofAttribute } : {}),
      ...(linkKey ? { linkKey } : {}),
    },
    ...(attributes === undefined ? {} : { attributes: attributes as AttributeMapping }),
    ...(timingHash ? { timingHash } : {}),
    ...(worker ? {} : { verifyWorker: false as const }),
    ...(firebase ? { verifiers: [firebase] } : {}),
  };
}

/**
 * The link proof's key: `LINK_KEY_ARN` (a Secrets Manager secret, read on
 * first use) or `LINK_KEY` (the value, for local runs and tests). Both set is
 * a mistake worth naming.
 *
 * @example
 * ```ts
 * const source = linkKeyFromEnv(process.env) // a reader of the secret, or undefined
 * ```
 */
export function linkKeyFromEnv(env: Env): LinkKeySource | undefined {
  const arn = optionalEnv(env, 'LINK_KEY_ARN');
  const value = optionalEnv(env, 'LINK_KEY');
  if (arn && value) throw new ConfigurationError('LINK_KEY', 'LINK_KEY and LINK_KEY_ARN are both set', 'Keep LINK_KEY_ARN (the secret) and unset LINK_KEY.');
  if (arn) return () => readSecretString(arn, 'LINK_KEY_ARN', 'Store the link key (at least 32 characters) as the secret\'s string value.');
  return value;
}

/**
 * The Firebase verifier of `FIREBASE_HASH_CONFIG_ARN` (a secret holding the
 * console's hash parameters, read once) or `FIREBASE_HASH_CONFIG` (the text
 * itself); both set is a mistake worth naming.
 *
 * @example
 * ```ts
 * firebaseVerifier(process.env) // a PasswordVerifier, or undefined
 * ```
 */
export function firebaseVerifier(env: Env): PasswordVerifier | undefined {
  const arn = optionalEnv(env, 'FIREBASE_HASH_CONFIG_ARN');
  const text = optionalEnv(env, 'FIREBASE_HASH_CONFIG');
  if (arn && text) throw new ConfigurationError('FIREBASE_HASH_CONFIG', 'FIREBASE_HASH_CONFIG and FIREBASE_HASH_CONFIG_ARN are both set', 'Keep FIREBASE_HASH_CONFIG_ARN (the signer key is a secret) and unset FIREBASE_HASH_CONFIG.');
  if (arn) return createFirebaseScryptVerifierFrom(() => readSecretString(arn, 'FIREBASE_HASH_CONFIG_ARN', 'Store the project\'s hash_config text as the secret\'s string value.'));
  return text ? createFirebaseScryptVerifier(parseFirebaseHashConfig(text)) : undefined;
}
