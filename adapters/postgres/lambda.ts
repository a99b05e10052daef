/**
 * The deployable function for a PostgreSQL legacy store, configured entirely
 * by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/postgres/index.mjs`; `template.yaml` names it as
 * `index.handler`.
 */
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { createUserMigrationHandler, guardColdStart } from '../../src/handler.js';
import { postgresStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: postgresStoreFromEnv(process.env) }),
);
