/**
 * The deployable function for pool-to-pool migration, configured by
 * environment variables (README, "Cognito adapter"). Bundled by
 * `npm run build` to `dist/cognito/index.mjs`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart, startInstance } from '../../src/handler.js';
import { cognitoStoreFromEnv } from './env.js';
import type { CognitoStore } from './store.js';

let store: CognitoStore | undefined;
export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: (store = cognitoStoreFromEnv(process.env)) }),
);

// On Lambda, init finishes the timing hash's calibration and readies the SDK client, so the first sign-in does not pay
// for them (BENCHMARKS.md, "Cold start and first sign-in").
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await startInstance(handler, store?.warm());
