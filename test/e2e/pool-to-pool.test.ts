// A user of an old Cognito pool signs in to a new pool with the old password:
// new pool (cognito-local) → UserMigration → dist/cognito behind the local
// Invoke API → AdminInitiateAuth/AdminGetUser on the old pool (a second cognito-local).
import {
  AdminAddUserToGroupCommand, AdminGetUserCommand, AdminListGroupsForUserCommand, CognitoIdentityProviderClient, CreateGroupCommand, CreateUserPoolClientCommand,
  CreateUserPoolCommand, InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { LOCAL_LINK_KEY } from '../../scripts/lib/stack.mjs';
import { CONTRACT_USERS } from '../contract/suite.js';
import { createOldPool, startOldPool } from '../support/old-pool.js';
import { startTotpStandIn } from '../support/totp-stand-in.js';

const root = join(import.meta.dirname, '..', '..');
const [ada, off] = CONTRACT_USERS;
let old: Awaited<ReturnType<typeof startOldPool>>;
let lambda: Awaited<ReturnType<typeof startLambdaServer>>;
let fresh: Awaited<ReturnType<typeof startCognitoLocal>>;
let idp: CognitoIdentityProviderClient;
let poolId: string;
let clientId: string;

beforeAll(async () => {
  old = await startOldPool();
  lambda = await startLambdaServer({
    functions: {
      migrate: {
        file: join(root, 'dist', 'cognito', 'index.mjs'),
        env: {
          OLD_USER_POOL_ID: old.userPoolId, OLD_CLIENT_ID: old.clientId, MATCH_EMAIL: 'true',
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: old.cognito.endpoint, NODE_PATH: join(root, 'node_modules'),
          ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified', given_name: 'given_name', family_name: 'family_name' }),
        },
      },
    },
  });
  fresh = await startCognitoLocal({ lambdaEndpoint: lambda.url, userMigration: 'migrate' });
  idp = new CognitoIdentityProviderClient({ endpoint: fresh.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'new', UsernameAttributes: ['email'] }))).UserPool!.Id!;
  clientId = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
});
afterAll(async () => {
  idp?.destroy();
  await fresh?.stop();
  await lambda?.close();
  old?.idp.destroy();
  await old?.cognito.stop();
});

const signIn = (username: string, password: string) =>
  idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));

describe('pool-to-pool migration through a real sign-in', () => {
  it('refuses a wrong password and a disabled old account', async () => {
    await expect(signIn(ada.email, 'not the password')).rejects.toThrow();
    await expect(signIn(off.email, off.password)).rejects.toThrow();
  });

  it('moves a user from the old pool to the new one with their password', async () => {
    const out = await signIn(ada.email, ada.password);
    expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: ada.email }));
    expect(user.UserStatus).toBe('CONFIRMED');
    const attributes = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(attributes).toMatchObject({ email: ada.email, given_name: ada.given_name, family_name: ada.family_name, email_verified: 'true' });
    expect(attributes.identities).toBeUndefined();
    const before = lambda.stats.invocations;
    expect((await signIn(ada.email, ada.password)).AuthenticationResult?.AccessToken).toBeTruthy();
    expect(lambda.stats.invocations).toBe(before);
  });
});

// The old pool's groups, carried by the completion (OLD_POOL_GROUPS=true). Both pools live in one emulator
// here, so the function reaches both through one endpoint, as it reaches one regional endpoint in AWS; the
// old pool's own sign-ins then reach the function's Post authentication too, and cost nothing (no legacy id).
describe('pool-to-pool: the old pool\'s groups become the new pool\'s', () => {
  let cognito: Awaited<ReturnType<typeof startCognitoLocal>>;
  let server: Awaited<ReturnType<typeof startLambdaServer>>;
  let client: CognitoIdentityProviderClient;
  let newPool: string;
  let newClient: string;
  let logs: string[];

  beforeAll(async () => {
    const { freePort } = await import('../../scripts/lib/postgres.mjs');
    const port = await freePort();
    logs = [];
    server = await startLambdaServer({
      onLog: (line) => logs.push(line),
      functions: {
        migrate: {
          file: join(root, 'dist', 'cognito', 'index.mjs'),
          env: {
            OLD_USER_POOL_ID: 'set below', OLD_CLIENT_ID: 'set below', MATCH_EMAIL: 'true', OLD_POOL_GROUPS: 'true', UNMAPPED_ROLES: 'same-name', CREATE_MISSING_GROUPS: 'true', LINK_KEY: LOCAL_LINK_KEY,
            AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${port}`,
            ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified', given_name: 'given_name', 'custom:legacy_id': 'id' }),
          },
        },
      },
    });
    // Pools sign in by username unless they ask for email (lodash-merged defaults can add usernameAttributes, never remove them).
    cognito = await startCognitoLocal({ lambdaEndpoint: server.url, userMigration: 'migrate', completion: 'migrate', port, userPoolDefaults: { UsernameAttributes: [] } });
    client = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const oldPool = await createOldPool(client);
    for (const group of ['admins', 'support']) {
      await client.send(new CreateGroupCommand({ UserPoolId: oldPool.userPoolId, GroupName: group }));
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId: oldPool.userPoolId, Username: ada.username, GroupName: group }));
    }
    newPool = (await client.send(new CreateUserPoolCommand({
      PoolName: 'new', UsernameAttributes: ['email'],
      Schema: [{ Name: 'legacy_id', AttributeDataType: 'String', Mutable: false }, { Name: 'migrated_at', AttributeDataType: 'String', Mutable: true }, { Name: 'legacy_proof', AttributeDataType: 'String', Mutable: true }],
    }))).UserPool!.Id!;
    newClient = (await client.send(new CreateUserPoolClientCommand({ UserPoolId: newPool, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
    await client.send(new CreateGroupCommand({ UserPoolId: newPool, GroupName: 'admins' }));
    // The function's settings name the old pool, known only now; its workers start on the first invocation.
    server.setEnv('migrate', { OLD_USER_POOL_ID: oldPool.userPoolId, OLD_CLIENT_ID: oldPool.clientId });
  });
  afterAll(async () => {
    client?.destroy();
    await cognito?.stop();
    await server?.close();
  });

  it('the first sign-in migrates the user and adds them to the groups they had in the old pool (a missing one created)', async () => {
    const out = await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: newClient, AuthParameters: { USERNAME: ada.email, PASSWORD: ada.password } }));
    expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: newPool, Username: ada.email }));
    const groups = await client.send(new AdminListGroupsForUserCommand({ UserPoolId: newPool, Username: user.Username! }));
    expect((groups.Groups ?? []).map((g) => g.GroupName).sort()).toEqual(['admins', 'support']);
    expect(user.UserAttributes?.find((a) => a.Name === 'custom:migrated_at')?.Value).toBeTruthy();
    const records = logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.outcome === 'completed')).toMatchObject({ link: 'linked', roles: 2, groups: 2 });
  });
});

// What an app passes as ClientMetadata on InitiateAuth reaches the User migration trigger as validationData
// (API reference, InitiateAuth, ClientMetadata); cognito-local passes it the same way. The old pool's TOTP
// challenge comes from a stand-in in front of its cognito-local (test/support/totp-stand-in.ts), which has none.
describe('pool-to-pool: a TOTP user migrates with the code sent as InitiateAuth ClientMetadata', () => {
  let oldEmulator: Awaited<ReturnType<typeof startOldPool>>;
  let standIn: Awaited<ReturnType<typeof startTotpStandIn>>;
  let server: Awaited<ReturnType<typeof startLambdaServer>>;
  let emulator: Awaited<ReturnType<typeof startCognitoLocal>>;
  let client: CognitoIdentityProviderClient;
  let pool: string;
  let app: string;
  const logs: string[] = [];

  beforeAll(async () => {
    oldEmulator = await startOldPool();
    standIn = await startTotpStandIn(oldEmulator.cognito.endpoint);
    standIn.codes.set(ada.username, '246810');
    server = await startLambdaServer({
      onLog: (line) => logs.push(line),
      functions: {
        migrate: {
          file: join(root, 'dist', 'cognito', 'index.mjs'),
          env: {
            OLD_USER_POOL_ID: oldEmulator.userPoolId, OLD_CLIENT_ID: oldEmulator.clientId, MATCH_EMAIL: 'true', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: standIn.url,
            ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified', given_name: 'given_name' }),
          },
        },
      },
    });
    emulator = await startCognitoLocal({ lambdaEndpoint: server.url, userMigration: 'migrate' });
    client = new CognitoIdentityProviderClient({ endpoint: emulator.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    pool = (await client.send(new CreateUserPoolCommand({ PoolName: 'new', UsernameAttributes: ['email'] }))).UserPool!.Id!;
    app = (await client.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
    await server?.close();
    await standIn?.close();
    oldEmulator?.idp.destroy();
    await oldEmulator?.cognito.stop();
  });

  const signInWith = (ClientMetadata?: Record<string, string>) =>
    client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: app, AuthParameters: { USERNAME: ada.email, PASSWORD: ada.password }, ...(ClientMetadata ? { ClientMetadata } : {}) }));

  it('refuses the password alone and a wrong code (mfa_required), and migrates with the right code', async () => {
    await expect(signInWith()).rejects.toThrow();
    await expect(signInWith({ legacy_totp_code: '135790' })).rejects.toThrow();
    const out = await signInWith({ legacy_totp_code: '246810' });
    expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    expect(standIn.answers).toEqual(['135790', '246810']);
    const outcomes = logs.filter((l) => l.startsWith('{"level"')).map((l) => (JSON.parse(l) as { outcome?: string }).outcome).filter(Boolean);
    expect(outcomes).toEqual(['mfa_required', 'mfa_required', 'migrated']);
    expect(logs.join('\n')).not.toContain('246810');
  });
});
