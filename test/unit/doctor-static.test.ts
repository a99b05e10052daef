import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../scripts/doctor/cfn-yaml.js';
import { doctor } from '../../scripts/doctor/index.js';
import { staticChecks } from '../../scripts/doctor/static.js';
import type { Template } from '../../scripts/doctor/template.js';
import type { CheckResult } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');
let base: Template;
let scratch: string;

beforeAll(async () => {
  base = parseTemplate(await readFile(join(root, 'template.yaml'), 'utf8')) as Template;
  scratch = await mkdtemp(join(tmpdir(), 'doctor-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// A fixed verify time keeps the memory prediction independent of this machine's load.
const check = (t: Template, templateDir = root) => staticChecks(t, { templateDir, verifyMsOnFullCpu: 70 });
type Props = Record<string, any>;
function broken(mutate: (resources: Record<string, { Type: string; Properties: Props; Metadata?: unknown }>) => void): Template {
  const t = structuredClone(base);
  mutate(t.Resources as never);
  return t;
}
/** A function shipped as a pre-built folder (CodeUri), not built by sam build's esbuild. */
function prebuilt(resources: Record<string, { Type: string; Properties: Props; Metadata?: unknown }>, dir: string): void {
  delete resources.MigrationFunction!.Metadata;
  resources.MigrationFunction!.Properties.CodeUri = dir;
  resources.MigrationFunction!.Properties.Handler = 'index.handler';
}
function find(results: CheckResult[], id: string, status: CheckResult['status']) {
  const hit = results.find((r) => r.id === id && r.status === status);
  expect(hit, `${status} ${id} in ${JSON.stringify(results.map((r) => `${r.status} ${r.id}`))}`).toBeDefined();
  return hit!;
}

describe('doctor on the project template', () => {
  it('passes every check, and says that the pool it creates cannot carry legacy SMS MFA', async () => {
    const results = await check(base);
    // The template's new pool has MFA off, while ENABLE_SMS_MFA keeps SMS MFA by default: the one thing to decide.
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.id}`)).toEqual(['warn mfa.sms-migration']);
    expect(results.map((r) => r.id)).toEqual(expect.arrayContaining(['function.handler', 'trigger.permission', 'pool.trigger', 'client.password-auth', 'role.secret', 'pool.completion', 'pool.completion-mark', 'client.write-attributes']));
  });

  it('exits 0 with --json, printing {checks:[{id,status,message,fix}]}', async () => {
    let out = '';
    const code = await doctor(['--template', join(root, 'template.yaml'), '--json'], (t) => { out += t; });
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { ok: boolean; checks: CheckResult[] };
    expect(parsed.ok).toBe(true);
    expect(Object.keys(parsed.checks[0]!).sort()).toEqual(['fix', 'id', 'message', 'status']);
  });
});

describe('Lambda trigger errors of REFERENCE §3, caught statically', () => {
  it('Runtime.ImportModuleError: the Handler names a module that is not in the package', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.Handler = 'lambda_function.handler'; });
    expect(find(await check(t), 'function.handler', 'fail').message).toMatch(/Runtime.ImportModuleError.*lambda_function/);
  });

  it('Runtime.ImportModuleError: CodeUri points at sources, not the build', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.CodeUri = 'dist/nothing-here'; });
    find(await check(t), 'function.handler', 'fail');
  });

  it('Runtime.ImportModuleError: the artifact imports a package it does not contain', async () => {
    const dir = await mkdtemp(join(scratch, 'missing-'));
    await writeFile(join(dir, 'index.mjs'), "import 'some-package-that-is-not-bundled';\nexport const handler = async () => {};\n");
    const t = broken((r) => prebuilt(r, dir));
    expect(find(await check(t), 'function.handler', 'fail').message).toMatch(/^Runtime.ImportModuleError/);
  });

  it('Runtime.UserCodeSyntaxError: the artifact does not parse', async () => {
    const dir = await mkdtemp(join(scratch, 'syntax-'));
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async (event) => { return event.;\n');
    const t = broken((r) => prebuilt(r, dir));
    expect(find(await check(t), 'function.handler', 'fail').message).toMatch(/^Runtime.UserCodeSyntaxError/);
  });

  it('Runtime.HandlerNotFound: the export is not there', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.Handler = 'lambda.main'; });
    expect(find(await check(t), 'function.handler', 'fail').message).toMatch(/Runtime.HandlerNotFound/);
  });

  it('AccessDeniedException: the role cannot read the database secret', async () => {
    const t = broken((r) => { r.MigrationFunctionRole!.Properties.Policies = []; });
    expect(find(await check(t), 'role.secret', 'fail').message).toMatch(/AccessDeniedException/);
  });

  it('AccessDeniedException: the Cognito adapter role lacks AdminInitiateAuth on the old pool', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.Environment.Variables.OLD_USER_POOL_ID = 'eu-west-1_OLD'; });
    expect(find(await check(t), 'role.cognito', 'fail').message).toMatch(/AdminInitiateAuth/);
  });
});

describe('pitfalls, caught statically', () => {
  it('no invoke permission for cognito-idp.amazonaws.com ("Exception migrating user in app client")', async () => {
    const t = broken((r) => { delete r.CognitoInvokePermission; });
    expect(find(await check(t), 'trigger.permission', 'fail').message).toMatch(/Exception migrating user in app client/);
  });

  it('an invoke permission for another principal counts as none', async () => {
    const t = broken((r) => { r.CognitoInvokePermission!.Properties.Principal = 's3.amazonaws.com'; });
    find(await check(t), 'trigger.permission', 'fail');
  });

  it('an invoke permission without SourceArn is a warning', async () => {
    const t = broken((r) => { delete r.CognitoInvokePermission!.Properties.SourceArn; });
    find(await check(t), 'trigger.permission', 'warn');
  });

  it('the pool does not name the function as its UserMigration trigger', async () => {
    const t = broken((r) => { delete r.UserPool!.Properties.LambdaConfig; });
    find(await check(t), 'pool.trigger', 'fail');
  });

  it('the completion: Post triggers not wired, the mark missing or immutable, a client that can write the link', async () => {
    const unwired = broken((r) => {
      delete r.UserPool!.Properties.LambdaConfig.PostConfirmation;
      r.UserPool!.Properties.Schema = r.UserPool!.Properties.Schema.filter((a: Props) => a.Name !== 'migrated_at');
      r.UserPoolClient!.Properties.WriteAttributes = ['email', 'custom:legacy_id'];
    });
    const results = await check(unwired);
    expect(find(results, 'pool.completion', 'fail').fix).toMatch(/PostConfirmation: !GetAtt MigrationFunction\.Arn/);
    find(results, 'pool.completion-mark', 'fail');
    expect(find(results, 'client.write-attributes', 'fail').message).toMatch(/UserPoolClient lets users write custom:legacy_id/);
    const immutable = broken((r) => { r.UserPool!.Properties.Schema.find((a: Props) => a.Name === 'migrated_at').Mutable = false; });
    expect(find(await check(immutable), 'pool.completion-mark', 'fail').message).toMatch(/immutable/);
  });

  it('the pool pitfalls, on what the template declares: MATCH_EMAIL against the pool\'s sign-in, case, another trigger', async () => {
    const t = broken((r) => {
      r.MigrationFunction!.Properties.Environment.Variables.MATCH_EMAIL = 'false';
      r.MigrationFunction!.Properties.Environment.Variables.CASE_INSENSITIVE = 'true';
      r.UserPool!.Properties.UsernameConfiguration = { CaseSensitive: true };
      r.UserPool!.Properties.LambdaConfig.PreTokenGeneration = { 'Fn::GetAtt': ['ClaimsFunction', 'Arn'] };
      r.ClaimsFunction = { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::1:role/r' } };
    });
    const results = await check(t);
    expect(find(results, 'pool.sign-in', 'warn').fix).toMatch(/MATCH_EMAIL=true/);
    find(results, 'pool.case', 'warn');
    expect(find(results, 'pool.other-trigger', 'warn').message).toMatch(/PreTokenGeneration to ClaimsFunction/);
  });

  it('an app client without ALLOW_USER_PASSWORD_AUTH (SRP only)', async () => {
    const t = broken((r) => { r.UserPoolClient!.Properties.ExplicitAuthFlows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']; });
    expect(find(await check(t), 'client.password-auth', 'fail').message).toMatch(/SRP never sends the password/);
  });

  it('an app client with no ExplicitAuthFlows at all', async () => {
    const t = broken((r) => { delete r.UserPoolClient!.Properties.ExplicitAuthFlows; });
    find(await check(t), 'client.password-auth', 'fail');
  });

  it('a runtime that cannot run the bundle', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.Runtime = 'nodejs16.x'; });
    find(await check(t), 'function.runtime', 'fail');
    const py = broken((r) => { r.MigrationFunction!.Properties.Runtime = 'python3.12'; });
    find(await check(py), 'function.runtime', 'fail');
  });

  it('a timeout above Cognito\'s 5 s', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.Timeout = 30; });
    expect(find(await check(t), 'function.timeout', 'warn').message).toMatch(/Cognito gives up after 5 s/);
  });

  it('too little memory for the hash cost: a function too slow for the 5-second limit', async () => {
    const t = broken((r) => { r.MigrationFunction!.Properties.MemorySize = 128; });
    const results = await staticChecks(t, { templateDir: root, verifyMsOnFullCpu: 300, bcryptCost: 12 });
    expect(find(results, 'function.memory', 'fail').message).toMatch(/128 MB.*cost-12.*more than the 3000 ms budget/);
    find(await check(t), 'function.memory', 'warn');
  });

  it('a function in a VPC whose role cannot create network interfaces', async () => {
    const t = broken((r) => { r.MigrationFunctionRole!.Properties.ManagedPolicyArns = []; });
    find(await check(t), 'role.vpc', 'fail');
    find(await check(t), 'role.logs', 'warn');
  });
});

function smsPool(r: Record<string, { Type: string; Properties: Props }>, { trust = 'cognito-idp.amazonaws.com', externalId = 'ext-123', expected = 'ext-123', publish = true } = {}) {
  r.SmsRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: trust }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': expected } } }] },
      Policies: publish ? [{ PolicyName: 'sms', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] } }] : [],
    },
  };
  Object.assign(r.UserPool!.Properties, {
    MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SMS_MFA'],
    SmsConfiguration: { SnsCallerArn: { 'Fn::GetAtt': ['SmsRole', 'Arn'] }, ExternalId: externalId },
  });
}

describe('MFA errors of REFERENCE §3, caught statically', () => {
  it('a correct SMS setup passes', async () => {
    const results = await check(broken((r) => smsPool(r)));
    find(results, 'mfa.sms-role', 'pass');
    find(results, 'mfa.sms-publish', 'pass');
  });

  it('InvalidSmsRoleTrustRelationshipException: the role does not trust cognito-idp.amazonaws.com', async () => {
    const results = await check(broken((r) => smsPool(r, { trust: 'sns.amazonaws.com' })));
    expect(find(results, 'mfa.sms-role', 'fail').message).toMatch(/InvalidSmsRoleTrustRelationshipException.*does not trust/);
  });

  it('InvalidSmsRoleTrustRelationshipException: the external ID differs from the pool\'s', async () => {
    const results = await check(broken((r) => smsPool(r, { expected: 'other-id' })));
    expect(find(results, 'mfa.sms-role', 'fail').message).toMatch(/sts:ExternalId/);
  });

  it('InvalidSmsRoleAccessPolicyException: the role may not sns:Publish', async () => {
    const results = await check(broken((r) => smsPool(r, { publish: false })));
    expect(find(results, 'mfa.sms-publish', 'fail').message).toMatch(/InvalidSmsRoleAccessPolicyException/);
  });

  it('InvalidParameterException: SMS MFA without an SMS configuration', async () => {
    const results = await check(broken((r) => Object.assign(r.UserPool!.Properties, { MfaConfiguration: 'ON', EnabledMfas: ['SMS_MFA'] })));
    expect(find(results, 'mfa.sms-config', 'fail').message).toMatch(/InvalidParameterException/);
  });

  it('ENABLE_SMS_MFA while the pool has MFA off; quiet once it is turned off', async () => {
    const results = await check(broken((r) => { r.MigrationFunction!.Properties.Environment.Variables.ENABLE_SMS_MFA = 'true'; }));
    expect(find(results, 'mfa.sms-migration', 'warn').message).toMatch(/legacy users with SMS MFA cannot keep it/);
    const off = await check(broken((r) => { r.MigrationFunction!.Properties.Environment.Variables.ENABLE_SMS_MFA = 'false'; }));
    expect(off.some((c) => c.id === 'mfa.sms-migration')).toBe(false);
  });

  it('TOTP MFA: secrets cannot be migrated, users must enrol again', async () => {
    const results = await check(broken((r) => Object.assign(r.UserPool!.Properties, { MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] })));
    find(results, 'mfa.totp', 'warn');
  });
});

function importRole(r: Record<string, { Type: string; Properties: Props }>, { trust = 'cognito-idp.amazonaws.com', actions = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'] } = {}) {
  r.CsvImportRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: trust }, Action: 'sts:AssumeRole' }] },
      Policies: [{ PolicyName: 'logs', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: { 'Fn::Sub': 'arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/cognito/*' } }] } }],
    },
  };
}

describe('CSV import role errors of REFERENCE §3, caught statically', () => {
  it('a correct import role passes', async () => {
    find(await check(broken((r) => importRole(r))), 'csv.import-role', 'pass');
  });
  it('the role lacks a log permission', async () => {
    const results = await check(broken((r) => importRole(r, { actions: ['logs:CreateLogGroup', 'logs:CreateLogStream'] })));
    expect(find(results, 'csv.import-role', 'fail').message).toMatch(/logs:DescribeLogStreams, logs:PutLogEvents/);
  });
  it('the trust policy does not allow cognito-idp.amazonaws.com', async () => {
    const results = await check(broken((r) => importRole(r, { trust: 'lambda.amazonaws.com' })));
    expect(find(results, 'csv.import-role', 'fail').message).toMatch(/does not trust cognito-idp.amazonaws.com/);
  });
});

describe('doctor command', () => {
  it('exits 1 and prints the failing check with its fix', async () => {
    const t = broken((r) => { delete r.CognitoInvokePermission; });
    const { stringify } = await import('yaml');
    const path = join(scratch, 'broken.yaml');
    await writeFile(path, stringify(t));
    let out = '';
    const code = await doctor(['--template', path, '--bcrypt-cost', '4'], (s) => { out += s; });
    expect(code).toBe(1);
    expect(out).toMatch(/✘ FAIL\s+trigger.permission/);
    expect(out).toMatch(/fix: Add an AWS::Lambda::Permission/);
  });

  it('names an unreadable template', async () => {
    let out = '';
    expect(await doctor(['--template', join(scratch, 'nope.yaml')], (s) => { out += s; })).toBe(1);
    expect(out).toMatch(/template.parse\s+Cannot read/);
  });
});

describe('doctor --manifest (users imported with their hash sign in first with USER_PASSWORD_AUTH, never SRP)', () => {
  async function manifest(files: Array<{ users: number; passwordHashingAlgorithm?: string }>): Promise<string> {
    const path = join(scratch, `manifest-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify({ files: files.map((f, i) => ({ file: `users-${i}.csv`, bytes: 1, ...f })) }));
    return path;
  }
  const run = async (argv: string[]) => {
    let out = '';
    const code = await doctor([...argv, '--json'], (t) => { out += t; });
    return { code, checks: (JSON.parse(out) as { checks: CheckResult[] }).checks.filter((c) => c.id === 'import.hash-sign-in') };
  };

  it('passes the project template, whose client allows USER_PASSWORD_AUTH, and counts the users with a hash', async () => {
    const { checks } = await run(['--template', join(root, 'template.yaml'), '--manifest', await manifest([{ users: 7, passwordHashingAlgorithm: 'BCRYPT' }, { users: 3 }])]);
    expect(checks).toEqual([expect.objectContaining({ status: 'pass', message: expect.stringMatching(/App client UserPoolClient allows USER_PASSWORD_AUTH: the 7 users imported/) })]);
  });

  it('fails an SRP-only client, warns on an admin-only one, and says nothing is needed when no file has hashes', async () => {
    const srp = broken((r) => {
      r.UserPoolClient!.Properties.ExplicitAuthFlows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
      r.AdminClient = { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'UserPool' }, ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] } };
    });
    const path = join(scratch, 'srp-template.json');
    await writeFile(path, JSON.stringify(srp));
    const hashed = await manifest([{ users: 5, passwordHashingAlgorithm: 'ARGON2ID' }]);
    const { code, checks } = await run(['--template', path, '--manifest', hashed]);
    expect(code).toBe(1);
    expect(checks.map((c) => c.status)).toEqual(['fail', 'warn']);
    expect(checks[0]!.message).toMatch(/App client UserPoolClient allows neither USER_PASSWORD_AUTH nor ADMIN_USER_PASSWORD_AUTH \(it allows ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH\): the 5 users/);
    expect(checks[0]!.fix).toMatch(/setAuthenticationFlowType\('USER_PASSWORD_AUTH'\)/);
    expect((await run(['--template', path, '--manifest', await manifest([{ users: 5 }])])).checks).toEqual([expect.objectContaining({ status: 'pass', message: expect.stringMatching(/no files with hashes/) })]);
    await expect(doctor(['--template', path, '--manifest', join(scratch, 'missing.json')], () => {})).rejects.toThrow(/cannot read the manifest .*missing\.json \(ENOENT\)/);
  });
});
