// The staged path end to end: a Firebase auth:export and an Auth0 password-hash
// export staged with `cognito-migrate stage`, then their users sign in through
// cognito-local (the built bundle as UserMigration trigger) with their original
// passwords, and land in the pool.
import { AdminGetUserCommand, InitiateAuthCommand, NotAuthorizedException } from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../scripts/lib/stack.mjs';
import { stage } from '../../scripts/stage/index.js';
import { databaseUrl } from '../support/database.js';

const FIXTURES = new URL('../fixtures/stage/', import.meta.url).pathname;
let stack: Awaited<ReturnType<typeof startLocalStack>>;
const schema = `staged_${randomBytes(4).toString('hex')}`;
const table = `${schema}.users`;

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl();
  const hashConfig = await readFile(join(FIXTURES, 'firebase-hash-config.txt'), 'utf8');
  // The function reads the staging table and knows the Firebase project's parameters, as the README says to deploy it.
  stack = await startLocalStack({ schema: `${schema}_seed`, functionEnv: { PG_TABLE: table, FIREBASE_HASH_CONFIG: hashConfig } });
  for (const argv of [['auth0', join(FIXTURES, 'auth0.ndjson')], ['firebase', join(FIXTURES, 'firebase-users.json'), '--hash-config', join(FIXTURES, 'firebase-hash-config.txt')]]) {
    expect(await stage([...argv, '--table', table], () => {})).toBe(0);
  }
});
afterAll(async () => {
  await stack?.stop();
});

const signIn = (username: string, password: string) =>
  stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));

describe('staged users sign in through cognito-local with their original passwords', () => {
  it('a Firebase user (modified scrypt with the project\'s parameters) and an Auth0 user (bcrypt) are migrated', async () => {
    for (const [email, password, legacyId] of [['user1@firebase.example', 'user1password', 'fb-user-1'], ['ada@auth0.example', 'ada-password', '60425dc43519d90068f82973']] as const) {
      const result = await signIn(email, password);
      expect(result.AuthenticationResult?.IdToken, email).toBeTruthy();
      const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }));
      expect(user.UserStatus).toBe('CONFIRMED');
      expect(Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]))).toMatchObject({ email, 'custom:legacy_id': legacyId });
    }
  });

  it('a wrong password, a disabled Firebase user and a blocked Auth0 user are refused', async () => {
    await expect(signIn('hunter@firebase.example', 'hunter3')).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(signIn('disabled@firebase.example', 'user1password')).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(signIn('grace@auth0.example', 'grace-password')).rejects.toBeInstanceOf(NotAuthorizedException);
    // The right one still works after those refusals.
    expect((await signIn('hunter@firebase.example', 'hunter2')).AuthenticationResult?.AccessToken).toBeTruthy();
  });
});
