import {
  AdminGetUserCommand, AdminInitiateAuthCommand, AdminRespondToAuthChallengeCommand, CodeMismatchException, CognitoIdentityProviderClient,
  ListUsersCommand, NotAuthorizedException, PasswordResetRequiredException, UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCognitoStore } from '../../../adapters/cognito/index.js';
import { StoreUnavailableError, type StoreContext } from '../../../src/index.js';

const idp = mockClient(CognitoIdentityProviderClient);
afterEach(() => idp.reset());
const ctx = (): StoreContext => ({ signal: new AbortController().signal, deadline: Date.now() + 3000, remainingMs: () => 3000 });
const q = { login: 'ada', matchEmail: false, caseInsensitive: false };
const store = (extra = {}) => createCognitoStore({ userPoolId: 'eu-west-1_OLD', clientId: 'client1', client: new CognitoIdentityProviderClient({ region: 'eu-west-1' }), ...extra });
const existing = {
  Username: 'ada', Enabled: true, UserStatus: 'CONFIRMED' as const,
  UserAttributes: [{ Name: 'sub', Value: 'old-sub-1' }, { Name: 'email', Value: 'ada@example.com' }, { Name: 'identities', Value: '[]' }, { Name: 'custom:tier', Value: 'gold' }],
};

describe('Cognito store: what the old pool may answer', () => {
  it('tokens: migrated, with sub as the legacy id and sub/identities dropped', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: 'x' } });
    idp.on(AdminGetUserCommand).resolves(existing);
    const r = await store({ dropAttributes: ['custom:tier'] }).authenticate!(q, 'pw', ctx());
    expect(r).toEqual({ outcome: 'ok', user: { id: 'old-sub-1', enabled: true, fields: { username: 'ada', email: 'ada@example.com' } } });
  });

  it('NEW_PASSWORD_REQUIRED: migrated with the user forced to reset', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    idp.on(AdminGetUserCommand).resolves({ ...existing, UserStatus: 'FORCE_CHANGE_PASSWORD' as const });
    const r = await store().authenticate!(q, 'pw', ctx());
    expect(r.outcome === 'ok' && r.user.mustResetPassword).toBe(true);
  });

  it('SMS_MFA: the password was right, so migrated, with SMS MFA carried over', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: 's' });
    idp.on(AdminGetUserCommand).resolves(existing);
    const r = await store().authenticate!(q, 'pw', ctx());
    expect(r.outcome === 'ok' && r.user.smsMfa).toBe(true);
  });

  it('a custom challenge does not prove the password: an operator-facing outage', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 's' });
    idp.on(AdminGetUserCommand).resolves(existing);
    await expect(store().authenticate!(q, 'pw', ctx())).rejects.toThrow(/CUSTOM_CHALLENGE challenge, which does not prove the password/);
  });

  it('PasswordResetRequiredException: refused as reset_required', async () => {
    idp.on(AdminInitiateAuthCommand).rejects(new PasswordResetRequiredException({ message: 'Password reset required for the user', $metadata: {} }));
    idp.on(AdminGetUserCommand).resolves(existing);
    expect(await store().authenticate!(q, 'pw', ctx())).toEqual({ outcome: 'reset_required' });
  });

  it('NotAuthorizedException is told apart with AdminGetUser: wrong password, disabled, unknown', async () => {
    idp.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));
    idp.on(AdminGetUserCommand).resolvesOnce(existing).resolvesOnce({ ...existing, Enabled: false }).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    const s = store();
    expect(await s.authenticate!(q, 'pw', ctx())).toEqual({ outcome: 'wrong_password' });
    expect(await s.authenticate!(q, 'pw', ctx())).toEqual({ outcome: 'user_disabled' });
    expect(await s.authenticate!(q, 'pw', ctx())).toEqual({ outcome: 'unknown_user' });
  });

  it('AccessDeniedException and throttling are outages that name the cause, never a wrong password', async () => {
    const denied = Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cognito-idp:AdminInitiateAuth'), { name: 'AccessDeniedException' });
    idp.on(AdminInitiateAuthCommand).rejects(denied);
    const err = await store().authenticate!(q, 'pw', ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/may not call cognito-idp:AdminInitiateAuth on eu-west-1_OLD/);
    idp.on(AdminInitiateAuthCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(store().authenticate!(q, 'pw', ctx())).rejects.toThrow(/throttled/);
  });

  it('sends SECRET_HASH when the old client has a secret, and never the password anywhere else', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: 'x' } });
    idp.on(AdminGetUserCommand).resolves(existing);
    await store({ clientSecret: 'client-secret' }).authenticate!(q, 'pw', ctx());
    const params = idp.commandCalls(AdminInitiateAuthCommand)[0]!.args[0].input.AuthParameters!;
    expect(params.SECRET_HASH).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(idp.commandCalls(AdminGetUserCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'eu-west-1_OLD', Username: 'ada' });
  });

  it('reads the client secret through a function (Secrets Manager) once', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: 'x' } });
    idp.on(AdminGetUserCommand).resolves(existing);
    let reads = 0;
    const s = store({ clientSecret: async () => (reads++, 'client-secret') });
    await s.authenticate!(q, 'pw', ctx());
    await s.authenticate!(q, 'pw', ctx());
    expect(reads).toBe(1);
    expect(idp.commandCalls(AdminInitiateAuthCommand)[1]!.args[0].input.AuthParameters!.SECRET_HASH).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('warm() reads the secret once ahead of the first sign-in, sends nothing but an already-aborted AdminGetUser, and never rejects (issue 35)', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: 'x' } });
    idp.on(AdminGetUserCommand).resolves(existing);
    let reads = 0;
    const s = store({ clientSecret: async () => (reads++, 'client-secret') });
    await s.warm();
    expect(reads).toBe(1);
    expect(idp.calls()).toHaveLength(1);
    expect((idp.call(0).args as unknown[])[1]).toMatchObject({ abortSignal: { aborted: true } });
    await s.authenticate!(q, 'pw', ctx());
    expect(reads).toBe(1);
    await expect(store({ clientSecret: async () => { throw new Error('AccessDenied'); } }).warm()).resolves.toBeUndefined();
  });

  it.each([
    [{ userPoolId: 'not a pool', clientId: 'c' }, /"userPoolId" must be a user pool id/],
    [{ userPoolId: 'eu-west-1_OLD' }, /"clientId" is required/],
    [{ userPoolId: 'eu-west-1_OLD', clientId: 'c', roleArm: 'x' }, /unknown option "roleArm". Did you mean "roleArn"/],
  ])('rejects bad options %o', (options, message) => {
    expect(() => createCognitoStore(options as never)).toThrow(message);
  });
});

describe('Cognito store: never weaker than the old pool (TOTP), and the same calls for every login', () => {
  const withCode = (code?: string): StoreContext => ({ ...ctx(), ...(code ? { clientMetadata: { legacy_totp_code: code } } : {}) });

  it('SOFTWARE_TOKEN_MFA without a code: refused as mfa_required, not migrated on the password alone', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' });
    idp.on(AdminGetUserCommand).resolves(existing);
    expect(await store().authenticate!(q, 'pw', withCode())).toEqual({ outcome: 'mfa_required' });
    expect(idp.commandCalls(AdminRespondToAuthChallengeCommand)).toHaveLength(0);
  });

  it('SOFTWARE_TOKEN_MFA with a code the old pool refuses: mfa_required', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' });
    idp.on(AdminGetUserCommand).resolves(existing);
    idp.on(AdminRespondToAuthChallengeCommand).rejects(new CodeMismatchException({ message: 'Invalid code received for user', $metadata: {} }));
    expect(await store().authenticate!(q, 'pw', withCode('123456'))).toEqual({ outcome: 'mfa_required' });
  });

  it('SOFTWARE_TOKEN_MFA (and SELECT_MFA_TYPE) with a code the old pool accepts: migrated', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SELECT_MFA_TYPE', Session: 's1' });
    idp.on(AdminGetUserCommand).resolves(existing);
    idp.on(AdminRespondToAuthChallengeCommand)
      .resolvesOnce({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's2' })
      .resolvesOnce({ AuthenticationResult: { AccessToken: 'x' } });
    expect((await store().authenticate!(q, 'pw', withCode('654321'))).outcome).toBe('ok');
    const calls = idp.commandCalls(AdminRespondToAuthChallengeCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ ChallengeName: 'SELECT_MFA_TYPE', Session: 's1', ChallengeResponses: { ANSWER: 'SOFTWARE_TOKEN_MFA' } });
    expect(calls[1]).toMatchObject({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's2', ChallengeResponses: { SOFTWARE_TOKEN_MFA_CODE: '654321', USERNAME: 'ada' } });
  });

  it('attack: with a code given, the right password, a wrong one and an unknown login make the same calls (one code answer each)', async () => {
    const sequence = async (setup: () => void) => {
      idp.reset();
      setup();
      await store().authenticate!(q, 'pw', withCode('123456'));
      return idp.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    };
    const right = await sequence(() => {
      idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' });
      idp.on(AdminGetUserCommand).resolves(existing);
      idp.on(AdminRespondToAuthChallengeCommand).resolves({ AuthenticationResult: { AccessToken: 'x' } });
    });
    const wrong = await sequence(() => {
      idp.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));
      idp.on(AdminGetUserCommand).resolves(existing);
      idp.on(AdminRespondToAuthChallengeCommand).rejects(new NotAuthorizedException({ message: 'Invalid session for the user.', $metadata: {} }));
    });
    const unknown = await sequence(() => {
      idp.on(AdminInitiateAuthCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
      idp.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
      idp.on(AdminRespondToAuthChallengeCommand).rejects(new NotAuthorizedException({ message: 'Invalid session for the user.', $metadata: {} }));
    });
    expect(right).toEqual(['AdminInitiateAuthCommand', 'AdminGetUserCommand', 'AdminRespondToAuthChallengeCommand']);
    expect(wrong).toEqual(right);
    expect(unknown).toEqual(right);
    // Without a code nothing is answered, right password or wrong.
    const plain = async () => {
      idp.reset();
      idp.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));
      idp.on(AdminGetUserCommand).resolves(existing);
      await store().authenticate!(q, 'pw', withCode());
      return idp.commandCalls(AdminRespondToAuthChallengeCommand).length;
    };
    expect(await plain()).toBe(0);
  });

  it('EMAIL_OTP: refused as mfa_required', async () => {
    idp.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'EMAIL_OTP', Session: 's' });
    idp.on(AdminGetUserCommand).resolves(existing);
    expect(await store().authenticate!(q, 'pw', ctx())).toEqual({ outcome: 'mfa_required' });
  });

  it('makes the same calls, in the same order, for a known and an unknown login, by username and by email', async () => {
    const calls = async (login: string, known: boolean, matchEmail: boolean) => {
      idp.reset();
      idp.on(AdminInitiateAuthCommand).rejects(new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} }));
      if (known) idp.on(AdminGetUserCommand).resolves(existing);
      else idp.on(AdminGetUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
      idp.on(ListUsersCommand).resolves({ Users: known ? [{ Username: 'ada' }] : [] });
      const r = await store().authenticate!({ login, matchEmail, caseInsensitive: false }, 'wrong', ctx());
      expect(r.outcome).toBe(known ? 'wrong_password' : 'unknown_user');
      return idp.calls().map((c) => (c.args[0] as object).constructor.name);
    };
    const byName = [await calls('ada', true, false), await calls('nobody', false, false)];
    expect(byName[0]).toEqual(byName[1]);
    expect(byName[0]).toEqual(['AdminInitiateAuthCommand', 'AdminGetUserCommand']);
    const byMail = [await calls('ada@example.com', true, true), await calls('nobody@example.com', false, true)];
    expect(byMail[0]).toEqual(byMail[1]);
    expect(byMail[0]).toEqual(['ListUsersCommand', 'AdminInitiateAuthCommand', 'AdminGetUserCommand']);
  });
});
