/**
 * The deployable function for a MySQL or MariaDB legacy store, configured
 * entirely by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/mysql/index.mjs`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart } from '../../src/handler.js';
import { mysqlStoreFromEnv } from './env.js';
import type { MysqlStore } from './store.js';

let store: MysqlStore | undefined;
export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: (store = mysqlStoreFromEnv(process.env)) }),
);

// The driver is a 1 MB chunk (`bench --only cold`: 83 to 90 ms to import). On Lambda it loads during init: an
// instance made ahead of time (provisioned concurrency) pays it before any request, and an on-demand one pays it once
// either way. The first sign-in then runs 45 to 48 ms over a warm one instead of 104 to 125 ms; load plus first
// sign-in came out either side of loading on the first query across runs (223 against 228 ms, 239 against 205 ms).
// Elsewhere (scripts, tests) it loads on use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  await import('mysql2/promise');
  // The connection too, beside the rest of the start rather than on the first sign-in.
  store?.warm();
}
