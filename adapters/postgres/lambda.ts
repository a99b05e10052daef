/**
 * The deployable function for a PostgreSQL legacy store, configured entirely
 * by environment variables (README, "Configuration"). Bundled by
 * `npm run build` to `dist/postgres/index.mjs`; `template.yaml` names it as
 * `index.handler`.
 */
import { createUserMigrationHandler, guardColdStart, handlerOptionsFromEnv } from '../../src/index.js';
import { postgresStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: postgresStoreFromEnv(process.env) }),
);
