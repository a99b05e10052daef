// The package as an outside user gets it: `npm pack`, installed into a fresh
// project, then used the four ways people use a library (plain Node, a strict
// TypeScript build, an esbuild bundle, a vitest test) and as a command.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;
let consumer: string;
const node = (args: string[], env: Record<string, string> = {}) => run(process.execPath, args, { cwd: consumer, env: { ...process.env, ...env } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-pack-'));
  consumer = join(dir, 'consumer');
  await mkdir(join(consumer, 'test'), { recursive: true });
  // npm test has just built dist/; packing again must not rebuild it under the other test files.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root });
  const { filename } = (JSON.parse(stdout) as Array<{ filename: string }>)[0]!;
  await writeFile(join(consumer, 'package.json'), JSON.stringify({
    name: 'consumer', private: true, type: 'module',
    dependencies: { 'cognito-migrate': `file:${join(dir, filename)}`, '@types/node': '^20.19.0' },
  }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: consumer });
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed package, installed into a fresh project', () => {
  it('imports the root and every subpath in plain Node, and verifies on a worker thread', async () => {
    const script = `
      const root = await import('cognito-migrate');
      const subpaths = {};
      for (const p of ['postgres', 'cognito', 'http', 'memory']) subpaths[p] = Object.keys(await import('cognito-migrate/adapters/' + p)).sort();
      const passwords = root.createPasswordVerifier();
      const ok = await passwords.verify('x', root.DEFAULT_TIMING_HASH);
      console.log(JSON.stringify({ handler: typeof root.createUserMigrationHandler, subpaths, isolated: passwords.isolated, ok }));
      process.exit(0);`;
    const { stdout } = await node(['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({
      handler: 'function',
      subpaths: {
        postgres: ['createPostgresStore', 'postgresStoreFromEnv'],
        cognito: ['TOTP_METADATA_KEY', 'cognitoStoreFromEnv', 'createCognitoStore'],
        http: ['createHttpStore', 'httpStoreFromEnv'],
        memory: ['createMemoryStore'],
      },
      isolated: true,
      ok: false,
    });
  });

  it('type-checks a custom adapter with module and moduleResolution nodenext and strict, and rejects a wrong one', async () => {
    await writeFile(join(consumer, 'adapter.ts'), `
      import { type LegacyUser, type UserStore, StoreUnavailableError, createUserMigrationHandler, parseFlag } from 'cognito-migrate';
      import { createPostgresStore } from 'cognito-migrate/adapters/postgres';

      const rows = new Map<string, { id: string; hash: string; active: string }>();
      export const mine: UserStore = {
        name: 'mine',
        async findUser(query) {
          const row = rows.get(query.login);
          if (!row) return undefined;
          if (row.id === '') throw new StoreUnavailableError('mine', 'broken row');
          const user: LegacyUser = { id: row.id, passwordHash: row.hash, fields: {} };
          const enabled = parseFlag(row.active);
          if (enabled !== undefined) user.enabled = enabled;
          return user;
        },
      };
      export const handler = createUserMigrationHandler({ store: mine, matchEmail: true, timingHash: '$2b$10$x' });
      export const pg = createPostgresStore({ connectionString: 'postgres://x', table: 'legacy.users' });
    `);
    const tsconfig = (files: string[]) => JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
      files,
    });
    await writeFile(join(consumer, 'tsconfig.json'), tsconfig(['adapter.ts']));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await node([tsc, '-p', 'tsconfig.json']);
    // The types are real, not any: a store without findUser and a misspelt option are errors.
    await writeFile(join(consumer, 'wrong.ts'), `
      import { type UserStore, createUserMigrationHandler } from 'cognito-migrate';
      export const bad: UserStore = { name: 'bad' };
      export const handler = createUserMigrationHandler({ store: bad, matchEmial: true });
    `);
    await writeFile(join(consumer, 'tsconfig.wrong.json'), tsconfig(['wrong.ts']));
    const failed = await node([tsc, '-p', 'tsconfig.wrong.json']).then(() => undefined, (err: { stdout: string }) => err.stdout);
    expect(failed).toMatch(/wrong\.ts.*error TS2741.*findUser/s);
    expect(failed).toMatch(/matchEmial/);
  });

  it('bundles a handler with esbuild (the verification worker as a second entry), and the bundle answers', async () => {
    await writeFile(join(consumer, 'handler.ts'), `
      import { createUserMigrationHandler, DEFAULT_TIMING_HASH } from 'cognito-migrate';
      import { createMemoryStore } from 'cognito-migrate/adapters/memory';
      export const handler = createUserMigrationHandler({
        store: createMemoryStore([{ username: 'ada', id: '1', passwordHash: DEFAULT_TIMING_HASH, fields: { email: 'ada@example.com' } }]),
        metrics: { count() {} },
      });
    `);
    await build({
      absWorkingDir: consumer, entryPoints: { index: 'handler.ts', 'verify-worker': 'cognito-migrate/verify-worker' },
      outdir: 'out', outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', format: 'esm', target: 'node20',
      external: ['@aws-sdk/*', 'pg-native'], logLevel: 'silent',
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    const script = `
      const { handler } = await import('./out/index.mjs');
      const report = await handler({ 'cognito-migrate': 'self-check' });
      const refused = await handler({ version: '1', triggerSource: 'UserMigration_Authentication', region: 'x', userPoolId: 'x_y', userName: 'ada',
        callerContext: { awsSdkVersion: 'x', clientId: 'c' }, request: { password: 'wrong' }, response: {} }, { getRemainingTimeInMillis: () => 5000 }).catch((e) => e.message);
      console.log(JSON.stringify({ isolation: report.checks.find((c) => c.id === 'verify.isolation').status, refused }));
      process.exit(0);`;
    const { stdout } = await node(['--input-type=module', '-e', script], { POWERTOOLS_LOG_LEVEL: 'SILENT' });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ isolation: 'pass', refused: 'Incorrect username or password.' });
  });

  it('cognito-migrate/client bundles for the browser with nothing of the server in it', async () => {
    await writeFile(join(consumer, 'app.ts'), `
      import { signInWithMigration, amplifySignInWithMigration } from 'cognito-migrate/client';
      export { signInWithMigration, amplifySignInWithMigration };
    `);
    const out = await build({ absWorkingDir: consumer, entryPoints: ['app.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((i) => i.includes('cognito-migrate'))).toEqual([expect.stringMatching(/dist\/lib\/src\/client\/index\.js$/)]);
    expect(out.outputFiles[0]!.text.length).toBeLessThan(8000);
  });

  it('imports it from a vitest test', async () => {
    await writeFile(join(consumer, 'test', 'library.test.ts'), `
      import { describeShape, verifyPassword, DEFAULT_TIMING_HASH } from 'cognito-migrate';
      it('verifies and describes', async () => {
        expect(await verifyPassword('x', DEFAULT_TIMING_HASH)).toBe(false);
        expect(describeShape('secret')).toBe('an unrecognised 6-character string');
      });
    `);
    const { stdout } = await node([join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', consumer, '--globals'], { CI: 'true' });
    expect(stdout).toMatch(/1 passed/);
  });

  it('runs the bin', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'cognito-migrate');
    expect((await run(bin, ['--version'])).stdout.trim()).toBe(version);
    expect((await run(bin, ['--help'])).stdout).toMatch(/Usage: cognito-migrate <command>/);
  });
});
