// `cognito-migrate complete`: the bulk path's completion against real
// PostgreSQL and cognito-local. The users are created as an import job
// creates them (AdminCreateUser with the CSV's attributes, custom:legacy_id
// among them; cognito-local runs no import jobs). cognito-local's ListUsers
// returns every user at once, so a stand-in pages its answer 60 users at a
// time with a PaginationToken, as Cognito does (API reference, ListUsers:
// Limit at most 60).
import {
  AdminCreateUserCommand, CreateUserPoolClientCommand, SignUpCommand, AdminGetUserCommand, AdminListGroupsForUserCommand, CognitoIdentityProviderClient, CreateGroupCommand, CreateUserPoolCommand,
  ListUsersCommand, type ListUsersCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../adapters/postgres/index.js';
import { completePool, complete } from '../../scripts/complete/index.js';
import { startCognitoLocal } from '../../scripts/lib/cognito-local.mjs';
import { completionSettings } from '../../src/completion.js';
import { type PoolAdmin, cognitoPoolAdmin } from '../../src/pool-admin.js';
import { databaseUrl, freshLegacyTable, sql } from '../support/database.js';
import { TEST_LINK_KEY, testProof } from '../support/fakes.js';

const USERS = 70;
let cognito: Awaited<ReturnType<typeof startCognitoLocal>>;
let idp: CognitoIdentityProviderClient;
let dir: string;

beforeAll(async () => {
  cognito = await startCognitoLocal({ lambdaEndpoint: 'http://127.0.0.1:9' });
  idp = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  dir = await mkdtemp(join(tmpdir(), 'complete-'));
});
afterAll(async () => {
  idp?.destroy();
  await cognito?.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A legacy table with the ledger, a pool with USERS imported users (and one who signed up), and the groups. The
 * import's users carry the link proof the CSV export writes (LINK_KEY, for this pool).
 */
async function importedPool() {
  const table = await freshLegacyTable('complete', Array.from({ length: USERS }, (_, i) => ({
    username: `user${i}`, email: `user${i}@example.com`, password: 'x', given_name: 'U', family_name: String(i), phone_number: null, enabled: true, sms_mfa: false,
  })) as never);
  await sql(`ALTER TABLE ${table} ADD COLUMN cognito_sub text, ADD COLUMN cognito_linked_at timestamptz, ADD COLUMN roles text`);
  await sql(`UPDATE ${table} SET roles = CASE WHEN id % 2 = 0 THEN 'ROLE_ADMIN,ROLE_STAFF' ELSE 'ROLE_STAFF' END`);
  const pool = await idp.send(new CreateUserPoolCommand({
    PoolName: 'imported', UsernameAttributes: ['email'],
    Schema: [{ Name: 'legacy_id', AttributeDataType: 'String', Mutable: false }, { Name: 'migrated_at', AttributeDataType: 'String', Mutable: true }, { Name: 'legacy_proof', AttributeDataType: 'String', Mutable: true }],
  }));
  const userPoolId = pool.UserPool!.Id!;
  for (const GroupName of ['admins', 'staff']) await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
  const rows = await sql<{ id: string; email: string }>(`SELECT id::text AS id, email FROM ${table} ORDER BY id`);
  for (const row of rows) {
    await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: row.email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: row.email }, { Name: 'custom:legacy_id', Value: row.id }, { Name: 'custom:legacy_proof', Value: testProof(row.id, userPoolId) }] }));
  }
  await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'signed-up@example.com', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'signed-up@example.com' }] }));
  return { table, userPoolId };
}

/** cognito-local's ListUsers, paged as Cognito pages it. */
function paged(calls: string[] = []) {
  return {
    async send(command: ListUsersCommand): Promise<ListUsersCommandOutput> {
      calls.push('ListUsers');
      // Cognito refuses AttributesToGet with a custom attribute some users lack (API reference, ListUsers); cognito-local does not check.
      expect(command.input.AttributesToGet).toBeUndefined();
      const all = (await idp.send(new ListUsersCommand({ UserPoolId: command.input.UserPoolId }))).Users ?? [];
      const start = Number(command.input.PaginationToken ?? 0);
      const end = start + (command.input.Limit ?? 60);
      return { Users: all.slice(start, end), ...(end < all.length ? { PaginationToken: String(end) } : {}), $metadata: {} };
    },
  };
}

/** The pool admin over cognito-local, counting calls, failing the first `throttled` ones as Cognito throttles. */
function counted(throttled = 0) {
  const calls: string[] = [];
  const real = cognitoPoolAdmin(idp);
  let left = throttled;
  const wrap = <K extends keyof PoolAdmin>(name: K) => (async (...args: unknown[]) => {
    calls.push(name);
    if (left > 0) {
      left--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    }
    return (real[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  }) as PoolAdmin[K];
  const pool: PoolAdmin = { addToGroup: wrap('addToGroup'), createGroup: wrap('createGroup'), setAttributes: wrap('setAttributes'), hasSub: wrap('hasSub') };
  return { pool, calls };
}

const settings = completionSettings({ groupMap: { ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff' }, linkKey: TEST_LINK_KEY }, 'test');

describe('cognito-migrate complete', () => {
  it('completes every imported user: the sub written back, the groups of the roles, the mark; then a second run calls nothing but ListUsers', async () => {
    const { table, userPoolId } = await importedPool();
    const store = createPostgresStore({ connectionString: databaseUrl(), table, cognitoSub: { column: 'cognito_sub', timeColumn: 'cognito_linked_at' }, groupsColumn: 'roles' });
    try {
      const admin = counted();
      const progress: number[] = [];
      const first = await completePool({ cognito: paged(), pool: admin.pool, store, userPoolId, settings, remigrate: 'never', touch: true, chains: 1, rate: 100, writeRate: 100, concurrency: 4, onProgress: (s) => progress.push(s.listed) });
      expect(first).toMatchObject({ listed: USERS + 1, alreadyComplete: 0, notMigrated: 1, otherStatus: 0, billedUsers: USERS, outcomes: { completed: USERS, completion_failed: 0, completion_conflict: 0, group_missing: 0, completion_unproven: 0 } });
      expect(progress).toEqual([60, USERS + 1]);
      const linked = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE cognito_sub IS NOT NULL AND cognito_linked_at IS NOT NULL`);
      expect(linked).toEqual([{ n: USERS }]);
      const one = await idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: 'user0@example.com' }));
      const attrs = Object.fromEntries((one.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
      expect(attrs['custom:migrated_at']).toBeTruthy();
      expect(await sql(`SELECT cognito_sub FROM ${table} WHERE username = 'user0'`)).toEqual([{ cognito_sub: attrs.sub }]);
      const groups = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: one.Username! }));
      expect((groups.Groups ?? []).map((g) => g.GroupName).sort()).toEqual(['staff']);

      const again = counted();
      const listCalls: string[] = [];
      const second = await completePool({ cognito: paged(listCalls), pool: again.pool, store, userPoolId, settings, remigrate: 'never', touch: true, chains: 1, rate: 100, writeRate: 100, concurrency: 4 });
      expect(second).toMatchObject({ listed: USERS + 1, alreadyComplete: USERS, notMigrated: 1, outcomes: { completed: 0 } });
      expect(again.calls).toEqual([]);
      expect(listCalls).toEqual(['ListUsers', 'ListUsers']);
    } finally {
      await store.close();
    }
  });

  it('backs off when Cognito throttles, stays under its rate, and a stopped run goes on where it stopped', async () => {
    const { table, userPoolId } = await importedPool();
    const store = createPostgresStore({ connectionString: databaseUrl(), table, cognitoSub: { column: 'cognito_sub' }, groupsColumn: 'roles' });
    try {
      const admin = counted(5);
      const waits: number[] = [];
      const backoffs: number[] = [];
      const abort = new AbortController();
      // Stopped after the first page: the users under way finish, the rest wait for the next run.
      const first = await completePool({
        cognito: paged(), pool: admin.pool, store, userPoolId, settings, remigrate: 'never', touch: true, chains: 1, rate: 20, writeRate: 20, concurrency: 4, signal: abort.signal,
        sleep: async (ms, why) => { (why === 'backoff' ? backoffs : waits).push(ms); }, onProgress: () => abort.abort(),
      });
      expect(first).toMatchObject({ listed: 60, outcomes: { completed: 60, completion_failed: 0 } });
      // Five throttled calls were sent again, each after a back-off of its own (200 ms doubling).
      // The first 60 rows: 30 with two roles (two groups and the mark: 3 calls), 30 with one (2 calls), and the 5 sent again.
      expect(admin.calls.length).toBe(30 * 3 + 30 * 2 + 5);
      expect(backoffs).toHaveLength(5);
      for (const ms of backoffs) expect(Number.isInteger(Math.log2(ms / 200)), String(ms)).toBe(true);
      // One request every 50 ms at 20 a second: the last request waited for the ones before it.
      expect(Math.max(...waits)).toBeGreaterThan(1000);
      const second = await completePool({ cognito: paged(), pool: counted().pool, store, userPoolId, settings, remigrate: 'never', touch: true, chains: 1, rate: 100, writeRate: 100, concurrency: 4 });
      expect(second).toMatchObject({ listed: USERS + 1, alreadyComplete: 60, outcomes: { completed: USERS - 60 } });
      expect(await sql(`SELECT count(*)::int AS n FROM ${table} WHERE cognito_sub IS NULL`)).toEqual([{ n: 0 }]);
    } finally {
      await store.close();
    }
  });

  it('the command: settings from the function\'s environment, counts by outcome with --json, exit 1 when a group is missing, and no value in the output', async () => {
    const { table, userPoolId } = await importedPool();
    const urlFile = join(dir, 'url.txt');
    await writeFile(urlFile, databaseUrl());
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint, AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
      LINK_KEY: TEST_LINK_KEY, PG_TABLE: table, PG_COGNITO_SUB_COLUMN: 'cognito_sub', PG_GROUPS_COLUMN: 'roles', GROUP_MAP: JSON.stringify({ ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff', ROLE_GONE: 'auditors' }),
    });
    await sql(`UPDATE ${table} SET roles = 'ROLE_GONE' WHERE username = 'user3'`);
    try {
      let out = '';
      const code = await complete(['--user-pool-id', userPoolId, '--database-url-file', urlFile, '--touch', '--yes', '--json', '--rate', '30', '--write-rate', '25', '--chains', '1', '--checkpoint', join(dir, 'touch.checkpoint.json')], (t) => { out += t; });
      expect(code).toBe(1);
      expect(JSON.parse(out)).toMatchObject({ userPoolId, stopped: false, listed: USERS + 1, notMigrated: 1, outcomes: { completed: USERS - 1, group_missing: 1 } });
      expect(out).not.toMatch(/ROLE_|@example\.com|postgres:\/\//);
      delete process.env.PG_COGNITO_SUB_COLUMN;
      delete process.env.PG_GROUPS_COLUMN;
      await expect(complete(['--user-pool-id', userPoolId, '--database-url-file', urlFile], () => {})).rejects.toThrow(/set PG_COGNITO_SUB_COLUMN/);
      process.env.PG_COGNITO_SUB_COLUMN = 'cognito_sub';
      delete process.env.LINK_KEY;
      await expect(complete(['--user-pool-id', userPoolId, '--database-url-file', urlFile], () => {})).rejects.toThrow(/complete needs the link key/);
    } finally {
      process.env = saved;
    }
  });

  it('takes no row for a user it cannot prove: a self sign-up (UNCONFIRMED) or an admin-made user with another person\'s legacy id, a disabled row', async () => {
    const { table, userPoolId } = await importedPool();
    const store = createPostgresStore({ connectionString: databaseUrl(), table, cognitoSub: { column: 'cognito_sub' }, groupsColumn: 'roles' });
    const [first, second, third] = await sql<{ id: string }>(`SELECT id::text AS id FROM ${table} ORDER BY id LIMIT 3`);
    const app = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'web' }));
    await idp.send(new SignUpCommand({ ClientId: app.UserPoolClient!.ClientId!, Username: 'mallory@example.com', Password: 'Mallory-pass-1', UserAttributes: [{ Name: 'email', Value: 'mallory@example.com' }, { Name: 'custom:legacy_id', Value: first!.id }, { Name: 'custom:legacy_proof', Value: testProof(first!.id, userPoolId) }] }));
    await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'eve@example.com', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'eve@example.com' }, { Name: 'custom:legacy_id', Value: second!.id }, { Name: 'custom:legacy_proof', Value: 'v1.forged-forged-forged-forged-forg' }] }));
    await sql(`UPDATE ${table} SET enabled = false WHERE id::text = $1`, [third!.id]);
    try {
      const admin = counted();
      const summary = await completePool({ cognito: paged(), pool: admin.pool, store, userPoolId, settings, remigrate: 'never', touch: true, chains: 1, rate: 100, writeRate: 100, concurrency: 4 });
      // The owners (imported, with their proof) complete; the UNCONFIRMED sign-up is skipped, the forged proof refused,
      // the disabled row linked to nobody.
      expect(summary).toMatchObject({ listed: USERS + 3, otherStatus: 1, outcomes: { completed: USERS - 1, completion_unproven: 1, completion_failed: 1 } });
      const rows = await sql<{ id: string; cognito_sub: string | null }>(`SELECT id::text AS id, cognito_sub FROM ${table} WHERE id::text = ANY($1) ORDER BY id`, [[first!.id, second!.id, third!.id]]);
      const owner = async (id: string) => (await idp.send(new ListUsersCommand({ UserPoolId: userPoolId }))).Users!.find((u) => u.Attributes!.some((a) => a.Name === 'custom:legacy_id' && a.Value === id) && u.Attributes!.some((a) => a.Name === 'custom:legacy_proof' && a.Value === testProof(id, userPoolId)) && u.UserStatus !== 'UNCONFIRMED')!.Attributes!.find((a) => a.Name === 'sub')!.Value;
      expect(rows).toEqual([{ id: first!.id, cognito_sub: await owner(first!.id) }, { id: second!.id, cognito_sub: await owner(second!.id) }, { id: third!.id, cognito_sub: null }]);
      const mallory = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: 'mallory@example.com' }));
      const eve = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: 'eve@example.com' }));
      expect([...(mallory.Groups ?? []), ...(eve.Groups ?? [])]).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
