// A user of an old Cognito pool signs in to a new pool with the old password:
// new pool (cognito-local) → UserMigration → dist/cognito behind the local
// Invoke API → AdminInitiateAuth/AdminGetUser on the old pool (a second cognito-local).
import { AdminGetUserCommand, CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { CONTRACT_USERS } from '../contract/suite.js';
import { startOldPool } from '../support/old-pool.js';

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
