import { AdminGetUserCommand, InitiateAuthCommand, NotAuthorizedException } from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { FUNCTION_NAME, startLocalStack } from '../../scripts/lib/stack.mjs';
import { PUBLIC_MESSAGES } from '../../src/index.js';
import { databaseUrl } from '../support/database.js';

const [alice, bob, carol] = DEMO_USERS as [typeof DEMO_USERS[0], typeof DEMO_USERS[0], typeof DEMO_USERS[0]];
let stack: Awaited<ReturnType<typeof startLocalStack>>;
const logs: string[] = [];

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl();
  stack = await startLocalStack({ schema: `e2e_${randomBytes(4).toString('hex')}`, onLog: (line) => logs.push(line) });
});
afterAll(async () => {
  await stack?.stop();
});

const signIn = (username: string, password: string) =>
  stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));

describe('sign-in through cognito-local with the built bundle as UserMigration trigger', () => {
  it('rejects a wrong password and an unknown user', async () => {
    await expect(signIn(alice.email, 'wrong password')).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(signIn('nobody@example.com', 'whatever')).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(signIn(bob.email, bob.password)).rejects.toBeInstanceOf(NotAuthorizedException);
  });

  it('migrates a user who signs in with the legacy password, then signs them in without the trigger', async () => {
    const first = await signIn(alice.email, alice.password);
    expect(first.AuthenticationResult?.IdToken).toBeTruthy();
    const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: alice.email }));
    expect(user.UserStatus).toBe('CONFIRMED');
    const attributes = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(attributes).toMatchObject({ email: alice.email, given_name: 'Alice', family_name: 'Liddell', 'custom:legacy_id': '1' });
    const before = stack.lambda.stats.invocations;
    const second = await signIn(alice.email, alice.password);
    expect(second.AuthenticationResult?.AccessToken).toBeTruthy();
    expect(stack.lambda.stats.invocations).toBe(before);
    // Cognito itself now checks the password; the emulator names the refusal InvalidPasswordException.
    await expect(signIn(alice.email, 'wrong password')).rejects.toThrow(/Invalid password|Incorrect username or password|not authorized/i);
  });

  it('answers a ForgotPassword trigger sent to the Lambda Invoke API', async () => {
    const event = {
      version: '1', triggerSource: 'UserMigration_ForgotPassword', region: 'local', userPoolId: stack.userPoolId, userName: carol.email,
      callerContext: { awsSdkVersion: 'test', clientId: stack.clientId }, request: {}, response: {},
    };
    const res = await fetch(`${stack.lambda.url}/2015-03-31/functions/${FUNCTION_NAME}/invocations`, { method: 'POST', body: JSON.stringify(event) });
    expect(res.headers.get('x-amz-function-error')).toBeNull();
    const body = (await res.json()) as { response: { userAttributes: Record<string, string> } };
    expect(body.response.userAttributes).toMatchObject({ email: carol.email, email_verified: 'true' });
    const unknown = await fetch(`${stack.lambda.url}/2015-03-31/functions/${FUNCTION_NAME}/invocations`, { method: 'POST', body: JSON.stringify({ ...event, userName: 'x@example.com' }) });
    expect(unknown.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(((await unknown.json()) as { errorMessage: string }).errorMessage).toBe(PUBLIC_MESSAGES.rejected);
  });

  it('logged every invocation as JSON without a password', () => {
    const records = logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l));
    expect(records.some((r) => r.outcome === 'migrated')).toBe(true);
    const all = logs.join('\n');
    for (const u of DEMO_USERS) expect(all).not.toContain(u.password);
  });
});
