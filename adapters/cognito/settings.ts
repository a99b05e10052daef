// What the pool-to-pool store reads from its variables, each setting declared
// once (src/settings.ts), so doctor and the README's configuration table know
// every variable from here.
import { settings } from '../../src/settings.js';

/**
 * The pool-to-pool store's settings.
 *
 * @example
 * ```ts
 * fromEnv(process.env, COGNITO_STORE_SETTINGS.carryGroups) // false
 * ```
 */
export const COGNITO_STORE_SETTINGS = settings({
  userPoolId: { env: 'OLD_USER_POOL_ID', option: 'userPoolId', kind: 'text', doc: 'the pool users come from' },
  clientId: { env: 'OLD_CLIENT_ID', option: 'clientId', kind: 'text', doc: 'an app client of the old pool' },
  clientSecret: { env: 'OLD_CLIENT_SECRET', option: 'clientSecret', kind: 'secret', doc: 'its secret, for local runs' },
  clientSecretArn: { env: 'OLD_CLIENT_SECRET_ARN', option: 'clientSecret', kind: 'secret', doc: 'its secret, from Secrets Manager' },
  region: { env: 'OLD_USER_POOL_REGION', option: 'region', kind: 'text', doc: 'the old pool\'s Region' },
  roleArn: { env: 'OLD_POOL_ROLE_ARN', option: 'roleArn', kind: 'text', doc: 'a role to assume in the old pool\'s account' },
  externalId: { env: 'OLD_POOL_EXTERNAL_ID', option: 'externalId', kind: 'secret', doc: 'the role\'s external id' },
  dropAttributes: { env: 'DROP_ATTRIBUTES', option: 'dropAttributes', kind: 'text', doc: 'attributes not carried over' },
  carryGroups: { env: 'OLD_POOL_GROUPS', option: 'carryGroups', kind: 'boolean', default: false, doc: 'carry the old pool\'s groups' },
});
