import {
  AdminCreateUserCommand, AdminDisableUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient,
  CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createCognitoStore } from '../../adapters/cognito/index.js';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { startSilentServer } from '../support/legacy-api.js';
import { CONTRACT_USERS, runStoreContract } from './suite.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const client = (endpoint: string) => new CognitoIdentityProviderClient({ endpoint, region: 'local', credentials, maxAttempts: 1 });

/** The old pool, in an emulator of its own (cognito-local's triggers are global, and the old pool has none). */
export async function startOldPool() {
  const cognito = await startCognitoLocal({ lambdaEndpoint: 'http://127.0.0.1:1', userPoolDefaults: { UsernameAttributes: [] } });
  const idp = client(cognito.endpoint);
  const pool = await idp.send(new CreateUserPoolCommand({ PoolName: 'old' }));
  const userPoolId = pool.UserPool!.Id!;
  const app = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'migration', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] }));
  for (const u of CONTRACT_USERS) {
    await idp.send(new AdminCreateUserCommand({
      UserPoolId: userPoolId, Username: u.username, MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp-1234!',
      UserAttributes: [{ Name: 'email', Value: u.email }, { Name: 'email_verified', Value: 'true' }, { Name: 'given_name', Value: u.given_name }, { Name: 'family_name', Value: u.family_name }],
    }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: u.username, Password: u.password, Permanent: true }));
    if (!u.enabled) await idp.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: u.username }));
  }
  return { cognito, idp, userPoolId, clientId: app.UserPoolClient!.ClientId! };
}

const can = { caseInsensitive: false, disabledUsers: true };
runStoreContract('cognito (pool to pool)', async () => {
  const old = await startOldPool();
  const silent = await startSilentServer();
  const make = (endpoint: string) => createCognitoStore({ userPoolId: old.userPoolId, clientId: old.clientId, client: client(endpoint) });
  return {
    store: make(old.cognito.endpoint),
    can,
    outage: () => make('http://127.0.0.1:1'),
    slow: () => make(`http://127.0.0.1:${silent.port}`),
    close: async () => {
      old.idp.destroy();
      await old.cognito.stop();
      await silent.close();
    },
  };
}, { ...can, outage: true, slow: true });
