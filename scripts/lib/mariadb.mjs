// A real MariaDB server for the MySQL adapter's tests: the one at MYSQL_URL
// when it is set, otherwise Debian's mariadb-server run from a fresh directory
// under the system temp dir, with no system service (REFERENCE.md §8).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './postgres.mjs';

const run = promisify(execFile);
const BIN = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'];

/** The MariaDB server binary, or undefined when mariadb-server is not installed. */
export function mariadbBinary() {
  return BIN.find((b) => existsSync(b));
}

/**
 * Which test files a run can take, given the machine: with MariaDB (or
 * MYSQL_URL) all of them; without it under CI, an error; locally, the
 * MariaDB files left out and a notice that names them and the install command.
 * @param {{ env: Record<string, string | undefined>, installed: boolean, files: string[] }} machine
 * @returns {{ exclude: string[], notice?: string, error?: string }}
 * @example mariadbTestPlan({ env: process.env, installed: Boolean(mariadbBinary()), files: ['test/contract/mysql.mariadb.test.ts'] })
 */
export function mariadbTestPlan({ env, installed, files }) {
  if (env.MYSQL_URL || installed) return { exclude: [] };
  if (env.CI) return { exclude: [], error: `CI needs MariaDB for the MySQL adapter's tests and it is not installed: ${MARIADB_INSTALL} (.ci/run does this)` };
  return { exclude: ['test/**/*.mariadb.test.ts'], notice: `${files.length} test files need MariaDB and did not run (${files.join(', ')}); install it: ${MARIADB_INSTALL}` };
}

/** The command that installs it, for messages. */
export const MARIADB_INSTALL = 'sudo apt-get install -y mariadb-server   (Debian/Ubuntu; the tests start their own server, no service needed)';

/**
 * Starts (or reuses) MariaDB; `halt()`/`resume()` stop and start an own server for outage tests.
 * @param {{ log?: (line: string) => void, own?: boolean }} [options] `own`: a server of its own even when MYSQL_URL is set (outage tests)
 * @returns {Promise<{ url: string, stop: () => Promise<void>, halt?: () => Promise<void>, resume?: () => Promise<void> }>}
 * @example const db = await startMariadb(); … await db.stop()
 */
export async function startMariadb({ log = () => {}, own = false } = {}) {
  if (process.env.MYSQL_URL && !own) return { url: process.env.MYSQL_URL, stop: async () => {} };
  const bin = mariadbBinary();
  if (!bin) throw new Error(`MariaDB is not installed: ${MARIADB_INSTALL}`);
  const dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-mariadb-'));
  const data = join(dir, 'data');
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { timeout: 60_000 });
  const port = await freePort();
  const socket = join(dir, 'sock');
  let child;
  const start = async () => {
    child = spawn(bin, ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socket}`, '--user=root',
      '--skip-log-bin', '--innodb-buffer-pool-size=32M', '--innodb-log-file-size=8M', '--max-connections=200', '--character-set-server=utf8mb4'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => log(String(d).trimEnd()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await run('mariadb-admin', ['--no-defaults', '-uroot', '-h127.0.0.1', `-P${port}`, 'ping'], { timeout: 5000 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`MariaDB did not start within 30 s: ${err.message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const halt = async () => {
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    await run('mariadb-admin', ['--no-defaults', '-uroot', '-h127.0.0.1', `-P${port}`, 'shutdown'], { timeout: 15_000 }).catch(() => child.kill('SIGKILL'));
    await exited;
    child = undefined;
  };
  await start();
  // A password for the test user, so connections authenticate as an application's would.
  await run('mariadb', ['--no-defaults', '-uroot', '-h127.0.0.1', `-P${port}`, '-e',
    "CREATE USER 'app'@'%' IDENTIFIED BY 'local-only'; GRANT ALL ON *.* TO 'app'@'%'; CREATE DATABASE legacy;"], { timeout: 15_000 });
  return {
    url: `mysql://app:local-only@127.0.0.1:${port}/legacy`,
    port,
    halt,
    resume: start,
    stop: async () => {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
