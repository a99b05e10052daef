/**
 * The deployable function for pool-to-pool migration, configured by
 * environment variables (README, "Cognito adapter"). Bundled by
 * `npm run build` to `dist/cognito/index.mjs`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart } from '../../src/handler.js';
import { cognitoStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: cognitoStoreFromEnv(process.env) }),
);
