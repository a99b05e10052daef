// `complete` at scale (issue 34), against real PostgreSQL and a stand-in for
// Cognito that enforces the per-category request quotas and counts every
// call (scripts/lib/cognito-quota.mjs, which names its sources): the default
// pass touches no user, conflicts are counted, a stopped run resumes without
// listing or writing anything twice, throttling backs off, and the eager
// path's plan is the calls it then makes.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../adapters/postgres/index.js';
import { memoryCheckpoint } from '../../scripts/complete/checkpoint.js';
import { complete, completePool } from '../../scripts/complete/index.js';
import { startQuotaCognito } from '../../scripts/lib/cognito-quota.mjs';
import { completionSettings } from '../../src/completion.js';
import { cognitoPoolAdmin } from '../../src/pool-admin.js';
import { databaseUrl, sql } from '../support/database.js';
import { TEST_LINK_KEY, testProof } from '../support/fakes.js';

const USERS = 300;
const POOL = 'eu-west-1_Quota';
const settings = completionSettings({ groupMap: { ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff' }, linkKey: TEST_LINK_KEY }, 'test');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'complete-quota-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A legacy table of USERS rows with the ledger, and a pool holding each as an imported user with its proof, plus one sign-up. */
async function imported(quotas?: Record<string, number>, count = USERS) {
  const table = `complete_quota_${randomBytes(4).toString('hex')}.users`;
  await sql(`CREATE SCHEMA ${table.split('.')[0]}`);
  await sql(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, username text, email text, password_hash text, enabled boolean DEFAULT true, cognito_sub text, cognito_linked_at timestamptz, roles text)`);
  await sql(`INSERT INTO ${table} (username, email, roles) SELECT 'u' || i, 'u' || i || '@example.com', CASE WHEN i % 2 = 0 THEN 'ROLE_ADMIN,ROLE_STAFF' ELSE 'ROLE_STAFF' END FROM generate_series(1, ${count}) AS i`);
  const rows = await sql<{ id: string; email: string }>(`SELECT id::text AS id, email FROM ${table} ORDER BY id`);
  const users: Array<{ Username: string; attributes: Record<string, string> }> = rows.map((r) => ({ Username: randomUUID(), attributes: { sub: randomUUID(), email: r.email, 'custom:legacy_id': r.id, 'custom:legacy_proof': testProof(r.id, POOL) } }));
  users.push({ Username: randomUUID(), attributes: { sub: randomUUID(), email: 'signed-up@example.com' } });
  const api = await startQuotaCognito({ userPoolId: POOL, users, groups: ['admins', 'staff'], ...(quotas ? { quotas } : {}) });
  const cognito = new CognitoIdentityProviderClient({ endpoint: api.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  const store = createPostgresStore({ connectionString: databaseUrl(), table, cognitoSub: { column: 'cognito_sub', timeColumn: 'cognito_linked_at' }, groupsColumn: 'roles' });
  return {
    table, api, cognito, store, users,
    base: { cognito, pool: cognitoPoolAdmin(cognito), store, userPoolId: POOL, settings, remigrate: 'never' as const, rate: 30, concurrency: 4 },
    async close() {
      cognito.destroy();
      await store.close();
      await api.stop();
    },
  };
}

describe('complete against the quotas (issue 34)', () => {
  it('writes every sub back with ListUsers alone: no per-user call, no billed user, and the plan for --touch counted', async () => {
    const p = await imported();
    try {
      const summary = await completePool({ ...p.base, chains: 16, parallel: 4 });
      expect(summary).toMatchObject({ listed: USERS + 1, notMigrated: 1, billedUsers: 0, chains: { total: 16, done: 16 }, outcomes: { linked: USERS, already_linked: 0, completion_conflict: 0, completed: 0 } });
      // Only listing: 16 chains, each one or more pages of 60.
      expect(Object.keys(p.api.calls)).toEqual(['ListUsers']);
      expect(summary.calls).toEqual(p.api.calls);
      expect(p.api.billed.size).toBe(0);
      expect(await sql(`SELECT count(*)::int AS n FROM ${p.table} WHERE cognito_sub IS NOT NULL AND cognito_linked_at IS NOT NULL`)).toEqual([{ n: USERS }]);
      const ada = p.users[0]!;
      expect(await sql(`SELECT cognito_sub FROM ${p.table} WHERE id::text = $1`, [ada.attributes['custom:legacy_id']])).toEqual([{ cognito_sub: ada.attributes.sub }]);
      // Touching them would cost the mark and one group (odd rows) or two (even rows): USERS × 1 + USERS × 1.5.
      expect(summary.touchPlan).toEqual({ users: USERS, calls: { AdminUpdateUserAttributes: USERS, AdminAddUserToGroup: USERS * 1.5 } });
      // Nobody was marked: groups and the mark wait for each user's first sign-in.
      expect(p.api.user(ada.Username).attributes['custom:migrated_at']).toBeUndefined();
    } finally {
      await p.close();
    }
  });

  it('counts a row linked to another user as a conflict and leaves it as it is', async () => {
    const p = await imported();
    try {
      const other = randomUUID();
      const [first] = p.users;
      await sql(`UPDATE ${p.table} SET cognito_sub = $1 WHERE id::text = $2`, [other, first!.attributes['custom:legacy_id']]);
      const summary = await completePool({ ...p.base, chains: 1 });
      expect(summary.outcomes).toMatchObject({ linked: USERS - 1, completion_conflict: 1 });
      expect(await sql(`SELECT cognito_sub FROM ${p.table} WHERE id::text = $1`, [first!.attributes['custom:legacy_id']])).toEqual([{ cognito_sub: other }]);
      expect(p.api.billed.size).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('a run stopped mid-way resumes from its checkpoint: no page listed twice, no row written twice', async () => {
    const p = await imported();
    try {
      const checkpoint = memoryCheckpoint<Awaited<ReturnType<typeof completePool>>>();
      const abort = new AbortController();
      let pages = 0;
      const first = await completePool({ ...p.base, chains: 16, parallel: 2, checkpoint, signal: abort.signal, onProgress: () => { if (++pages === 5) abort.abort(); } });
      expect(first.chains.done).toBeLessThan(16);
      expect(first.outcomes.linked).toBeGreaterThan(0);
      expect(first.outcomes.linked).toBeLessThan(USERS);
      // Every row's version (xmin changes with each write) after the first run: the second must leave these alone.
      const before = new Map((await sql<{ id: string; v: string }>(`SELECT id::text AS id, xmin::text AS v FROM ${p.table} WHERE cognito_sub IS NOT NULL`)).map((r) => [r.id, r.v]));
      expect(before.size).toBe(first.outcomes.linked);
      const listedFirst = p.api.calls.ListUsers!;
      const second = await completePool({ ...p.base, chains: 16, parallel: 2, checkpoint });
      expect(second).toMatchObject({ listed: USERS + 1, chains: { done: 16 }, outcomes: { linked: USERS, already_linked: 0 } });
      const after = await sql<{ id: string; v: string }>(`SELECT id::text AS id, xmin::text AS v FROM ${p.table} WHERE cognito_sub IS NOT NULL`);
      expect(after).toHaveLength(USERS);
      for (const r of after) if (before.has(r.id)) expect(r.v, `row ${r.id} written again`).toBe(before.get(r.id));
      // The pages: 16 chains of ~19 users, one page each; the second run listed only the chains the first left.
      expect(p.api.calls.ListUsers).toBe(16);
      expect(p.api.calls.ListUsers! - listedFirst).toBe(16 - first.chains.done);
      // A third run finds the whole pool done and lists nothing.
      const third = await completePool({ ...p.base, chains: 16, checkpoint });
      expect(third.listed).toBe(USERS + 1);
      expect(p.api.calls.ListUsers).toBe(16);
    } finally {
      await p.close();
    }
  });

  it('backs off when Cognito throttles (TooManyRequestsException) and still completes every user', async () => {
    // A UserList quota of 5 a second against a rate of 30: most requests at once are refused.
    const p = await imported({ UserList: 5, UserUpdate: 25, UserRead: 120, UserPoolResourceUpdate: 15 });
    try {
      const backoffs: number[] = [];
      const summary = await completePool({
        ...p.base, chains: 16, parallel: 8, rate: 30,
        sleep: (ms, why) => { if (why === 'backoff') backoffs.push(ms); return new Promise((r) => setTimeout(r, ms)); },
      });
      expect(p.api.throttled.UserList).toBeGreaterThan(0);
      expect(backoffs.length).toBe(p.api.throttled.UserList);
      for (const ms of backoffs) expect(Number.isInteger(Math.log2(ms / 200)), String(ms)).toBe(true);
      expect(summary.outcomes.linked).toBe(USERS);
      // Throttled requests count as calls, as Cognito counts them.
      expect(summary.calls.ListUsers).toBe(16 + p.api.throttled.UserList!);
    } finally {
      await p.close();
    }
  });

  it('--touch links each row\'s staged identities (AdminLinkProviderForUser), as the plan counted; the default pass links none (issue 33)', async () => {
    const p = await imported(undefined, 20);
    try {
      await sql(`ALTER TABLE ${p.table} ADD COLUMN identities jsonb`);
      await sql(`UPDATE ${p.table} SET identities = jsonb_build_array(jsonb_build_object('provider', 'Google', 'sub', 'g' || id)) WHERE id % 2 = 0`);
      const store = createPostgresStore({ connectionString: databaseUrl(), table: p.table, cognitoSub: { column: 'cognito_sub' }, groupsColumn: 'roles', columns: { identities: 'identities' } });
      try {
        const plan = await completePool({ ...p.base, store, chains: 1 });
        expect(plan.touchPlan.calls).toEqual({ AdminAddUserToGroup: 30, AdminUpdateUserAttributes: 20, AdminLinkProviderForUser: 10 });
        expect(p.api.calls.AdminLinkProviderForUser).toBeUndefined();
        const touched = await completePool({ ...p.base, store, chains: 1, touch: true, writeRate: 20 });
        expect(touched.outcomes.completed).toBe(20);
        expect(p.api.calls.AdminLinkProviderForUser).toBe(10);
        const even = p.users.find((u) => Number(u.attributes['custom:legacy_id']) % 2 === 0)!;
        expect(p.api.links(even.Username)).toEqual([`Google_g${even.attributes['custom:legacy_id']}`]);
      } finally {
        await store.close();
      }
    } finally {
      await p.close();
    }
  });

  it('the command: --touch prints a plan and touches nobody; --touch --yes then makes exactly the planned calls', async () => {
    // 60 users: touching them takes 150 UserUpdate calls, six seconds at 25 a second.
    const USERS = 60;
    const p = await imported(undefined, USERS);
    const saved = { ...process.env };
    const urlFile = join(dir, 'url.txt');
    await writeFile(urlFile, databaseUrl());
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: p.api.endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x',
      LINK_KEY: TEST_LINK_KEY, PG_TABLE: p.table, PG_COGNITO_SUB_COLUMN: 'cognito_sub', PG_GROUPS_COLUMN: 'roles', GROUP_MAP: JSON.stringify({ ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff' }),
    });
    try {
      await expect(complete(['--user-pool-id', POOL, '--database-url-file', urlFile, '--yes'], () => {})).rejects.toThrow(/--yes confirms the plan of --touch/);
      let out = '';
      expect(await complete(['--user-pool-id', POOL, '--database-url-file', urlFile, '--touch', '--json', '--rate', '30'], (t) => { out += t; })).toBe(0);
      const { plan, billedUsers } = JSON.parse(out);
      expect(billedUsers).toBe(0);
      expect(p.api.billed.size).toBe(0);
      const pages = p.api.calls.ListUsers;
      expect(plan).toMatchObject({ usersToTouch: USERS, billedUsers: USERS, calls: { AdminUpdateUserAttributes: USERS, AdminAddUserToGroup: USERS * 1.5, ListUsers: pages }, byCategory: { UserUpdate: USERS * 2.5, UserList: pages } });
      let text = '';
      await complete(['--user-pool-id', POOL, '--database-url-file', urlFile, '--touch'], (t) => { text += t; });
      expect(text).toMatch(/Plan for complete --touch/);
      expect(text).toMatch(new RegExp(`users to touch\\s+${USERS}\\s+each a billed monthly active user`));
      expect(text).not.toMatch(/@example\.com|ROLE_|postgres:\/\//);

      const before = { ...p.api.calls };
      out = '';
      const checkpoint = join(dir, 'touch.json');
      expect(await complete(['--user-pool-id', POOL, '--database-url-file', urlFile, '--touch', '--yes', '--json', '--write-rate', '25', '--rate', '30', '--checkpoint', checkpoint], (t) => { out += t; })).toBe(0);
      const made = Object.fromEntries(Object.entries(p.api.calls).map(([op, n]) => [op, n - (before[op as keyof typeof before] ?? 0)]).filter(([, n]) => n));
      expect(made).toEqual(plan.calls);
      expect(p.api.billed.size).toBe(plan.billedUsers);
      const result = JSON.parse(out);
      expect(result).toMatchObject({ touch: true, billedUsers: USERS, outcomes: { completed: USERS }, quota: { UserUpdate: { calls: USERS * 2.5 } } });
      expect(JSON.parse(await readFile(checkpoint, 'utf8'))).toMatchObject({ touch: true, done: expect.any(Array) });
      const ada = p.api.user(p.users[1]!.Username);
      expect(ada.attributes['custom:migrated_at']).toBeTruthy();
      expect([...ada.groups].sort()).toEqual(['admins', 'staff']);
    } finally {
      process.env = saved;
      await p.close();
    }
  });
});
