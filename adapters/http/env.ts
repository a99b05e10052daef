import { type Env, jsonEnv, optionalEnv, requiredEnv } from '../../src/config.js';
import { fromEnv } from '../../src/settings.js';
import { HTTP_SETTINGS } from './settings.js';
import { ConfigurationError } from '../../src/errors.js';
import { readSecretString } from '../../src/secrets.js';
import { type HttpStoreOptions, createHttpStore } from './store.js';

const AUTH_SECRET_FIX = 'Store the Authorization header value (e.g. "Bearer abc…") as the secret string.';

/**
 * Builds the HTTP store from environment variables: `HTTP_BASE_URL`,
 * `HTTP_VERIFY_PATH` (`none` for APIs that return hashes), `HTTP_USER_PATH`,
 * `HTTP_AUTH_SECRET_ARN` (a Secrets Manager secret holding the Authorization
 * header value) or `HTTP_AUTHORIZATION`, `HTTP_TIMEOUT_MS`, `HTTP_RETRIES`,
 * `HTTP_FIELDS` and `HTTP_STATUSES` (JSON), `HTTP_LINK_PATH` (the completion's
 * write-back, e.g. `/users/{id}/cognito`), `HTTP_LINKS_PATH` (the same for a
 * page of users, for `complete`), `HTTP_MAX_RESPONSE_BYTES`.
 *
 * @example
 * ```ts
 * const store = httpStoreFromEnv(process.env)
 * ```
 */
export function httpStoreFromEnv(env: Env, extra: Pick<HttpStoreOptions, 'fetch'> = {}) {
  const baseUrl = requiredEnv(env, 'HTTP_BASE_URL', 'Set it to the legacy API, e.g. https://legacy.internal/api.');
  const verify = optionalEnv(env, 'HTTP_VERIFY_PATH');
  const userPath = optionalEnv(env, 'HTTP_USER_PATH');
  const secretArn = optionalEnv(env, 'HTTP_AUTH_SECRET_ARN');
  const plain = optionalEnv(env, 'HTTP_AUTHORIZATION');
  if (secretArn && plain) throw new ConfigurationError('HTTP_AUTHORIZATION', 'HTTP_AUTHORIZATION and HTTP_AUTH_SECRET_ARN are both set', 'Set only one; prefer the secret.');
  const fields = jsonEnv(env, 'HTTP_FIELDS') as HttpStoreOptions['fields'];
  const statuses = jsonEnv(env, 'HTTP_STATUSES') as HttpStoreOptions['statuses'];
  const linkPath = optionalEnv(env, 'HTTP_LINK_PATH');
  const linksPath = optionalEnv(env, 'HTTP_LINKS_PATH');
  const identityPath = optionalEnv(env, 'HTTP_IDENTITY_PATH');
  return createHttpStore({
    baseUrl,
    ...(verify ? { verifyPath: verify === 'none' ? null : verify } : {}),
    ...(userPath ? { userPath } : {}),
    ...(fields ? { fields } : {}),
    ...(statuses ? { statuses } : {}),
    ...(linkPath ? { linkPath } : {}),
    ...(linksPath ? { linksPath } : {}),
    ...(identityPath ? { identityPath } : {}),
    ...(secretArn ? { authorization: async () => (await readSecretString(secretArn, 'HTTP_AUTH_SECRET_ARN', AUTH_SECRET_FIX)).trim() } : plain ? { authorization: plain } : {}),
    timeoutMs: fromEnv(env, HTTP_SETTINGS.timeoutMs),
    retries: fromEnv(env, HTTP_SETTINGS.retries),
    maxResponseBytes: fromEnv(env, HTTP_SETTINGS.maxResponseBytes),
    ...extra,
  });
}
