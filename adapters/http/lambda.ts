/**
 * The deployable function for a legacy REST API, configured by environment
 * variables (README, "HTTP adapter"). Bundled to `dist/http/index.mjs`.
 */
import { createUserMigrationHandler, guardColdStart, startInstance } from '../../src/handler.js';
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { httpStoreFromEnv } from './env.js';
import type { HttpStore } from './store.js';

let store: HttpStore | undefined;
export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: (store = httpStoreFromEnv(process.env)) }),
);

// On Lambda, init finishes the timing hash's calibration and opens the way to the API (one HEAD to HTTP_BASE_URL, with
// no credential: fetch loaded, its HTTP parser compiled, a connection open), so the first sign-in does not pay for
// them (BENCHMARKS.md, "Cold start and first sign-in").
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await startInstance(handler, store?.warm());
