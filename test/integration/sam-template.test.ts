// template.yaml as CloudFormation and SAM see it: validated by aws-cdk-lib's
// cloudformation-include (Python cfn-lint is not installable here), built the
// way `sam build` builds it, and in agreement with `npm run build`.
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, FUNCTION_SETTINGS } from '../../scripts/build.mjs';
import { parseTemplate } from '../../scripts/doctor/cfn-yaml.js';
import { samEsbuildOptions } from '../../scripts/doctor/sam-esbuild.js';
import { staticChecks } from '../../scripts/doctor/static.js';
import type { Template } from '../../scripts/doctor/template.js';
import { DEMO_ATTRIBUTE_MAP } from '../../scripts/lib/seed.mjs';
import { databaseUrl, freshLegacyTable } from '../support/database.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const templateFile = join(root, 'template.yaml');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-sam-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Synthesises a template through cloudformation-include and returns the validation report's violations. */
async function validate(file: string) {
  const outdir = await mkdtemp(join(dir, 'cdk-'));
  const app = new App({ outdir });
  new CfnInclude(new Stack(app, 'Migration'), 'Template', { templateFile: file });
  app.synth();
  const report = JSON.parse(await readFile(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string; description: string }> }> };
  return report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName} ${v.severity} ${v.ruleName}: ${v.description}`));
}

describe('template.yaml through aws-cdk-lib cloudformation-include', () => {
  it('loads with every !Ref and !GetAtt resolving, and has no validation warning', async () => {
    expect(await validate(templateFile)).toEqual([]);
  }, 60_000);

  it('wires the completion triggers, and grants the function Cognito actions on its own pool only, none on "*"', async () => {
    const t = parseTemplate(await readFile(templateFile, 'utf8')) as unknown as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
    const config = t.Resources.UserPool!.Properties.LambdaConfig;
    for (const trigger of ['UserMigration', 'PostAuthentication', 'PostConfirmation']) expect(config[trigger]).toEqual({ 'Fn::GetAtt': ['MigrationFunction', 'Arn'] });
    const statements = Object.values(t.Resources)
      .flatMap((r) => (r.Type === 'AWS::IAM::Policy' ? [r.Properties.PolicyDocument] : r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p: any) => p?.PolicyDocument) : []))
      .flatMap((doc: any) => doc?.Statement ?? []);
    const cognito = statements.filter((st: any) => JSON.stringify(st.Action).includes('cognito-idp:'));
    expect(cognito).toHaveLength(1);
    expect(JSON.stringify(cognito[0].Action)).not.toContain('cognito-idp:*');
    expect(cognito[0].Resource).toEqual({ 'Fn::If': ['MakePool', { 'Fn::GetAtt': ['UserPool', 'Arn'] }, { 'Fn::Sub': 'arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/${ExistingUserPoolId}' }] });
  });

  it('reports what it should: the warnings the template used to have, and a !Ref to nothing', async () => {
    // The two warnings the template used to have, in a template of their own.
    await writeFile(join(dir, 'old.yaml'), [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Parameters:',
      "  ExistingUserPoolArn: { Type: String, Default: '' }",
      "  DatabaseSecretArn: { Type: String, Default: '' }",
      'Resources:',
      '  Permission:',
      '    Type: AWS::Lambda::Permission',
      '    Properties: { Action: lambda:InvokeFunction, FunctionName: migrate, Principal: cognito-idp.amazonaws.com, SourceArn: !Ref ExistingUserPoolArn }',
      '  Reader:',
      '    Type: AWS::IAM::ManagedPolicy',
      "    Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: !Ref DatabaseSecretArn }] } }",
      '',
    ].join('\n'));
    const warnings = await validate(join(dir, 'old.yaml'));
    expect(warnings.some((w) => /W1030.*ExistingUserPoolArn/.test(w))).toBe(true);
    expect(warnings.some((w) => /W2509.*DatabaseSecretArn/.test(w))).toBe(true);
    const text = await readFile(templateFile, 'utf8');
    await writeFile(join(dir, 'dangling.yaml'), text.replace('Role: !GetAtt MigrationFunctionRole.Arn', 'Role: !GetAtt NoSuchRole.Arn'));
    await expect(validate(join(dir, 'dangling.yaml'))).rejects.toThrow(/NoSuchRole/);
  }, 60_000);
});

describe('sam build (Metadata: BuildMethod esbuild) and npm run build', () => {
  const template = async () => parseTemplate(await readFile(templateFile, 'utf8'));
  const properties = async () => (await template()).Resources!.MigrationFunction!.Metadata!.BuildProperties as Record<string, never>;

  it('use the same esbuild settings and entry points', async () => {
    const sam = samEsbuildOptions(await properties(), root, join(dir, 'out'));
    const { entry, worker } = FUNCTIONS.find((f) => f.name === 'postgres')!;
    expect(sam.entryPoints).toEqual([join(root, entry), join(root, worker)]);
    for (const key of ['format', 'target', 'minify', 'mainFields', 'outExtension', 'external', 'banner'] as const) {
      expect(sam[key], key).toEqual(FUNCTION_SETTINGS[key]);
    }
    // The Handler names the file sam build makes from the first entry point.
    expect((await template()).Resources!.MigrationFunction!.Properties!.Handler).toBe('lambda.handler');
  });

  it('what sam build makes loads as the Handler says, with the verification worker beside it, and answers a self-check', async () => {
    const out = join(dir, 'sam-build');
    await build(samEsbuildOptions(await properties(), root, out));
    await access(join(out, 'lambda.mjs'));
    await access(join(out, 'verify-worker.mjs'));
    const table = await freshLegacyTable('sam_build');
    const script = `const { handler } = await import(${JSON.stringify(join(out, 'lambda.mjs'))});
      const report = await handler({ 'cognito-migrate': 'self-check' });
      console.log(JSON.stringify(Object.fromEntries(report.checks.map((c) => [c.id, c.status])))); process.exit(0);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl(), PG_TABLE: table, ATTRIBUTE_MAP: JSON.stringify(DEMO_ATTRIBUTE_MAP), POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ config: 'pass', 'verify.isolation': 'pass', 'postgres.connect': 'pass', 'postgres.query': 'pass' });
  }, 60_000);

  it('doctor builds the function as sam build would, and loads its Handler', async () => {
    const results = await staticChecks((await template()) as unknown as Template, { templateDir: root, verifyMsOnFullCpu: 70 });
    expect(results.find((r) => r.id === 'function.handler')).toMatchObject({ status: 'pass', message: expect.stringMatching(/lambda as sam build makes it \(esbuild\) loads .* exports handler\(\)/) });
  }, 60_000);
});
