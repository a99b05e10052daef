import { type Env, optionalEnv, requiredEnv } from '../../src/config.js';
import { fromEnv } from '../../src/settings.js';
import { COGNITO_STORE_SETTINGS } from './settings.js';
import { ConfigurationError } from '../../src/errors.js';
import { readSecretString } from '../../src/secrets.js';
import { type CognitoStoreOptions, createCognitoStore } from './store.js';

/**
 * Builds the Cognito (pool-to-pool) store from environment variables:
 * `OLD_USER_POOL_ID`, `OLD_CLIENT_ID`, `OLD_CLIENT_SECRET_ARN` (a Secrets Manager
 * secret holding the old app client's secret) or `OLD_CLIENT_SECRET`, `OLD_USER_POOL_REGION`,
 * `OLD_POOL_ROLE_ARN`, `OLD_POOL_EXTERNAL_ID`, `DROP_ATTRIBUTES` (comma-separated),
 * `OLD_POOL_GROUPS` (`true`: the completion carries the old pool's groups).
 *
 * @example
 * ```ts
 * const store = cognitoStoreFromEnv(process.env)
 * ```
 */
export function cognitoStoreFromEnv(env: Env, extra: Pick<CognitoStoreOptions, 'client'> = {}) {
  const userPoolId = requiredEnv(env, 'OLD_USER_POOL_ID', 'Set it to the id of the pool users come from, e.g. eu-west-1_AbCdEf.');
  const clientId = requiredEnv(env, 'OLD_CLIENT_ID', 'Set it to an app client of the old pool that allows ALLOW_ADMIN_USER_PASSWORD_AUTH.');
  const roleArn = optionalEnv(env, 'OLD_POOL_ROLE_ARN');
  if (roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(roleArn)) {
    throw new ConfigurationError('OLD_POOL_ROLE_ARN', 'OLD_POOL_ROLE_ARN must be an IAM role ARN', 'Example: arn:aws:iam::111122223333:role/read-old-pool.');
  }
  const plainSecret = optionalEnv(env, 'OLD_CLIENT_SECRET');
  const secretArn = optionalEnv(env, 'OLD_CLIENT_SECRET_ARN');
  if (plainSecret && secretArn) throw new ConfigurationError('OLD_CLIENT_SECRET', 'OLD_CLIENT_SECRET and OLD_CLIENT_SECRET_ARN are both set', 'Set only one; prefer the secret ARN.');
  const secret: CognitoStoreOptions['clientSecret'] = secretArn
    ? async () => (await readSecretString(secretArn, 'OLD_CLIENT_SECRET_ARN', 'Store the old app client\'s secret as the secret string.')).trim()
    : plainSecret;
  const region = optionalEnv(env, 'OLD_USER_POOL_REGION');
  const externalId = optionalEnv(env, 'OLD_POOL_EXTERNAL_ID');
  const drop = optionalEnv(env, 'DROP_ATTRIBUTES');
  return createCognitoStore({
    userPoolId, clientId,
    ...(secret ? { clientSecret: secret } : {}),
    ...(region ? { region } : {}),
    ...(roleArn ? { roleArn } : {}),
    ...(externalId ? { externalId } : {}),
    ...(drop ? { dropAttributes: drop.split(',').map((d) => d.trim()).filter(Boolean) } : {}),
    ...(fromEnv(env, COGNITO_STORE_SETTINGS.carryGroups) ? { carryGroups: true } : {}),
    ...extra,
  });
}
