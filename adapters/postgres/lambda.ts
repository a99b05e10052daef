/**
 * The deployable function for a PostgreSQL legacy store, configured entirely
 * by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/postgres/index.mjs`; `template.yaml` names it as
 * `index.handler`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart, startInstance } from '../../src/handler.js';
import { postgresStoreFromEnv } from './env.js';
import type { PostgresStore } from './store.js';

let store: PostgresStore | undefined;
export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: (store = postgresStoreFromEnv(process.env)) }),
);

// On Lambda, init opens the connection and finishes the timing hash's calibration, so the first sign-in runs as a warm
// one does (BENCHMARKS.md, "Cold start and first sign-in"). Scripts and tests connect on first use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await startInstance(handler, store?.warm());
