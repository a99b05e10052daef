import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { MARIADB_INSTALL, mariadbBinary } from './scripts/lib/mariadb.mjs';

// The MySQL adapter's tests need a real MariaDB server (Debian's mariadb-server, which .ci/run installs).
// Without one they cannot run: CI fails outright; a local run leaves those files out and says so, at the start and in the closing line.
const MARIADB_TESTS = 'test/**/*.mariadb.test.ts';
const hasMariadb = Boolean(process.env.MYSQL_URL || mariadbBinary());
if (!hasMariadb && process.env.CI) throw new Error(`CI needs MariaDB for the MySQL adapter's tests and it is not installed: ${MARIADB_INSTALL} (.ci/run does this)`);
const leftOut = hasMariadb ? [] : readdirSync('test', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mariadb.test.ts')).map((f) => `test/${f}`).sort();
if (leftOut.length) {
  process.env.COGNITO_MIGRATE_LEFT_OUT = `${leftOut.length} test files need MariaDB and did not run (${leftOut.join(', ')}); install it: ${MARIADB_INSTALL}`;
  process.stderr.write(`\n${process.env.COGNITO_MIGRATE_LEFT_OUT}\n\n`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(hasMariadb ? [] : [MARIADB_TESTS])],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // Each file gets its own schema, so files can run side by side on one server.
    fileParallelism: true,
  },
});
