/**
 * The deployable function for pool-to-pool migration, configured by
 * environment variables (README, "Cognito adapter"). Bundled by
 * `npm run build` to `dist/cognito/index.mjs`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart, startInstance } from '../../src/handler.js';
import { cognitoStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: cognitoStoreFromEnv(process.env) }),
);

// On Lambda, init finishes the timing hash's calibration, so the first sign-in does not run beside it (BENCHMARKS.md,
// "Cold start and first sign-in").
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await startInstance(handler);
