import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../scripts/doctor/cfn-yaml.js';
import { DEMO_ATTRIBUTE_MAP, DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { databaseUrl, freshLegacyTable } from '../support/database.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const [alice] = DEMO_USERS as [typeof DEMO_USERS[0]];
let table: string;

beforeAll(async () => {
  table = await freshLegacyTable('e2e_bundle');
});

describe('the built bundle', () => {
  it('is built from the entry template.yaml gives sam build, and a fresh node process importing it gets the handler', async () => {
    // What sam build itself makes from the template is loaded in test/integration/sam-template.test.ts.
    const template = parseTemplate(await readFile(join(root, 'template.yaml'), 'utf8'));
    const fn = template.Resources!.MigrationFunction!;
    const entries = (fn.Metadata!.BuildProperties as { EntryPoints: string[] }).EntryPoints;
    const meta = JSON.parse(await readFile(join(root, 'dist', 'postgres', 'meta.json'), 'utf8')) as { outputs: Record<string, { entryPoint?: string }> };
    const topLevel = Object.entries(meta.outputs).filter(([path]) => path.endsWith('.mjs') && !path.includes('/chunks/'));
    expect(topLevel.map(([, o]) => o.entryPoint).sort()).toEqual([...entries].sort());
    const exported = String(fn.Properties!.Handler).split('.')[1]!;
    const file = join(root, 'dist', 'postgres', 'index.mjs');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(typeof m[${JSON.stringify(exported)}])`], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl(), POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    expect(stdout.trim()).toBe('function');
  });

  it('contains no native module and leaves the AWS SDK to the Lambda runtime', async () => {
    const meta = JSON.parse(await readFile(join(root, 'dist', 'postgres', 'meta.json'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }> };
    expect(Object.keys(meta.inputs).filter((p) => p.endsWith('.node'))).toEqual([]);
    const externals = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(externals.filter((p) => !p.startsWith('node:') && !p.startsWith('@aws-sdk/') && p !== 'pg-native' && !builtinModules.includes(p))).toEqual([]);
  });

  it('a cold start loads no password engine and none of the self-check invocation\'s code, the sign-up guard or the TOTP check: those chunks load on first use', async () => {
    const meta = JSON.parse(await readFile(join(root, 'dist', 'postgres', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string }> }> };
    const loaded = new Set<string>();
    const visit = (path: string) => {
      if (loaded.has(path) || !meta.outputs[path]) return;
      loaded.add(path);
      for (const i of meta.outputs[path].imports) if (i.kind === 'import-statement') visit(i.path);
    };
    visit('dist/postgres/index.mjs');
    const inputs = [...loaded].flatMap((path) => Object.keys(meta.outputs[path]!.inputs));
    expect(inputs).toContain('src/migration.ts');
    const lazy = ['src/self-check.ts', 'src/signup.ts', 'src/totp-check.ts', 'src/timing-check.ts', 'src/calibration-check.ts', 'src/passwords/scrypt.ts', 'src/passwords/argon2.ts', 'src/passwords/crypt.ts'];
    expect(inputs.filter((p) => lazy.includes(p) || p.includes('node_modules/hash-wasm'))).toEqual([]);
  });

  it('`cognito-migrate invoke --event` runs it with the current environment and prints the response', async () => {
    const env = {
      PATH: process.env.PATH, DATABASE_URL: databaseUrl(), PG_TABLE: table, MATCH_EMAIL: 'true',
      ATTRIBUTE_MAP: JSON.stringify(DEMO_ATTRIBUTE_MAP), POWERTOOLS_METRICS_DISABLED: 'true',
    };
    const { stdout, stderr } = await run(process.execPath, [join(root, 'dist', 'cli.mjs'), 'invoke', '--event', join(root, 'events', 'authentication.json')], { env });
    const out = JSON.parse(stdout) as { response: Record<string, unknown> };
    expect(out.response).toMatchObject({ finalUserStatus: 'CONFIRMED', userAttributes: { email: alice.email } });
    expect(stderr).toContain('"outcome":"migrated"');
    // The response echoes the event's request; the password is taken out of what is printed.
    expect(stderr + stdout).not.toContain(alice.password);
    expect(JSON.parse(stdout).request).not.toHaveProperty('password');
  });

  it('`invoke` with an event file that is not JSON says so in one line, without quoting the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'invoke-'));
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"request": {"password": "hunter2-in-a-broken-file"');
    const failed = await run(process.execPath, [join(root, 'dist', 'cli.mjs'), 'invoke', '--event', file]).then(() => undefined, (e: { code: number; stderr: string; stdout: string }) => e);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/is not valid JSON/);
    expect(`${failed?.stderr}${failed?.stdout}`).not.toContain('hunter2');
    await rm(dir, { recursive: true, force: true });
  });

  it('the local Invoke API reports an import failure with the runtime\'s error name', async () => {
    const lambda = await startLambdaServer({ functions: { broken: { file: join(root, 'dist', 'missing', 'index.mjs') } } });
    try {
      const res = await fetch(`${lambda.url}/2015-03-31/functions/broken/invocations`, { method: 'POST', body: '{}' });
      expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
      expect(((await res.json()) as { errorType: string }).errorType).toBe('Runtime.ImportModuleError');
      const missing = await fetch(`${lambda.url}/2015-03-31/functions/nope/invocations`, { method: 'POST', body: '{}' });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    } finally {
      await lambda.close();
    }
  });
});
