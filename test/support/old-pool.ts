import {
  AdminCreateUserCommand, AdminDisableUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient,
  CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { CONTRACT_USERS } from '../contract/suite.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** A client for a cognito-local endpoint, one attempt per call. */
export const localCognitoClient = (endpoint: string) => new CognitoIdentityProviderClient({ endpoint, region: 'local', credentials, maxAttempts: 1 });

/** The old pool, in an emulator of its own (cognito-local's triggers are global, and the old pool has none). */
export async function startOldPool() {
  const cognito = await startCognitoLocal({ lambdaEndpoint: 'http://127.0.0.1:1', userPoolDefaults: { UsernameAttributes: [] } });
  const idp = localCognitoClient(cognito.endpoint);
  return { cognito, idp, ...(await createOldPool(idp)) };
}

/** The old pool with CONTRACT_USERS (passwords set, the disabled one disabled), in the emulator `idp` talks to, which must create pools that sign in by username. */
export async function createOldPool(idp: CognitoIdentityProviderClient) {
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
  return { userPoolId, clientId: app.UserPoolClient!.ClientId! };
}

