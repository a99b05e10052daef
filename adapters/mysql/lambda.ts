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

// The driver is a 1 MB chunk (`bench --only cold`: 90 ms to import). On Lambda it loads during init: an instance
// made ahead of time (provisioned concurrency) pays it before any request, and an on-demand one pays it once either
// way, where it measured no more in all (load plus first sign-in 223 ms, against 228 ms loading it on the first
// query) and left the first sign-in 45 ms over a warm one instead of 125 ms. Elsewhere (scripts, tests) it loads on use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  await import('mysql2/promise');
  // The connection too, beside the rest of the start rather than on the first sign-in.
  store?.warm();
}
