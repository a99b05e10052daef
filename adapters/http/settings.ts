// What the HTTP store reads from `HTTP_…` variables, each setting declared once
// (src/settings.ts): createHttpStore's option check and httpStoreFromEnv use
// the same bounds, and doctor and the README's configuration table know every
// variable from here.
import { settings } from '../../src/settings.js';

/**
 * The HTTP store's settings.
 *
 * @example
 * ```ts
 * fromEnv(process.env, HTTP_SETTINGS.timeoutMs) // 1000
 * ```
 */
export const HTTP_SETTINGS = settings({
  baseUrl: { env: 'HTTP_BASE_URL', option: 'baseUrl', kind: 'text', doc: 'the legacy API' },
  verifyPath: { env: 'HTTP_VERIFY_PATH', option: 'verifyPath', kind: 'text', default: '/auth/verify', doc: 'the password check' },
  userPath: { env: 'HTTP_USER_PATH', option: 'userPath', kind: 'text', default: '/users/{login}', doc: 'the user look-up' },
  authSecretArn: { env: 'HTTP_AUTH_SECRET_ARN', option: 'authorization', kind: 'secret', doc: 'the Authorization header, from a secret' },
  authorization: { env: 'HTTP_AUTHORIZATION', option: 'authorization', kind: 'secret', doc: 'the Authorization header itself' },
  fields: { env: 'HTTP_FIELDS', option: 'fields', kind: 'json', doc: 'field names of the answers' },
  statuses: { env: 'HTTP_STATUSES', option: 'statuses', kind: 'json', doc: 'status codes of the answers' },
  linkPath: { env: 'HTTP_LINK_PATH', option: 'linkPath', kind: 'text', doc: 'the completion\'s write-back' },
  linksPath: { env: 'HTTP_LINKS_PATH', option: 'linksPath', kind: 'text', doc: 'the write-back of a page of users' },
  identityPath: { env: 'HTTP_IDENTITY_PATH', option: 'identityPath', kind: 'text', doc: 'the row that holds an identity' },
  timeoutMs: { env: 'HTTP_TIMEOUT_MS', option: 'timeoutMs', kind: 'integer', default: 1000, min: 10, max: 4800, unit: 'ms', doc: 'a request\'s time limit' },
  retries: { env: 'HTTP_RETRIES', option: 'retries', kind: 'integer', default: 2, min: 0, max: 5, doc: 'retries of a look-up' },
  maxResponseBytes: { env: 'HTTP_MAX_RESPONSE_BYTES', option: 'maxResponseBytes', kind: 'integer', default: 65_536, min: 1024, max: 1_048_576, doc: 'the most of an answer read' },
});
