// A user's whole lifecycle through cognito-local, with the built PostgreSQL
// function as UserMigration, Post authentication and Post confirmation trigger:
// migrate on first sign-in, complete (sub written back, groups from legacy
// roles, the mark), cost nothing afterwards, and never come back as a second
// account: not after an email change, not after a deletion, unless
// REMIGRATE=if-absent and the user is gone.
import {
  AdminConfirmSignUpCommand, AdminCreateUserCommand, AdminDeleteUserCommand, SignUpCommand, AdminGetUserCommand, AdminListGroupsForUserCommand, AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand, ForgotPasswordCommand, InitiateAuthCommand, ListUsersCommand, NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { FUNCTION_NAME, startLocalStack } from '../../scripts/lib/stack.mjs';
import { databaseUrl, sql } from '../support/database.js';

const [alice, , carol] = DEMO_USERS as [typeof DEMO_USERS[0], typeof DEMO_USERS[0], typeof DEMO_USERS[0]];
type Stack = Awaited<ReturnType<typeof startLocalStack>>;

async function start(env: Record<string, string>, logs: string[]): Promise<Stack> {
  process.env.DATABASE_URL = databaseUrl();
  const stack = await startLocalStack({ schema: `e2e_done_${randomBytes(4).toString('hex')}`, completion: true, functionEnv: env, onLog: (line) => logs.push(line) });
  // Three roles each: two the stack's GROUP_MAP names, one it does not.
  await query(stack, `UPDATE ${stack.table} SET roles = '{ROLE_ADMIN,ROLE_SUPPORT,ROLE_UNMAPPED}'`);
  return stack;
}

const query = (stack: Stack, text: string, values: unknown[] = []): Promise<any[]> => sql(text, values, stack.db.url);

const signIn = (stack: Stack, username: string, password: string) =>
  stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } }));

async function poolUser(stack: Stack, username: string) {
  const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: username }));
  return { username: user.Username!, attributes: Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name!, a.Value!])) };
}

const records = (logs: string[]) => logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a user\'s lifecycle through cognito-local (REMIGRATE=never)', () => {
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    stack = await start({}, logs);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the first sign-in migrates and completes: the row learns the sub, legacy roles become groups, the user is marked', async () => {
    const first = await signIn(stack, alice.email, alice.password);
    expect(first.AuthenticationResult?.IdToken).toBeTruthy();
    const user = await poolUser(stack, alice.email);
    expect(user.attributes.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.attributes['custom:migrated_at']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const [row] = await query(stack, `SELECT cognito_sub, cognito_linked_at FROM ${stack.table} WHERE username = $1`, [alice.username]);
    expect(row).toMatchObject({ cognito_sub: user.attributes.sub, cognito_linked_at: expect.any(Date) });
    const groups = await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: user.username }));
    expect((groups.Groups ?? []).map((g) => g.GroupName).sort()).toEqual(['admins', 'support']);
    expect(records(logs).filter((r) => r.outcome === 'completed')).toHaveLength(1);
  });

  it('a second sign-in makes no store call: it completes with the legacy table gone', async () => {
    await query(stack, `ALTER TABLE ${stack.table} RENAME TO users_away`);
    try {
      const before = records(logs).length;
      const invocations = stack.lambda.stats.invocations;
      const second = await signIn(stack, alice.email, alice.password);
      expect(second.AuthenticationResult?.AccessToken).toBeTruthy();
      // Post authentication ran, and had nothing to do: no record, no warning.
      expect(stack.lambda.stats.invocations).toBe(invocations + 1);
      expect(records(logs).slice(before)).toEqual([]);
    } finally {
      await query(stack, `ALTER TABLE ${stack.table.split('.')[0]}.users_away RENAME TO users`);
    }
  });

  it('the old email after an email change is refused, and no second user exists', async () => {
    const { username } = await poolUser(stack, alice.email);
    await stack.idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: stack.userPoolId, Username: username, UserAttributes: [{ Name: 'email', Value: 'alice.new@example.com' }] }));
    await expect(signIn(stack, alice.email, alice.password)).rejects.toBeInstanceOf(NotAuthorizedException);
    const users = await stack.idp.send(new ListUsersCommand({ UserPoolId: stack.userPoolId }));
    expect(users.Users).toHaveLength(1);
    expect(records(logs).filter((r) => r.outcome === 'already_migrated').at(-1)).toMatchObject({ level: 'WARN', cognitoSub: expect.any(String) });
  });

  it('a user deleted from the pool stays deleted', async () => {
    const { username } = await poolUser(stack, 'alice.new@example.com');
    await stack.idp.send(new AdminDeleteUserCommand({ UserPoolId: stack.userPoolId, Username: username }));
    await expect(signIn(stack, alice.email, alice.password)).rejects.toBeInstanceOf(NotAuthorizedException);
    expect((await stack.idp.send(new ListUsersCommand({ UserPoolId: stack.userPoolId }))).Users).toHaveLength(0);
  });

  it('a ForgotPassword migration completes after ConfirmForgotPassword (Post confirmation)', async () => {
    // cognito-local's ForgotPassword does not call UserMigration; this stand-in does what Cognito does for an
    // unknown login (developer guide, "Migrate user Lambda trigger", UserMigration_ForgotPassword): invoke the
    // trigger, then create the user from its answer. Everything after that is cognito-local's own.
    const event = {
      version: '1', triggerSource: 'UserMigration_ForgotPassword', region: 'local', userPoolId: stack.userPoolId, userName: carol.email,
      callerContext: { awsSdkVersion: 'test', clientId: stack.clientId }, request: {}, response: {},
    };
    const res = await fetch(`${stack.lambda.url}/2015-03-31/functions/${FUNCTION_NAME}/invocations`, { method: 'POST', body: JSON.stringify(event) });
    expect(res.headers.get('x-amz-function-error')).toBeNull();
    const answer = (await res.json()) as { response: { userAttributes: Record<string, string> } };
    await stack.idp.send(new AdminCreateUserCommand({
      UserPoolId: stack.userPoolId, Username: carol.email, MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries(answer.response.userAttributes).map(([Name, Value]) => ({ Name, Value })),
    }));
    await stack.idp.send(new ForgotPasswordCommand({ ClientId: stack.clientId, Username: carol.email }));
    const { username, attributes } = await poolUser(stack, carol.email);
    const db = JSON.parse(await readFile(join(stack.cognito.dir, '.cognito', 'db', `${stack.userPoolId}.json`), 'utf8')) as { Users: Record<string, { ConfirmationCode?: string }> };
    const code = db.Users[username]!.ConfirmationCode!;
    await stack.idp.send(new ConfirmForgotPasswordCommand({ ClientId: stack.clientId, Username: carol.email, ConfirmationCode: code, Password: 'a new password 9' }));
    const [row] = await query(stack, `SELECT cognito_sub FROM ${stack.table} WHERE username = $1`, [carol.username]);
    expect(row?.cognito_sub).toBe(attributes.sub);
    expect((await poolUser(stack, carol.email)).attributes['custom:migrated_at']).toBeTruthy();
    expect(records(logs).filter((r) => r.outcome === 'completed' && r.triggerSource === 'PostConfirmation_ConfirmForgotPassword')).toHaveLength(1);
  });

  it('logged no password, and no legacy role', () => {
    const all = logs.join('\n');
    for (const u of DEMO_USERS) expect(all).not.toContain(u.password);
    expect(all).not.toContain('ROLE_');
  });
});

describe('REMIGRATE=if-absent through cognito-local', () => {
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    stack = await start({ REMIGRATE: 'if-absent' }, logs);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses the old email while the user exists, and migrates again, relinking the row, once the user is deleted', async () => {
    await signIn(stack, alice.email, alice.password);
    const first = await poolUser(stack, alice.email);
    await stack.idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: stack.userPoolId, Username: first.username, UserAttributes: [{ Name: 'email', Value: 'alice.new@example.com' }] }));
    await expect(signIn(stack, alice.email, alice.password)).rejects.toBeInstanceOf(NotAuthorizedException);
    await stack.idp.send(new AdminDeleteUserCommand({ UserPoolId: stack.userPoolId, Username: first.username }));
    const again = await signIn(stack, alice.email, alice.password);
    expect(again.AuthenticationResult?.IdToken).toBeTruthy();
    const second = await poolUser(stack, alice.email);
    expect(second.attributes.sub).not.toBe(first.attributes.sub);
    const [row] = await query(stack, `SELECT cognito_sub FROM ${stack.table} WHERE username = $1`, [alice.username]);
    expect(row?.cognito_sub).toBe(second.attributes.sub);
    expect(records(logs).filter((r) => r.outcome === 'completed')).toHaveLength(2);
  });
});

describe('a self sign-up cannot take a legacy row (issue 32) through cognito-local', () => {
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    stack = await start({}, logs);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('Mallory signs up with Ada\'s legacy id (and a made-up proof), is confirmed and signs in: no row, no group; Ada then migrates and completes', async () => {
    const [{ id }] = await query(stack, `SELECT id::text AS id FROM ${stack.table} WHERE username = $1`, [alice.username]);
    const mallory = 'mallory@example.com';
    // As a pool whose client may write custom attributes at sign-up lets her (an immutable attribute is still written at creation).
    await stack.idp.send(new SignUpCommand({
      ClientId: stack.clientId, Username: mallory, Password: 'Mallory-pass-1',
      UserAttributes: [{ Name: 'email', Value: mallory }, { Name: 'custom:legacy_id', Value: String(id) }, { Name: 'custom:legacy_proof', Value: 'v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    }));
    await stack.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: mallory }));
    const hers = await signIn(stack, mallory, 'Mallory-pass-1');
    expect(hers.AuthenticationResult?.IdToken).toBeTruthy();
    const [before] = await query(stack, `SELECT cognito_sub FROM ${stack.table} WHERE username = $1`, [alice.username]);
    expect(before?.cognito_sub).toBeNull();
    const { username: malloryName } = await poolUser(stack, mallory);
    expect((await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: malloryName }))).Groups ?? []).toEqual([]);
    expect((await poolUser(stack, mallory)).attributes['custom:migrated_at']).toBeUndefined();
    expect(records(logs).filter((r) => r.outcome === 'completion_unproven')).toHaveLength(1);

    // The owner's own sign-in migrates the row and completes it.
    await signIn(stack, alice.email, alice.password);
    const ada = await poolUser(stack, alice.email);
    const [after] = await query(stack, `SELECT cognito_sub FROM ${stack.table} WHERE username = $1`, [alice.username]);
    expect(after?.cognito_sub).toBe(ada.attributes.sub);
    const groups = await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: ada.username }));
    expect((groups.Groups ?? []).map((g) => g.GroupName).sort()).toEqual(['admins', 'support']);
    // Mallory's next sign-in still takes nothing.
    await signIn(stack, mallory, 'Mallory-pass-1');
    expect(records(logs).filter((r) => r.outcome === 'completion_unproven')).toHaveLength(2);
    expect((await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: malloryName }))).Groups ?? []).toEqual([]);
  });
});
