/**
 * The deployable function for a MySQL or MariaDB legacy store, configured
 * entirely by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/mysql/index.mjs`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart } from '../../src/handler.js';
import { mysqlStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: mysqlStoreFromEnv(process.env) }),
);

// The driver is a 1 MB chunk (`bench --only cold`: 83 ms to import). On Lambda it loads during init: an instance
// made ahead of time (provisioned concurrency) pays it before any request, and an on-demand one pays it once either
// way, where it measured less in all (load plus first sign-in 224 ms, against 267 ms loading it on the first query)
// and left the first sign-in 41 ms over a warm one instead of 156 ms. Elsewhere (scripts, tests) it loads on use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await import('mysql2/promise');
