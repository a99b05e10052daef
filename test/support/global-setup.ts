// One real PostgreSQL server for the whole run (DATABASE_URL when set, otherwise
// an embedded one), and one MariaDB server (MYSQL_URL, or Debian's mariadb-server).
import type { TestProject } from 'vitest/node';
import { mariadbBinary, startMariadb } from '../../scripts/lib/mariadb.mjs';
import { startPostgres } from '../../scripts/lib/postgres.mjs';
import { keepFailingExitCode } from './exit-code.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** MariaDB's URL, or '' when it is not installed (its test files are then left out: vitest.config.ts). */
    mysqlUrl: string;
  }
}

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  keepFailingExitCode();
  const [db, mariadb] = await Promise.all([startPostgres(), process.env.MYSQL_URL || mariadbBinary() ? startMariadb() : undefined]);
  project.provide('databaseUrl', db.url);
  project.provide('mysqlUrl', mariadb?.url ?? '');
  return async () => {
    await Promise.all([db.stop(), mariadb?.stop()]);
  };
}
