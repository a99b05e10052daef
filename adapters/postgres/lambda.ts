/**
 * The deployable function for a PostgreSQL legacy store, configured entirely
 * by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/postgres/index.mjs`; `template.yaml` names it as
 * `index.handler`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart } from '../../src/handler.js';
import { postgresStoreFromEnv } from './env.js';
import type { PostgresStore } from './store.js';

let store: PostgresStore | undefined;
export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: (store = postgresStoreFromEnv(process.env)) }),
);

// On Lambda the connection opens during init, beside the rest of the start (the timing hash's calibration), not on
// the first sign-in (BENCHMARKS.md, "Cold start and first sign-in").
if (process.env.AWS_LAMBDA_FUNCTION_NAME) store?.warm();
