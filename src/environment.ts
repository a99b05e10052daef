import type { AttributeMapping } from './attributes.js';
import { type Env, booleanEnv, enumEnv, integerEnv, jsonEnv, optionalEnv } from './config.js';
import { ConfigurationError } from './errors.js';
import type { UserMigrationOptions } from './handler.js';
import { HANDLER_SETTINGS as S } from './handler-settings.js';
import { fromEnv } from './settings.js';
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
  const worker = fromEnv(env, S.verifyWorker);
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
    matchEmail: fromEnv(env, S.matchEmail),
    caseInsensitive: fromEnv(env, S.caseInsensitive),
    finalUserStatus: fromEnv(env, S.finalUserStatus),
    messageAction: fromEnv(env, S.messageAction),
    desiredDeliveryMediums: parsedMediums as Array<'EMAIL' | 'SMS'>,
    forceAliasCreation: fromEnv(env, S.forceAliasCreation),
    enableSMSMFA: fromEnv(env, S.enableSMSMFA),
    timeoutMs: fromEnv(env, S.timeoutMs),
    normalize: fromEnv(env, S.normalize),
    shadow: fromEnv(env, S.shadow),
    remigrate: fromEnv(env, S.remigrate),
    lockout: {
      maxAttempts: fromEnv(env, S.maxAttempts),
      lockSeconds: fromEnv(env, S.lockSeconds),
    },
    passwordPolicy: {
      mode: fromEnv(env, S.passwordPolicy),
      ...(policyRules === undefined ? {} : { rules: policyRules as PasswordRules }),
    },
    signUpGuard: fromEnv(env, S.signUpGuard),
    linkByEmail: fromEnv(env, S.linkByEmail),
    ...(optionalEnv(env, 'USERNAME_FIELD') ? { usernameField: optionalEnv(env, 'USERNAME_FIELD') } : {}),
    totp: {
      encoding: fromEnv(env, S.totpEncoding),
      algorithm: fromEnv(env, S.totpAlgorithm),
      digits: fromEnv(env, S.totpDigits) === '8' ? 8 : 6,
      period: fromEnv(env, S.totpPeriod),
      ...(optionalEnv(env, 'TOTP_MARK_ATTRIBUTE') ? { markAttribute: optionalEnv(env, 'TOTP_MARK_ATTRIBUTE') } : {}),
    },
    completion: {
      ...(groupMap === undefined ? {} : { groupMap: groupMap as Record<string, string> }),
      unmappedRoles: fromEnv(env, S.unmappedRoles),
      createMissingGroups: fromEnv(env, S.createMissingGroups),
      timeoutMs: fromEnv(env, S.completionTimeoutMs),
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
