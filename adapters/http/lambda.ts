/**
 * The deployable function for a legacy REST API, configured by environment
 * variables (README, "HTTP adapter"). Bundled to `dist/http/index.mjs`.
 */
import { createUserMigrationHandler, guardColdStart, startInstance } from '../../src/handler.js';
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { httpStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: httpStoreFromEnv(process.env) }),
);

// On Lambda, init finishes the timing hash's calibration, so the first sign-in does not run beside it (BENCHMARKS.md,
// "Cold start and first sign-in").
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await startInstance(handler);
