/**
 * The deployable function for a MySQL or MariaDB legacy store, configured
 * entirely by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/mysql/index.mjs`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart, startInstance } from '../../src/handler.js';
import { mysqlStoreFromEnv } from './env.js';
import type { MysqlStore } from './store.js';

let store: MysqlStore | undefined;
export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: (store = mysqlStoreFromEnv(process.env)) }),
);

// The driver is a 429 KiB chunk, built smaller by scripts/lib/mysql2-slim.mjs (`bench --only cold`: 69 to 74 ms to import). On Lambda it loads during init: an
// instance made ahead of time (provisioned concurrency) pays it before any request, and an on-demand one pays it once
// either way. Init then opens the connection and finishes the timing hash's calibration, so the first sign-in runs as a
// warm one does (BENCHMARKS.md, "Cold start and first sign-in"). Elsewhere (scripts, tests) all of it happens on use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  await import('mysql2/promise');
  await startInstance(handler, store?.warm());
}
