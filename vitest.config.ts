import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { mariadbBinary, mariadbTestPlan } from './scripts/lib/mariadb.mjs';

// The MySQL adapter's tests need a real MariaDB server (Debian's mariadb-server, which .ci/run installs).
// Without one they cannot run: CI fails outright; a local run leaves those files out and says so, at the start and in the closing line.
const plan = mariadbTestPlan({
  env: process.env,
  installed: Boolean(mariadbBinary()),
  files: readdirSync('test', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mariadb.test.ts')).map((f) => `test/${f}`).sort(),
});
if (plan.error) throw new Error(plan.error);
if (plan.notice) {
  process.env.COGNITO_MIGRATE_LEFT_OUT = plan.notice;
  process.stderr.write(`\n${plan.notice}\n\n`);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...plan.exclude],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // Each file gets its own schema, so files can run side by side on one server.
    fileParallelism: true,
  },
});
