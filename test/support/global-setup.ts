// One real PostgreSQL server for the whole run: DATABASE_URL when set,
// otherwise an embedded one. Integration tests never skip for lack of it.
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../scripts/lib/postgres.mjs';
import { keepFailingExitCode } from './exit-code.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  keepFailingExitCode();
  const db = await startPostgres();
  project.provide('databaseUrl', db.url);
  return () => db.stop();
}
