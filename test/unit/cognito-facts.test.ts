// One test per row of README's "Cognito facts this project relies on": each
// checks that the code does what that fact, from the AWS developer guide or API
// reference, asks of it. Events are built as the documents lay them out (the
// sample events in events/ are the documented shapes). Where cognito-local can
// send the event, the same behaviour is also tested through it (the table
// names those tests).
import {
  AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminLinkProviderForUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CreateGroupCommand, DescribeUserPoolCommand, ListUserPoolReplicasCommand, ListUsersCommand, ResourceNotFoundException, GroupExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import bcrypt from 'bcryptjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { clientCheck } from '../../scripts/doctor/static.js';
import { poolClients, replicaOnline } from '../../scripts/doctor/online.js';
import { CREATION_PROOF_KEY, attemptRetry, creationProof, linkProof } from '../../src/link-proof.js';
import { identityCandidates } from '../../src/federation.js';
import { coldStartElapsed } from '../../src/migration.js';
import { FALLBACK_FLOW, amplifySignInWithMigration, isLinkedFirstSignIn, isUnknownUserRefusal } from '../../src/client/index.js';
import { groupsFor } from '../../src/completion.js';
import { PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { cognitoPoolAdmin } from '../../src/pool-admin.js';
import { TEST_LINK_KEY, captureLogger, countMetrics, lambdaContext } from '../support/fakes.js';

const root = join(import.meta.dirname, '..', '..');
const event = async (name: string) => JSON.parse(await readFile(join(root, 'events', name), 'utf8'));
const hash = bcrypt.hashSync('correct horse battery staple', 4);
const idp = mockClient(CognitoIdentityProviderClient);
afterEach(() => idp.reset());

function handlerWith(store: UserStore, extra: object = {}) {
  const m = countMetrics();
  const pool = { addToGroup: async () => 'added' as const, createGroup: async () => {}, setAttributes: async () => {}, hasSub: async () => false };
  return { handler: createUserMigrationHandler({ store, verifyWorker: false, logger: captureLogger().logger, metrics: m.metrics, pool, attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' }, completion: { linkKey: TEST_LINK_KEY }, ...extra }), counts: m.counts };
}
const alice = () => createMemoryStore([{ username: 'alice@example.com', id: '1', passwordHash: hash, roles: ['r'], fields: { email: 'alice@example.com', email_verified: true } }]);

describe('Cognito facts (README, "Cognito facts this project relies on")', () => {
  it('F01 the User migration event, both sources, and the response fields the handler fills', async () => {
    const { handler } = handlerWith(alice());
    const signIn = await handler(await event('authentication.json'), lambdaContext());
    expect(Object.keys(signIn.response).sort()).toEqual(['desiredDeliveryMediums', 'enableSMSMFA', 'finalUserStatus', 'forceAliasCreation', 'messageAction', 'userAttributes']);
    expect(signIn.response).toMatchObject({ finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS', userAttributes: { email: 'alice@example.com', 'custom:legacy_id': '1' } });
    const forgot = await handler(await event('forgot-password.json'), lambdaContext());
    expect(forgot.response.userAttributes.email).toBe('alice@example.com');
    expect(forgot.request.password).toBeUndefined();
  });

  it('F02 InitiateAuth ClientMetadata arrives as validationData on UserMigration_Authentication, and the store gets it from there', async () => {
    let seen: unknown;
    const store: UserStore = { name: 'm', findUser: async () => undefined, authenticate: async (_q, _p, ctx) => ((seen = ctx.clientMetadata), { outcome: 'unknown_user' }) };
    const e = await event('authentication.json');
    e.request.validationData = { legacy_totp_code: '123456' };
    e.request.clientMetadata = { wrong_place: 'x' };
    await handlerWith(store).handler(e, lambdaContext()).catch(() => {});
    expect(seen).toEqual({ legacy_totp_code: '123456' });
  });

  it('F03 ForgotPassword ClientMetadata arrives as clientMetadata on UserMigration_ForgotPassword', async () => {
    let seen: unknown;
    const store: UserStore = { name: 'm', findUser: async (_q, ctx) => ((seen = ctx.clientMetadata), undefined) };
    const e = await event('forgot-password.json');
    e.request.clientMetadata = { source: 'reset-form' };
    e.request.validationData = { wrong_place: 'x' };
    await handlerWith(store).handler(e, lambdaContext()).catch(() => {});
    expect(seen).toEqual({ source: 'reset-form' });
  });

  it('F04 Post authentication: userAttributes (sub, custom ones) and newDeviceUsed; the completion reads only them and never fails the sign-in', async () => {
    const e = await event('post-authentication.json');
    expect(Object.keys(e.request).sort()).toEqual(['newDeviceUsed', 'userAttributes']);
    const { handler, counts } = handlerWith(alice());
    expect(await handler(e, lambdaContext())).toEqual(await event('post-authentication.json'));
    expect(Object.fromEntries(counts)).toEqual({ completed: 1 });
    const broken: UserStore = { name: 'b', findUser: async () => undefined, linkAccount: async () => { throw new Error('down'); } };
    await expect(handlerWith(broken).handler(e, lambdaContext())).resolves.toBeDefined();
  });

  it('F05 Post confirmation on ConfirmForgotPassword completes; on ConfirmSignUp it has nothing to do', async () => {
    const { handler, counts } = handlerWith(alice());
    await handler(await event('post-confirmation-forgot-password.json'), lambdaContext());
    const signUp = { ...(await event('post-confirmation-forgot-password.json')), triggerSource: 'PostConfirmation_ConfirmSignUp' };
    expect(await handler(signUp, lambdaContext())).toEqual(signUp);
    expect(Object.fromEntries(counts)).toEqual({ completed: 1 });
  });

  it('F06 Pre sign-up runs for AdminCreateUser too: doctor names a Pre sign-up trigger as one that must accept users it did not sign up', async () => {
    const { poolPitfalls } = await import('../../scripts/doctor/pool.js');
    const found = poolPitfalls({ Id: 'p', LambdaConfig: { PreSignUp: 'arn:aws:lambda:r:1:function:signup' } }, {}, () => false).find((r) => r.id === 'pool.other-trigger');
    expect(found?.message).toMatch(/PreSignUp_AdminCreateUser/);
  });

  it('F07 the client falls back only on the answers Cognito gives an unknown user, with or without PreventUserExistenceErrors', async () => {
    expect(isUnknownUserRefusal({ name: 'UserNotFoundException', message: 'User does not exist.' })).toBe(true);
    expect(isUnknownUserRefusal({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' })).toBe(true);
    expect(isUnknownUserRefusal({ name: 'NotAuthorizedException', message: 'User is disabled.' })).toBe(false);
  });

  it('F08 every refusal the trigger throws carries the one public text Cognito passes on to the app', async () => {
    const { handler } = handlerWith(alice());
    const e = await event('authentication.json');
    e.request.password = 'wrong';
    await expect(handler(e, lambdaContext())).rejects.toThrow(new Error(PUBLIC_MESSAGES.rejected));
    e.userName = 'nobody@example.com';
    await expect(handler(e, lambdaContext())).rejects.toThrow(new Error(PUBLIC_MESSAGES.rejected));
  });

  it('F09 only USER_PASSWORD_AUTH reaches the trigger: the client falls back to it, and doctor fails an SRP-only client', async () => {
    expect(FALLBACK_FLOW).toBe('USER_PASSWORD_AUTH');
    const flows: unknown[] = [];
    await amplifySignInWithMigration(async (input) => {
      flows.push(input.options?.authFlowType);
      if (flows.length === 1) throw Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
      return 'ok';
    }, { username: 'a', password: 'p' });
    expect(flows).toEqual([undefined, 'USER_PASSWORD_AUTH']);
    expect(clientCheck('app', ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH']).status).toBe('fail');
  });

  it('F10 doctor reads an app client\'s WriteAttributes as DescribeUserPoolClient answers them', async () => {
    const client = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const { ListUserPoolClientsCommand, DescribeUserPoolClientCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    idp.on(ListUserPoolClientsCommand).resolves({ UserPoolClients: [{ ClientId: 'c1', ClientName: 'web' }] });
    idp.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: 'c1', ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'], WriteAttributes: ['email', 'custom:legacy_id'] } });
    expect(await poolClients(client, 'eu-west-1_X')).toEqual([{ name: 'web (c1)', flows: ['ALLOW_USER_PASSWORD_AUTH'], writeAttributes: ['email', 'custom:legacy_id'] }]);
    // A client that declares none: told apart from one that declares some, since the documents disagree on that default.
    idp.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: 'c1', ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] } });
    expect(await poolClients(client, 'eu-west-1_X')).toEqual([{ name: 'web (c1)', flows: ['ALLOW_USER_PASSWORD_AUTH'] }]);
  });

  it('F11 the pool is asked about a sub with ListUsers\' filter on sub, and only a UUID reaches the filter', async () => {
    idp.on(ListUsersCommand).resolves({ Users: [{ Username: 'u' }] });
    const pool = cognitoPoolAdmin(new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    expect(await pool.hasSub('eu-west-1_X', '6f1c2b9e-3d4a-4b5c-8d7e-9f0a1b2c3d4e', { signal: new AbortController().signal })).toBe(true);
    expect(idp.commandCalls(ListUsersCommand)[0]!.args[0].input).toMatchObject({ Filter: 'sub = "6f1c2b9e-3d4a-4b5c-8d7e-9f0a1b2c3d4e"', AttributesToGet: ['sub'] });
    // Not a sub: never sent, and counted as a user still there (issue 32), so the row is not migrated a second time.
    expect(await pool.hasSub('eu-west-1_X', 'x" or "1', { signal: new AbortController().signal })).toBe(true);
    expect(idp.commandCalls(ListUsersCommand)).toHaveLength(1);
  });

  it('F12 group names follow CreateGroup\'s pattern; an existing group counts as created; a missing one is "missing", not an error', async () => {
    expect(groupsFor(['a b', 'ok', 'x'.repeat(129), 'émigré'], { unmappedRoles: 'same-name' })).toEqual(['ok', 'émigré']);
    idp.on(CreateGroupCommand).rejects(new GroupExistsException({ message: 'A group with the name already exists.', $metadata: {} }));
    idp.on(AdminAddUserToGroupCommand).rejects(new ResourceNotFoundException({ message: 'Group not found.', $metadata: {} }));
    const pool = cognitoPoolAdmin(new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const signal = new AbortController().signal;
    await expect(pool.createGroup('eu-west-1_X', 'admins', { signal })).resolves.toBeUndefined();
    expect(await pool.addToGroup('eu-west-1_X', 'u', 'admins', { signal })).toBe('missing');
  });

  it('F13 a SECONDARY replica of a multi-Region pool creates no user: doctor fails it, and warns on a primary that has replicas', async () => {
    const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    idp.on(ListUserPoolReplicasCommand).resolves({ UserPoolReplicas: [{ RegionName: 'us-east-1', Role: 'PRIMARY', Status: 'ACTIVE' }, { RegionName: 'eu-west-1', Role: 'SECONDARY', Status: 'ACTIVE' }] });
    expect(await replicaOnline(cognito, 'p', 'eu-west-1')).toMatchObject({ status: 'fail', message: expect.stringMatching(/SECONDARY replica in eu-west-1: it cannot create users/), fix: expect.stringMatching(/us-east-1/) });
    expect(await replicaOnline(cognito, 'p', 'us-east-1')).toMatchObject({ status: 'warn', message: expect.stringMatching(/replicated to eu-west-1/) });
    idp.on(ListUserPoolReplicasCommand).resolves({ UserPoolReplicas: [] });
    expect((await replicaOnline(cognito, 'p', 'us-east-1')).status).toBe('pass');
  });

  it('F14 Cognito does not apply the pool\'s password policy to a migrated password: the function reads it (DescribeUserPool, PasswordPolicyType) and answers RESET_REQUIRED under reset', async () => {
    idp.on(DescribeUserPoolCommand).resolves({ UserPool: { Policies: { PasswordPolicy: { MinimumLength: 40, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } } } });
    const pool = cognitoPoolAdmin(new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    expect(await pool.passwordPolicy!('eu-west-1_X', { signal: new AbortController().signal })).toEqual({ MinimumLength: 40, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false });
    const { handler } = handlerWith(alice(), { pool: { ...pool, addToGroup: async () => 'added' as const }, passwordPolicy: { mode: 'reset' } });
    const out = await handler(await event('authentication.json'), lambdaContext());
    expect(out.response.finalUserStatus).toBe('RESET_REQUIRED');
  });

  it('F15 Cognito retries a trigger that has not answered in 5 s with the same event: its retry counts once; an on-demand cold start\'s Init time comes out of the first budget', () => {
    const request = { userPoolId: 'p', clientId: 'c', userName: 'alice@example.com', password: 'pw' };
    const now = 1_800_000_000_000;
    // The retry 5 s or 10 s later matches the first delivery's key, in this window or across its end; another password never does.
    const first = attemptRetry(TEST_LINK_KEY, request, now);
    for (const at of [now + 5000, now + 10_000, now + 14_999]) {
      const later = attemptRetry(TEST_LINK_KEY, request, at);
      // The store holds the first delivery's key; a retry matches it as its own key or its previous window's.
      expect([later.key, later.previous]).toContain(first.key);
    }
    expect(attemptRetry(TEST_LINK_KEY, { ...request, password: 'other' }, now).key).not.toBe(first.key);
    expect(JSON.stringify(first)).not.toContain('pw');
    expect(coldStartElapsed({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }, true, 850)).toBe(850);
    expect(coldStartElapsed({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' }, false, 850)).toBe(0);
    expect(coldStartElapsed({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' }, true, 850)).toBe(0);
    expect(coldStartElapsed({}, true, 850)).toBe(0);
  });

  it('F16 AdminCreateUser hands its ClientMetadata to Pre sign-up: the function sends its creation proof there, with no invitation, then makes the user CONFIRMED; the guard reads it from request.clientMetadata', async () => {
    idp.on(AdminCreateUserCommand).resolves({ User: { Username: 'uuid-1', Attributes: [{ Name: 'sub', Value: 'sub-1' }] } });
    idp.on(AdminSetUserPasswordCommand).resolves({});
    const pool = cognitoPoolAdmin(new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
    const made = await pool.createUser!('eu-west-1_TEST', 'ada@example.com', { email: 'ada@example.com' }, { [CREATION_PROOF_KEY]: 'c1.x' }, { signal: new AbortController().signal });
    expect(made).toEqual({ username: 'uuid-1', sub: 'sub-1' });
    expect(idp.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({ MessageAction: 'SUPPRESS', ClientMetadata: { [CREATION_PROOF_KEY]: 'c1.x' } });
    expect(idp.commandCalls(AdminSetUserPasswordCommand)[0]!.args[0].input).toMatchObject({ Username: 'uuid-1', Permanent: true });
    idp.on(AdminCreateUserCommand).rejects(Object.assign(new Error('User account already exists'), { name: 'UsernameExistsException' }));
    expect(await pool.createUser!('eu-west-1_TEST', 'ada@example.com', {}, {}, { signal: new AbortController().signal })).toBe('exists');
    const { handler } = handlerWith(alice(), { completion: { linkKey: TEST_LINK_KEY } });
    const adminCreate = (clientMetadata: Record<string, string>) => ({
      version: '1', triggerSource: 'PreSignUp_AdminCreateUser', region: 'eu-west-1', userPoolId: 'eu-west-1_TEST', userName: 'new@example.com', callerContext: { awsSdkVersion: 'x', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
      request: { userAttributes: { email: 'new@example.com', 'custom:legacy_id': '1', 'custom:legacy_proof': linkProof(TEST_LINK_KEY, 'eu-west-1_TEST', '1') }, validationData: null, clientMetadata }, response: {},
    });
    await expect(handler(adminCreate({ [CREATION_PROOF_KEY]: creationProof(TEST_LINK_KEY, 'eu-west-1_TEST', '1') }) as never, lambdaContext())).resolves.toBeTruthy();
    await expect(handler(adminCreate({}) as never, lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.signUpTaken);
  });

  it('F17 a federated first sign-in: userName <provider>_<subject> is read at each underscore (social names in any case); the link is Cognito_Subject to a Cognito destination; the linked attempt ends with a text the client helper retries once', async () => {
    expect(identityCandidates('google_118')).toEqual([{ provider: 'Google', sub: '118' }]);
    expect(identityCandidates('Corp_SAML_jo')).toEqual([{ provider: 'Corp', sub: 'SAML_jo' }, { provider: 'Corp_SAML', sub: 'jo' }]);
    idp.on(AdminLinkProviderForUserCommand).resolves({});
    const pool = cognitoPoolAdmin(new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
    expect(await pool.linkProvider!('eu-west-1_TEST', 'uuid-1', { provider: 'Google', sub: '118' }, { signal: new AbortController().signal })).toBe('linked');
    expect(idp.commandCalls(AdminLinkProviderForUserCommand)[0]!.args[0].input).toEqual({ UserPoolId: 'eu-west-1_TEST', DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'uuid-1' }, SourceUser: { ProviderName: 'Google', ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: '118' } });
    idp.on(AdminLinkProviderForUserCommand).rejects(Object.assign(new Error('Merging is not currently supported'), { name: 'InvalidParameterException' }));
    expect(await pool.linkProvider!('eu-west-1_TEST', 'uuid-1', { provider: 'Google', sub: '118' }, { signal: new AbortController().signal })).toEqual({ refused: 'InvalidParameterException' });
    expect(isLinkedFirstSignIn('https://app.example.com/cb?error_description=Already+found+an+entry+for+username+Google_118&error=invalid_request')).toBe(true);
    expect(isLinkedFirstSignIn(`https://app.example.com/cb?error_description=${encodeURIComponent(`PreSignUp failed with error ${PUBLIC_MESSAGES.federatedLinked}.`)}`)).toBe(true);
  });

  it('every fact in README\'s table has its test here, and every test here a row there', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Cognito facts this project relies on'), readme.indexOf('### Password hash formats'));
    const rows = [...section.matchAll(/^\| (F\d\d) \|/gm)].map((m) => m[1]);
    const source = await readFile(new URL(import.meta.url), 'utf8');
    const tests = [...source.matchAll(/^ {2}it\('(F\d\d) /gm)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(tests).toEqual(rows);
  });
});
