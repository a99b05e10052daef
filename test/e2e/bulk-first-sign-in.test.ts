// The bulk path's cheap completion through cognito-local, with the built
// PostgreSQL function as the pool's triggers (issue 34): a user an import job
// created (with their hash: CONFIRMED, their own password) has their sub
// written back by `complete` without being touched, `status` counts them from
// the ledger, and their first sign-in completes them (groups and the mark)
// through the Post authentication trigger. cognito-local runs no import jobs:
// AdminCreateUser with the CSV's attributes and AdminSetUserPassword
// (Permanent) make the user as a hash import makes them (developer guide,
// "Importing users with password hashes": CONFIRMED with the old password).
import {
  AdminCreateUserCommand, AdminGetUserCommand, AdminListGroupsForUserCommand, AdminSetUserPasswordCommand, InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../adapters/postgres/index.js';
import { completePool } from '../../scripts/complete/index.js';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { FUNCTION_NAME, LEDGER_ENV, LOCAL_LINK_KEY, startLocalStack } from '../../scripts/lib/stack.mjs';
import { status } from '../../scripts/status/index.js';
import { completionSettings } from '../../src/completion.js';
import { linkProof } from '../../src/link-proof.js';
import { cognitoPoolAdmin } from '../../src/pool-admin.js';
import { databaseUrl, sql } from '../support/database.js';

// Alice: an enabled row (a disabled one gets no link, as the contract suite checks).
const alice = DEMO_USERS[0] as { username: string; email: string; password: string };
type Stack = Awaited<ReturnType<typeof startLocalStack>>;

const query = (stack: Stack, text: string, values: unknown[] = []): Promise<any[]> => sql(text, values, stack.db.url);

describe('a bulk-imported user through cognito-local: complete writes the sub back, the first sign-in completes (issue 34)', () => {
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    process.env.DATABASE_URL = databaseUrl();
    stack = await startLocalStack({ schema: `e2e_bulk_${randomBytes(4).toString('hex')}`, completion: true, onLog: (line) => logs.push(line) });
    await query(stack, `UPDATE ${stack.table} SET roles = '{ROLE_ADMIN,ROLE_SUPPORT}'`);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is linked without a call on the user, counted by status from the ledger, then grouped and marked at its first sign-in', async () => {
    const userPoolId = stack.userPoolId!;
    const [row] = await query(stack, `SELECT id::text AS id FROM ${stack.table} WHERE username = $1`, [alice.username]);
    const id = (row as { id: string }).id;
    await stack.idp.send(new AdminCreateUserCommand({
      UserPoolId: userPoolId, Username: alice.email, MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: alice.email }, { Name: 'email_verified', Value: 'true' }, { Name: 'custom:legacy_id', Value: id }, { Name: 'custom:legacy_proof', Value: linkProof(LOCAL_LINK_KEY, userPoolId, id) }],
    }));
    await stack.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: alice.email, Password: alice.password, Permanent: true }));
    const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: alice.email }));
    const sub = user.UserAttributes!.find((a) => a.Name === 'sub')!.Value!;

    const store = createPostgresStore({ connectionString: stack.db.url, table: stack.table, cognitoSub: { column: 'cognito_sub', timeColumn: 'cognito_linked_at' }, groupsColumn: 'roles' });
    const calls: string[] = [];
    const real = cognitoPoolAdmin(stack.idp);
    const pool = { ...real, addToGroup: (...a: Parameters<typeof real.addToGroup>) => { calls.push('AdminAddUserToGroup'); return real.addToGroup(...a); }, setAttributes: (...a: Parameters<typeof real.setAttributes>) => { calls.push('AdminUpdateUserAttributes'); return real.setAttributes(...a); } };
    try {
      const summary = await completePool({
        cognito: stack.idp, pool, store, userPoolId, remigrate: 'never', rate: 30, concurrency: 4, chains: 16,
        settings: completionSettings({ groupMap: JSON.parse(LEDGER_ENV.GROUP_MAP), linkKey: LOCAL_LINK_KEY }, 'test'),
      });
      expect(summary, JSON.stringify(summary)).toMatchObject({ listed: 1, billedUsers: 0, outcomes: { linked: 1 }, calls: { ListUsers: 16 } });
      expect(calls).toEqual([]);
    } finally {
      await store.close();
    }
    expect(await query(stack, `SELECT cognito_sub FROM ${stack.table} WHERE id::text = $1`, [id])).toEqual([{ cognito_sub: sub }]);
    const untouched = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: alice.email }));
    expect(untouched.UserAttributes!.some((a) => a.Name === 'custom:migrated_at')).toBe(false);
    expect((await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: untouched.Username! }))).Groups ?? []).toEqual([]);

    // status reads the ledger alone: the row with a sub is migrated, and no ListUsers is needed.
    const saved = { ...process.env };
    Object.assign(process.env, { DATABASE_URL: stack.db.url, PG_TABLE: stack.table, PG_COGNITO_SUB_COLUMN: 'cognito_sub', AWS_REGION: 'local', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
    let out = '';
    try {
      expect(await status(['--user-pool-id', userPoolId, '--no-metrics', '--json'], (t) => { out += t; })).toBe(0);
    } finally {
      process.env = saved;
    }
    expect(JSON.parse(out)).toMatchObject({ legacy: { migrated: 1 }, remaining: DEMO_USERS.filter((u) => u.enabled).length - 1 });

    // The first sign-in: the user exists, so no UserMigration; Post authentication completes them.
    logs.length = 0;
    const signIn = await stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId, AuthParameters: { USERNAME: alice.email, PASSWORD: alice.password } }));
    expect(signIn.AuthenticationResult?.IdToken).toBeTruthy();
    const after = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: alice.email }));
    expect(after.UserAttributes!.find((a) => a.Name === 'custom:migrated_at')?.Value).toBeTruthy();
    const groups = await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: after.Username! }));
    expect((groups.Groups ?? []).map((g) => g.GroupName).sort()).toEqual(['admins', 'support']);
    const record = logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.outcome === 'completed');
    expect(record).toMatchObject({ triggerSource: 'PostAuthentication_Authentication', link: 'already_linked', groups: 2 });
    expect(FUNCTION_NAME).toBeTruthy();
  });
});
