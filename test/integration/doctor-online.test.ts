// doctor online: Cognito calls go to cognito-local, the self-check runs the
// real bundle behind the local Invoke API against real PostgreSQL; only the
// AWS APIs nothing here can run (IAM, Lambda management) are mocked, with the
// real error names and shapes.
import {
  CognitoIdentityProviderClient, CreateGroupCommand, CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetPolicyCommand, InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { doctor } from '../../scripts/doctor/index.js';
import { onlineChecks } from '../../scripts/doctor/online.js';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { DEMO_ATTRIBUTE_MAP } from '../../scripts/lib/seed.mjs';
import type { CheckResult } from '../../src/index.js';
import { databaseUrl, freshLegacyTable } from '../support/database.js';

const root = join(import.meta.dirname, '..', '..');
const ACCOUNT = '123456789012';
const FN = 'legacy-user-migration';
const FN_ARN = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${FN}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/legacy-user-migration-role`;

let lambdaServer: Awaited<ReturnType<typeof startLambdaServer>>;
let cognito: Awaited<ReturnType<typeof startCognitoLocal>>;
let idp: CognitoIdentityProviderClient;
let poolId: string;
let poolArn: string;
const lambdaMock = mockClient(LambdaClient);
const iamMock = mockClient(IAMClient);

beforeAll(async () => {
  const table = await freshLegacyTable('doctor');
  const env = { DATABASE_URL: databaseUrl(), PG_TABLE: table, MATCH_EMAIL: 'true', ATTRIBUTE_MAP: JSON.stringify(DEMO_ATTRIBUTE_MAP), POWERTOOLS_METRICS_DISABLED: 'true' };
  lambdaServer = await startLambdaServer({
    functions: {
      [FN]: { file: join(root, 'dist', 'postgres', 'index.mjs'), env },
      'wrong-table': { file: join(root, 'dist', 'postgres', 'index.mjs'), env: { ...env, PG_TABLE: 'legacy_users_typo' } },
      'no-config': { file: join(root, 'dist', 'postgres', 'index.mjs'), env: { POWERTOOLS_METRICS_DISABLED: 'true' } },
      'bad-handler': { file: join(root, 'dist', 'postgres', 'lambda_function.mjs') },
    },
  });
  cognito = await startCognitoLocal({ lambdaEndpoint: lambdaServer.url });
  idp = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const pool = await idp.send(new CreateUserPoolCommand({ PoolName: 'migrated', LambdaConfig: { UserMigration: FN_ARN } }));
  poolId = pool.UserPool!.Id!;
  poolArn = pool.UserPool!.Arn ?? `arn:aws:cognito-idp:local:${ACCOUNT}:userpool/${poolId}`;
  await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
});
afterAll(async () => {
  idp?.destroy();
  await cognito?.stop();
  await lambdaServer?.close();
});
afterEach(() => {
  lambdaMock.reset();
  iamMock.reset();
});

/** A deployed setup that works; each test breaks one thing. */
function healthy({ functionName = FN, env = {} as Record<string, string> } = {}) {
  lambdaMock.on(GetFunctionConfigurationCommand).resolves({
    FunctionName: functionName, FunctionArn: FN_ARN, Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 5, MemorySize: 1024,
    Role: ROLE_ARN, State: 'Active', LastUpdateStatus: 'Successful', Environment: { Variables: { DATABASE_URL: 'postgres://…', ...env } },
  });
  lambdaMock.on(GetPolicyCommand).resolves({
    Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'cognito', Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN_ARN, Condition: { ArnLike: { 'AWS:SourceArn': poolArn } } }] }),
  });
  lambdaMock.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Payload: Uint8Array }) => {
    // The real bundle answers, behind the local Invoke API.
    const name = input.FunctionName === FN ? functionName : input.FunctionName;
    const res = await fetch(`${lambdaServer.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: Buffer.from(input.Payload) });
    return { StatusCode: 200, FunctionError: res.headers.get('x-amz-function-error') ?? undefined, Payload: new Uint8Array(await res.arrayBuffer()) };
  });
  iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input: { ActionNames: string[] }) => ({
    EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: 'allowed' })),
  }));
  lambdaMock.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 10 });
}

const run = (options: Parameters<typeof onlineChecks>[1] = { functionName: FN, userPoolId: poolId }) =>
  onlineChecks({ lambda: new LambdaClient({ region: 'eu-west-1' }), cognito: idp, iam: new IAMClient({ region: 'eu-west-1' }) }, { verifyMsOnFullCpu: 70, ...options });
function find(results: CheckResult[], id: string, status: CheckResult['status']) {
  const hit = results.find((r) => r.id === id && r.status === status);
  expect(hit, `${status} ${id} in ${JSON.stringify(results.map((r) => `${r.status} ${r.id}: ${r.message}`))}`).toBeDefined();
  return hit!;
}

describe('doctor online', () => {
  it('passes a healthy deployment, including the self-check run with the function\'s own role and network', async () => {
    healthy();
    const results = await run();
    expect(results.filter((r) => r.status === 'fail')).toEqual([]);
    for (const id of ['pool.trigger', 'client.password-auth', 'trigger.permission', 'self-check', 'postgres.connect', 'postgres.query']) find(results, id, 'pass');
  });

  it('ResourceNotFoundException: the function does not exist', async () => {
    healthy();
    lambdaMock.on(GetFunctionConfigurationCommand).rejects(new ResourceNotFoundException({ message: `Function not found: ${FN_ARN}`, $metadata: {} }));
    expect(find(await run(), 'online.function', 'fail').message).toMatch(/ResourceNotFoundException/);
  });

  it('ResourceNotFoundException: the user pool does not exist', async () => {
    healthy();
    expect(find(await run({ functionName: FN, userPoolId: 'local_doesnotexist' }), 'pool.trigger', 'fail').message).toMatch(/ResourceNotFoundException/);
  });

  it('the pool\'s trigger is not this function', async () => {
    healthy();
    const other = await idp.send(new CreateUserPoolCommand({ PoolName: 'unwired' }));
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: other.UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }));
    find(await run({ functionName: FN, userPoolId: other.UserPool!.Id! }), 'pool.trigger', 'fail');
  });

  it('an app client without ALLOW_USER_PASSWORD_AUTH', async () => {
    healthy();
    const pool = await idp.send(new CreateUserPoolCommand({ PoolName: 'srp-only', LambdaConfig: { UserMigration: FN_ARN } }));
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: pool.UserPool!.Id!, ClientName: 'amplify', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] }));
    expect(find(await run({ functionName: FN, userPoolId: pool.UserPool!.Id! }), 'client.password-auth', 'fail').message).toMatch(/amplify.*ALLOW_USER_PASSWORD_AUTH/);
  });

  it('a missing invoke permission (GetPolicy ResourceNotFoundException)', async () => {
    healthy();
    lambdaMock.on(GetPolicyCommand).rejects(new ResourceNotFoundException({ message: 'The resource you requested does not exist.', $metadata: {} }));
    expect(find(await run(), 'trigger.permission', 'fail').message).toMatch(/Exception migrating user in app client/);
  });

  it('an invoke permission for another pool', async () => {
    healthy();
    lambdaMock.on(GetPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'lambda:InvokeFunction', Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_OTHER` } } }] }) });
    find(await run(), 'trigger.permission', 'fail');
  });

  it('AccessDeniedException ahead of time: the role may not read the database secret (iam:SimulatePrincipalPolicy)', async () => {
    healthy({ env: { DATABASE_SECRET_ARN: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:legacy-db-AbCdEf` } });
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: a.startsWith('secretsmanager:') ? 'implicitDeny' : 'allowed' })),
    }));
    expect(find(await run(), 'role.secret', 'fail').message).toMatch(/secretsmanager:GetSecretValue \(implicitDeny\).*AccessDeniedException/);
  });

  it('AccessDeniedException ahead of time: the role may not call AdminInitiateAuth on the old pool', async () => {
    healthy({ env: { OLD_USER_POOL_ID: 'eu-west-1_OLDPOOL' } });
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input: { ActionNames: string[]; ResourceArns?: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: a === 'cognito-idp:AdminInitiateAuth' ? 'explicitDeny' : 'allowed' })),
    }));
    const hit = find(await run(), 'role.cognito', 'fail');
    expect(hit.message).toMatch(/AdminInitiateAuth \(explicitDeny\)/);
    const simulated = iamMock.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input.ResourceArns?.[0]);
    expect(simulated).toContain(`arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_OLDPOOL`);
  });

  it('Runtime.ImportModuleError from the deployed function, caught by the self-check invocation', async () => {
    healthy({ functionName: 'bad-handler' });
    expect(find(await run(), 'self-check', 'fail').message).toMatch(/Runtime.ImportModuleError/);
  });

  it('a missing table, caught inside the function by the self-check', async () => {
    healthy({ functionName: 'wrong-table' });
    expect(find(await run(), 'postgres.query', 'fail').message).toMatch(/legacy_users_typo" does not exist \(SQLSTATE 42P01\)/);
  });

  it('a configuration error at cold start, reported by the self-check without secrets', async () => {
    healthy({ functionName: 'no-config' });
    const results = await run();
    expect(find(results, 'config', 'fail').message).toMatch(/DATABASE_URL is required/);
  });

  it('SMS MFA role problems (InvalidSmsRoleTrustRelationshipException, InvalidSmsRoleAccessPolicyException)', async () => {
    healthy();
    const pool = await idp.send(new CreateUserPoolCommand({
      PoolName: 'sms', LambdaConfig: { UserMigration: FN_ARN }, MfaConfiguration: 'OPTIONAL',
      SmsConfiguration: { SnsCallerArn: `arn:aws:iam::${ACCOUNT}:role/sms-role`, ExternalId: 'pool-external-id' },
    }));
    iamMock.on(GetRoleCommand).resolves({ Role: { RoleName: 'sms-role', Arn: `arn:aws:iam::${ACCOUNT}:role/sms-role`, Path: '/', RoleId: 'x', CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'a-different-id' } } }] })) } });
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: a === 'sns:Publish' ? 'implicitDeny' : 'allowed' })),
    }));
    const results = await run({ functionName: FN, userPoolId: pool.UserPool!.Id! });
    expect(find(results, 'mfa.sms-role', 'fail').message).toMatch(/InvalidSmsRoleTrustRelationshipException/);
    expect(find(results, 'mfa.sms-publish', 'fail').message).toMatch(/InvalidSmsRoleAccessPolicyException/);
    expect(iamMock.commandCalls(GetRoleCommand)[0]!.args[0].input.RoleName).toBe('sms-role');
  });

  it('compares the instances the function may run with the connections the database has room for', async () => {
    healthy();
    const fits = find(await run(), 'function.concurrency', 'pass');
    expect(fits.message).toMatch(/may run 10 instances at once \(its reserved concurrency\), each with one connection; the database has room for \d+ more/);
    lambdaMock.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 5000 });
    const tooMany = find(await run(), 'function.concurrency', 'warn');
    const room = Number(/room for (\d+) more/.exec(tooMany.message)?.[1]);
    expect(room).toBeGreaterThan(0);
    expect(tooMany.fix).toContain(`ReservedConcurrency=${room}`);
    expect(tooMany.fix).toMatch(/RDS Proxy/);
    // No reservation: the account's unreserved concurrency is what a burst can reach.
    lambdaMock.on(GetFunctionConcurrencyCommand).resolves({});
    lambdaMock.on(GetAccountSettingsCommand).resolves({ AccountLimit: { UnreservedConcurrentExecutions: 1000 } });
    expect(find(await run(), 'function.concurrency', 'warn').message).toMatch(/1000 instances at once \(the account's unreserved concurrency/);
  });

  it('completion: unwired Post triggers, no mark attribute, a mapped group missing, a client that can write the link; then a pool that has it all', async () => {
    const ledger = { PG_COGNITO_SUB_COLUMN: 'cognito_sub', GROUP_MAP: JSON.stringify({ ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff' }) };
    healthy({ env: ledger });
    // The shared pool wires UserMigration only, declares no mark, has no groups.
    const bare = await run();
    expect(find(bare, 'pool.completion', 'fail').message).toMatch(/does not send PostAuthentication or PostConfirmation to legacy-user-migration: no migration ever completes/);
    expect(find(bare, 'pool.completion-mark', 'fail').fix).toMatch(/add-custom-attributes .*Name=migrated_at,AttributeDataType=String,Mutable=true/);
    expect(find(bare, 'pool.groups', 'warn').message).toMatch(/lacks: admins, staff/);
    expect(find(bare, 'pool.completion-proof', 'fail').fix).toMatch(/Name=legacy_proof,AttributeDataType=String,Mutable=true/);
    expect(find(bare, 'completion.link-key', 'fail').fix).toMatch(/LINK_KEY_ARN/);
    healthy({ env: { ...ledger, LINK_KEY_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:link-key' } });

    const wired = await idp.send(new CreateUserPoolCommand({
      PoolName: 'completing', LambdaConfig: { UserMigration: FN_ARN, PostAuthentication: FN_ARN, PostConfirmation: FN_ARN },
      Schema: [{ Name: 'legacy_id', AttributeDataType: 'String', Mutable: false }, { Name: 'migrated_at', AttributeDataType: 'String', Mutable: true }, { Name: 'legacy_proof', AttributeDataType: 'String', Mutable: true }],
    }));
    const id = wired.UserPool!.Id!;
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'], WriteAttributes: ['email', 'given_name'] }));
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'profile-editor', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'], WriteAttributes: ['email', 'custom:legacy_id'] }));
    // No WriteAttributes at all: the API reference says standard only, aws-cdk-lib says all; doctor relies on neither.
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'old-app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }));
    for (const GroupName of ['admins', 'staff']) await idp.send(new CreateGroupCommand({ UserPoolId: id, GroupName }));
    const results = await run({ functionName: FN, userPoolId: id });
    for (const check of ['pool.completion', 'pool.completion-mark', 'pool.completion-proof', 'completion.link-key', 'pool.groups', 'role.completion']) find(results, check, 'pass');
    const writes = results.filter((r) => r.id === 'client.write-attributes');
    expect(writes.map((r) => `${r.status} ${r.message}`).sort()).toEqual([
      expect.stringMatching(/^fail App client old-app .* declares no WriteAttributes/),
      expect.stringMatching(/^fail App client profile-editor .* lets users write custom:legacy_id/),
      expect.stringMatching(/^pass App client web .* cannot write custom:legacy_id or custom:migrated_at or custom:legacy_proof/),
    ]);

    // The role may not touch the pool: AccessDeniedException at every completion, said ahead of time.
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake(async (input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: a.startsWith('cognito-idp:') ? 'implicitDeny' : 'allowed' })),
    }));
    expect(find(await run({ functionName: FN, userPoolId: id }), 'role.completion', 'fail').message).toMatch(/cognito-idp:AdminAddUserToGroup \(implicitDeny\)/);
  });

  it('pool pitfalls from the pool as cognito-local describes it: sign-in identifiers against MATCH_EMAIL, case against CASE_INSENSITIVE, other triggers that see migrated users', async () => {
    // The emulator's pools sign in with their email (its default), as UsernameAttributes: ['email'] pools do.
    healthy({ env: { MATCH_EMAIL: 'false' } });
    expect(find(await run(), 'pool.sign-in', 'warn').fix).toMatch(/MATCH_EMAIL=true/);
    healthy({ env: { MATCH_EMAIL: 'true' } });
    find(await run(), 'pool.sign-in', 'pass');
    const other = await idp.send(new CreateUserPoolCommand({
      PoolName: 'pitfalls', UsernameConfiguration: { CaseSensitive: true },
      LambdaConfig: { UserMigration: FN_ARN, PreTokenGeneration: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:claims`, PreAuthentication: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:audit` },
    }));
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: other.UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }));
    healthy({ env: { MATCH_EMAIL: 'true', CASE_INSENSITIVE: 'true' } });
    const results = await run({ functionName: FN, userPoolId: other.UserPool!.Id! });
    expect(find(results, 'pool.case', 'warn').message).toMatch(/tells usernames apart by case.*creates a second account/);
    const triggers = results.filter((r) => r.id === 'pool.other-trigger').map((r) => r.message);
    expect(triggers).toEqual([expect.stringMatching(/PreAuthentication to audit, which runs before every sign-in of migrated users/), expect.stringMatching(/PreTokenGeneration to claims, which builds every migrated user's tokens/)]);
  });

  it('warns when the target pool asks less MFA than the old pool it migrates from', async () => {
    const old = await idp.send(new CreateUserPoolCommand({
      PoolName: 'old-with-mfa', MfaConfiguration: 'ON',
      SmsConfiguration: { SnsCallerArn: `arn:aws:iam::${ACCOUNT}:role/sms-role`, ExternalId: 'x' },
    }));
    healthy({ env: { OLD_USER_POOL_ID: old.UserPool!.Id! } });
    const weaker = find(await run(), 'mfa.weaker', 'warn');
    expect(weaker.message).toMatch(/MFA is OFF here but ON in the old pool/);
    expect(weaker.fix).toMatch(/MfaConfiguration ON/);
    healthy({ env: { OLD_USER_POOL_ID: poolId } });
    find(await run(), 'mfa.weaker', 'pass');
  });

  it('--manifest with --user-pool-id: reads the pool\'s clients and fails the one through which users imported with a hash cannot sign in', async () => {
    const pool = await idp.send(new CreateUserPoolCommand({ PoolName: 'imported' }));
    const id = pool.UserPool!.Id!;
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
    await idp.send(new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'mobile', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
    const dir = await mkdtemp(join(tmpdir(), 'doctor-manifest-'));
    try {
      const manifest = join(dir, 'manifest.json');
      await writeFile(manifest, JSON.stringify({ files: [{ file: 'users-bcrypt-0001.csv', users: 12, bytes: 1, passwordHashingAlgorithm: 'BCRYPT' }] }));
      // doctor builds its own client from the environment, as it does against AWS.
      vi.stubEnv('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', cognito.endpoint);
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
      let out = '';
      const code = await doctor(['--manifest', manifest, '--user-pool-id', id, '--region', 'local', '--json'], (t) => { out += t; });
      const checks = (JSON.parse(out) as { checks: CheckResult[] }).checks;
      expect(code).toBe(1);
      expect(checks.map((c) => `${c.status} ${c.id}`).sort()).toEqual(['fail import.hash-sign-in', 'pass import.hash-sign-in']);
      expect(checks.find((c) => c.status === 'fail')!.message).toMatch(/App client mobile \(\w+\) allows neither USER_PASSWORD_AUTH .*the 12 users imported with their hash/);
    } finally {
      vi.unstubAllEnvs();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
