// The client helper with the real amazon-cognito-identity-js against the local
// stack (cognito-local invoking the built bundle as UserMigration trigger).
// cognito-local has no SRP: test/support/srp-stand-in.ts answers the SRP calls
// as Cognito does and passes everything else through (why, in that file).
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { startLocalStack } from '../../scripts/lib/stack.mjs';
import { signInWithMigration } from '../../src/client/index.js';
import { databaseUrl } from '../support/database.js';
import { type SrpStandIn, startSrpStandIn } from '../support/srp-stand-in.js';

const [alice, , carol] = DEMO_USERS as [typeof DEMO_USERS[0], typeof DEMO_USERS[0], typeof DEMO_USERS[0]];
let stack: Awaited<ReturnType<typeof startLocalStack>>;
let prevent: SrpStandIn;
let revealing: SrpStandIn;

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl();
  stack = await startLocalStack({ schema: `client_${randomBytes(4).toString('hex')}` });
  prevent = await startSrpStandIn({ cognitoEndpoint: stack.cognito.endpoint!, userPoolId: stack.userPoolId!, preventUserExistenceErrors: true });
  revealing = await startSrpStandIn({ cognitoEndpoint: stack.cognito.endpoint!, userPoolId: stack.userPoolId!, preventUserExistenceErrors: false });
});
afterAll(async () => {
  await prevent?.close();
  await revealing?.close();
  await stack?.stop();
});
beforeEach(() => {
  prevent.calls.length = 0;
  revealing.calls.length = 0;
});

function signIn(standIn: SrpStandIn, username: string, password: string, options = {}) {
  const pool = new CognitoUserPool({ UserPoolId: stack.userPoolId!, ClientId: stack.clientId!, endpoint: standIn.url });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return signInWithMigration<CognitoUserSession>(user, new AuthenticationDetails({ Username: username, Password: password }), options);
}
const flows = (standIn: SrpStandIn) => standIn.calls.map((c) => `${c.target} ${c.flow ?? ''}`.trim());

describe('signInWithMigration with amazon-cognito-identity-js', () => {
  it('a legacy user: SRP is refused as for an unknown user, the one fallback fires the trigger, tokens come back', async () => {
    const outcome = await signIn(prevent, alice.email, alice.password);
    expect(outcome).toMatchObject({ kind: 'session', fellBack: true });
    if (outcome.kind !== 'session') throw new Error('no session');
    expect(outcome.session.getIdToken().getJwtToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*$/);
    expect(outcome.session.getIdToken().decodePayload().email).toBe(alice.email);
    expect(flows(prevent)).toEqual(['InitiateAuth USER_SRP_AUTH', 'InitiateAuth USER_PASSWORD_AUTH']);
  });

  it('the migrated user signs in again with SRP alone: no fallback', async () => {
    const outcome = await signIn(prevent, alice.email, alice.password);
    expect(outcome).toMatchObject({ kind: 'session', fellBack: false });
    expect(flows(prevent)).toEqual(['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);
  });

  it('a wrong password is refused after one fallback at most, for a migrated and for a legacy user', async () => {
    // Cognito answers NotAuthorizedException; the emulator names a wrong password of a pool user InvalidPasswordException.
    await expect(signIn(prevent, alice.email, 'wrong password')).rejects.toMatchObject({ code: expect.stringMatching(/^(NotAuthorizedException|InvalidPasswordException)$/) });
    expect(flows(prevent).filter((f) => f === 'InitiateAuth USER_PASSWORD_AUTH')).toHaveLength(1);
    prevent.calls.length = 0;
    await expect(signIn(revealing, carol.email, 'wrong password')).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    // The other error shape (UserNotFoundException, existence errors not prevented) falls back too, once.
    expect(flows(revealing)).toEqual(['InitiateAuth USER_SRP_AUTH', 'InitiateAuth USER_PASSWORD_AUTH']);
  });

  it('never falls back on an MFA challenge: the challenge goes back to the app', async () => {
    prevent.mfaUsers.add(alice.email);
    try {
      const outcome = await signIn(prevent, alice.email, alice.password);
      expect(outcome).toMatchObject({ kind: 'challenge', challengeName: 'SMS_MFA', fellBack: false });
      expect(flows(prevent)).toEqual(['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);
    } finally {
      prevent.mfaUsers.delete(alice.email);
    }
  });

  it('after fallbackUntil, sign-in is SRP only: the refusal reaches the app and the trigger is not called', async () => {
    const before = stack.lambda.stats.invocations;
    await expect(signIn(prevent, carol.email, carol.password, { fallbackUntil: '2020-01-01' })).rejects.toMatchObject({ code: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    expect(flows(prevent)).toEqual(['InitiateAuth USER_SRP_AUTH']);
    expect(stack.lambda.stats.invocations).toBe(before);
  });
});
