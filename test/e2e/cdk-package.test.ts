// The README's "Deploy with AWS CDK" example, exactly as written there, in a
// fresh project that installed the packed cognito-migrate, aws-cdk-lib and
// constructs: compiled with strict TypeScript and run, as an ES module app
// and as a CommonJS app (cdk init's TypeScript template). The synthesized
// template passes cloudformation-include's validation, and the synthesized
// function asset signs a legacy user in through cognito-local.
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserPoolClientCommand, CreateUserPoolCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { synthesizedViolations } from '../support/cfn-validate.js';
import { databaseUrl, freshLegacyTable } from '../support/database.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const versionOf = async (name: string) => (JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;
let consumer: string;

/** The README's first ```ts block after the "Deploy with AWS CDK" heading. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Deploy with AWS CDK'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README has no ```ts example under "Deploy with AWS CDK"');
  return match[1]!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-cdk-pack-'));
  consumer = join(dir, 'consumer');
  await mkdir(consumer, { recursive: true });
  // npm test has just built dist/; packing again must not rebuild it under the other test files.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root });
  const { filename } = (JSON.parse(stdout) as Array<{ filename: string }>)[0]!;
  await writeFile(join(consumer, 'package.json'), JSON.stringify({
    name: 'cdk-consumer', private: true, type: 'module',
    dependencies: { 'cognito-migrate': `file:${join(dir, filename)}`, 'aws-cdk-lib': await versionOf('aws-cdk-lib'), constructs: await versionOf('constructs'), '@types/node': '^20.19.0' },
  }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: consumer });
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Compiles the example with tsc in `sub` (its own package.json and tsconfig), runs it, and returns the synthesized stack's template and folder. */
async function synthesize(sub: string, moduleType: 'module' | 'commonjs', compilerOptions: Record<string, unknown>) {
  const here = join(consumer, sub);
  await mkdir(here, { recursive: true });
  await writeFile(join(here, 'package.json'), JSON.stringify({ type: moduleType }));
  await writeFile(join(here, 'app.ts'), await readmeExample());
  await writeFile(join(here, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', strict: true, skipLibCheck: true, types: ['node'], outDir: 'build', ...compilerOptions }, files: ['app.ts'] }));
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: here }).catch((err: { stdout: string }) => { throw new Error(`tsc (${sub}):\n${err.stdout}`); });
  const outdir = join(here, 'cdk.out');
  await run(process.execPath, [join('build', 'app.js')], { cwd: here, env: { ...process.env, CDK_OUTDIR: outdir } });
  const template = JSON.parse(await readFile(join(outdir, 'LegacyUserMigration.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  return { outdir, template };
}

describe('the README\'s CDK example, from the packed package in a fresh project', () => {
  let esm: Awaited<ReturnType<typeof synthesize>>;

  it('compiles (strict, nodenext) and synthesizes as an ES module app: a function, Cognito\'s invoke permission, the triggers, no cognito-idp action on "*"', async () => {
    esm = await synthesize('esm', 'module', { module: 'nodenext', moduleResolution: 'nodenext' });
    const resources = Object.values(esm.template.Resources);
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'postgres.handler')!;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 5, Environment: { Variables: expect.objectContaining({ MATCH_EMAIL: 'true', PG_TABLE: 'legacy.users' }) } });
    expect(resources.some((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'cognito-idp.amazonaws.com' && JSON.stringify(r.Properties.SourceArn).includes('Users'))).toBe(true);
    const pool = resources.find((r) => r.Type === 'AWS::Cognito::UserPool')!;
    expect(Object.keys(pool.Properties.LambdaConfig).sort()).toEqual(['PostAuthentication', 'PostConfirmation', 'PreSignUp', 'UserMigration']);
    const statements = resources.filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((r) => r.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>);
    for (const s of statements.filter((st) => JSON.stringify(st.Action).includes('cognito-idp:'))) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    expect(JSON.stringify(statements)).not.toContain('cognito-idp:*');
  });

  it('the synthesized template passes cloudformation-include\'s validation with no warning', async () => {
    expect(await synthesizedViolations(esm.template, dir)).toEqual([]);
  });

  it('compiles and synthesizes as a CommonJS app too (module commonjs, moduleResolution node), the same resources', async () => {
    const cjs = await synthesize('cjs', 'commonjs', { module: 'commonjs', moduleResolution: 'node' });
    const types = (t: typeof cjs.template) => Object.values(t.Resources).map((r) => r.Type).sort();
    expect(types(cjs.template)).toEqual(types(esm.template));
  });

  it('the synthesized function asset signs a legacy user in through cognito-local', async () => {
    const resources = Object.values(esm.template.Resources);
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'postgres.handler')!;
    const asset = (await readdir(esm.outdir)).filter((f) => f.startsWith('asset.')).find((f) => fn.Properties.Code.S3Key.startsWith(f.slice('asset.'.length)))!;
    // The package holds the four functions in one folder (dist/functions/); the asset holds this one's files and no other's.
    const shipped = join(consumer, 'node_modules', 'cognito-migrate', 'dist', 'functions');
    const manifest = JSON.parse(await readFile(join(shipped, 'manifest.json'), 'utf8')) as Record<string, string[]>;
    const files = (await readdir(join(esm.outdir, asset), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(join(esm.outdir, asset), join(e.parentPath, e.name)));
    expect(files.sort()).toEqual(manifest.postgres);
    expect(files).toEqual(expect.arrayContaining(['postgres.mjs', 'verify-worker.mjs']));
    const mysqlOnly = manifest.mysql!.filter((f) => !manifest.postgres!.includes(f));
    expect(mysqlOnly.length).toBeGreaterThan(1);
    expect(files.filter((f) => mysqlOnly.includes(f) || ['mysql.mjs', 'http.mjs', 'cognito.mjs'].includes(f))).toEqual([]);
    const table = await freshLegacyTable('cdk_asset');
    // Secrets Manager does not run here: the database comes as DATABASE_URL instead of the secret, the link key as LINK_KEY
    // instead of the generated secret; no pool but cognito-local answers DescribeUserPool, so the policy check is off
    // (it is tested in test/unit/lockout.test.ts); every other setting as synthesized.
    const { DATABASE_SECRET_ARN: _secret, LINK_KEY_ARN: linkKeyArn, PASSWORD_POLICY: policy, PG_COGNITO_SUB_COLUMN: _sub, PG_GROUPS_COLUMN: _groups, ...env } = fn.Properties.Environment.Variables as Record<string, string>;
    expect([Boolean(linkKeyArn), policy]).toEqual([true, 'warn']);
    const lambda = await startLambdaServer({ functions: { migrate: { file: join(esm.outdir, asset, 'postgres.mjs'), env: { ...env, LINK_KEY: 'cdk-package-test-link-key-0123456789abcdef', DATABASE_URL: databaseUrl(), PG_TABLE: table, POWERTOOLS_METRICS_DISABLED: 'true' } } } });
    const cognito = await startCognitoLocal({ lambdaEndpoint: lambda.url, userMigration: 'migrate' });
    const idp = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const pool = (await idp.send(new CreateUserPoolCommand({ PoolName: 'cdk', UsernameAttributes: ['email'], Schema: [{ Name: 'legacy_id', AttributeDataType: 'String', Mutable: false }, { Name: 'legacy_proof', AttributeDataType: 'String', Mutable: true }] }))).UserPool!.Id!;
      const client = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
      const [alice] = DEMO_USERS;
      const out = await idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client, AuthParameters: { USERNAME: alice!.email, PASSWORD: alice!.password } }));
      expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    } finally {
      idp.destroy();
      await cognito.stop();
      await lambda.close();
    }
  });
});
