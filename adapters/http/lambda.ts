/**
 * The deployable function for a legacy REST API, configured by environment
 * variables (README, "HTTP adapter"). Bundled to `dist/http/index.mjs`.
 */
import { guardColdStart, createUserMigrationHandler } from '../../src/handler.js';
import { handlerOptionsFromEnv } from '../../src/environment.js';
import { httpStoreFromEnv } from './env.js';

export const handler = guardColdStart(() =>
  createUserMigrationHandler({ ...handlerOptionsFromEnv(process.env), store: httpStoreFromEnv(process.env) }),
);
