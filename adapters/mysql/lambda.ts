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
