// The sign-up door through cognito-local (issue 33): the built PostgreSQL
// function as the pool's Pre sign-up trigger (cognito-local calls it on
// SignUp, as Cognito does, with the user's attributes; developer guide, "Pre
// sign-up Lambda trigger"). A sign-up with a legacy user's email, in another
// case, is refused and nothing is created; an unrelated one works; the legacy
// owner still migrates with their password afterwards.
import { InitiateAuthCommand, ListUsersCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { startLocalStack } from '../../scripts/lib/stack.mjs';
import { PUBLIC_MESSAGES } from '../../src/errors.js';
import { databaseUrl } from '../support/database.js';

const carol = DEMO_USERS[2] as { email: string; password: string };
let stack: Awaited<ReturnType<typeof startLocalStack>>;
const logs: string[] = [];

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl();
  stack = await startLocalStack({ schema: `e2e_signup_${randomBytes(4).toString('hex')}`, signUpGuard: true, functionEnv: { MATCH_EMAIL: 'true', CASE_INSENSITIVE: 'true' }, onLog: (l) => logs.push(l) });
});
afterAll(async () => {
  await stack?.stop();
});

const emails = async () => ((await stack.idp.send(new ListUsersCommand({ UserPoolId: stack.userPoolId! }))).Users ?? []).map((u) => u.Attributes?.find((a) => a.Name === 'email')?.Value?.toLowerCase());

describe('the sign-up guard through cognito-local', () => {
  it('refuses a sign-up with a legacy email in another case, creating nothing; lets an unrelated one through; the owner then migrates', async () => {
    const squatter = carol.email.toUpperCase();
    const refused = await stack.idp.send(new SignUpCommand({ ClientId: stack.clientId!, Username: squatter, Password: 'Squatter-pass-1', UserAttributes: [{ Name: 'email', Value: squatter }] })).then(() => undefined, (e: Error) => e);
    expect(refused?.message).toContain(PUBLIC_MESSAGES.signUpTaken);
    expect(await emails()).not.toContain(carol.email.toLowerCase());

    const fresh = await stack.idp.send(new SignUpCommand({ ClientId: stack.clientId!, Username: 'newcomer@example.com', Password: 'Newcomer-pass-1', UserAttributes: [{ Name: 'email', Value: 'newcomer@example.com' }] }));
    expect(fresh.UserSub).toBeTruthy();
    expect(await emails()).toContain('newcomer@example.com');

    const signIn = await stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId!, AuthParameters: { USERNAME: carol.email, PASSWORD: carol.password } }));
    expect(signIn.AuthenticationResult?.IdToken).toBeTruthy();
    const records = logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const refusal = records.find((r) => r.outcome === 'signup_refused');
    expect(refusal).toMatchObject({ triggerSource: 'PreSignUp_SignUp', reason: 'legacy_login' });
    expect(JSON.stringify(refusal).toLowerCase()).not.toContain('carol');
  });
});
