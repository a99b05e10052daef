// The completion flow (src/completion.ts) and the ledger refusal of the
// migration flow, with the memory store and a fake pool. The same flows run
// against cognito-local in test/e2e/completion.test.ts. Events are built as
// Cognito documents them (developer guide, "Post authentication Lambda
// trigger" and "Post confirmation Lambda trigger": request.userAttributes,
// clientMetadata; newDeviceUsed for Post authentication), and as
// cognito-local sends them.
import bcrypt from 'bcryptjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type MemoryUser } from '../../adapters/memory/index.js';
import { groupsFor, parseRoles } from '../../src/completion.js';
import { PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import type { PoolAdmin } from '../../src/pool-admin.js';
import { TEST_LINK_KEY, captureLogger, countMetrics, lambdaContext, migrationEvent, testProof } from '../support/fakes.js';

const SUB = '5b1e4a2c-0000-4000-8000-000000000001';
const OLD_SUB = '5b1e4a2c-0000-4000-8000-0000000000aa';
const PASSWORD = 'legacy password 1';
const hash = bcrypt.hashSync(PASSWORD, 4);

/** The event of a user the migration made: the legacy id comes with its proof, unless `attributes` names one. */
function postAuthentication(attributes: Record<string, string>, triggerSource = 'PostAuthentication_Authentication') {
  const id = attributes['custom:legacy_id'];
  if (id !== undefined && !('custom:legacy_proof' in attributes)) attributes = { ...attributes, 'custom:legacy_proof': testProof(id) };
  return {
    version: '1', triggerSource, region: 'eu-west-1', userPoolId: 'eu-west-1_TEST', userName: 'ada-username',
    callerContext: { awsSdkVersion: 'test', clientId: 'client123' },
    request: { userAttributes: { sub: SUB, email: 'ada@example.com', ...attributes }, ...(triggerSource.startsWith('PostAuth') ? { newDeviceUsed: false } : {}) },
    response: {},
  };
}

/** A pool that records every call; `groups` are the groups it has. */
function fakePool(groups: string[] = ['admins', 'staff'], more: Partial<PoolAdmin> = {}) {
  const calls: string[] = [];
  const have = new Set(groups);
  const pool: PoolAdmin = {
    async addToGroup(_pool, user, group) {
      calls.push(`add ${user} ${group}`);
      return have.has(group) ? 'added' : 'missing';
    },
    async createGroup(_pool, group) {
      calls.push(`create ${group}`);
      have.add(group);
    },
    async setAttributes(_pool, user, attributes) {
      calls.push(`mark ${user} ${Object.keys(attributes).join(',')}`);
    },
    async hasSub(_pool, sub) {
      calls.push(`has ${sub}`);
      return false;
    },
    ...more,
  };
  return { pool, calls };
}

function setup(options: { users?: MemoryUser[]; store?: UserStore; pool?: PoolAdmin; completion?: object; remigrate?: 'never' | 'if-absent' } = {}) {
  const users = options.users ?? [{ username: 'ada', id: '42', passwordHash: hash, roles: ['ROLE_ADMIN', 'ROLE_STAFF', 'ROLE_SECRET_THING'], fields: { email: 'ada@example.com', email_verified: true } }];
  const store = options.store ?? createMemoryStore(users);
  const log = captureLogger();
  const m = countMetrics();
  const fake = fakePool();
  const handler = createUserMigrationHandler({
    store, logger: log.logger, metrics: m.metrics, pool: options.pool ?? fake.pool, verifyWorker: false,
    attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' },
    completion: { groupMap: { ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff' }, linkKey: TEST_LINK_KEY, ...options.completion },
    ...(options.remigrate ? { remigrate: options.remigrate } : {}),
  });
  return { handler, store, log, counts: m.counts, calls: fake.calls };
}

describe('completion: Post authentication and Post confirmation', () => {
  it('links the row to the sub, adds the mapped groups, then marks the user; the event goes back unchanged', async () => {
    const { handler, store, calls, counts, log } = setup();
    const event = postAuthentication({ 'custom:legacy_id': '42' });
    const out = await handler(event, lambdaContext());
    expect(out).toEqual(postAuthentication({ 'custom:legacy_id': '42' }));
    expect(calls.sort()).toEqual(['add ada-username admins', 'add ada-username staff', 'mark ada-username custom:migrated_at']);
    expect(Object.fromEntries(counts)).toEqual({ completed: 1 });
    expect((await store.findUser({ login: 'ada', matchEmail: false, caseInsensitive: false }, ctx()))?.cognitoSub).toBe(SUB);
    // Counts, never the stored roles or the legacy id.
    expect(log.records.at(-1)).toMatchObject({ level: 'info', message: 'migration completed', extra: { roles: 3, groups: 2, sub: SUB } });
    expect(log.text()).not.toMatch(/ROLE_|"42"/);
  });

  it('costs nothing for a marked user, a user who did not migrate, or another Post source', async () => {
    const { handler, calls, counts } = setup();
    await handler(postAuthentication({ 'custom:legacy_id': '42', 'custom:migrated_at': '2026-01-01T00:00:00.000Z' }), lambdaContext());
    await handler(postAuthentication({}), lambdaContext());
    await handler(postAuthentication({ 'custom:legacy_id': '42' }, 'PostConfirmation_ConfirmSignUp'), lambdaContext());
    expect(calls).toEqual([]);
    expect(counts.size).toBe(0);
  });

  it('a store with no ledger and no roles (no linkAccount) leaves nothing to complete: no call, no mark', async () => {
    const plain: UserStore = { name: 'plain', findUser: async () => undefined };
    const { handler, calls, counts } = setup({ store: plain });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(calls).toEqual([]);
    expect(counts.size).toBe(0);
  });

  it('completes a ForgotPassword migration on PostConfirmation_ConfirmForgotPassword', async () => {
    const { handler, calls, counts } = setup();
    await handler(postAuthentication({ 'custom:legacy_id': '42' }, 'PostConfirmation_ConfirmForgotPassword'), lambdaContext());
    expect(calls).toContain('mark ada-username custom:migrated_at');
    expect(counts.get('completed')).toBe(1);
  });

  it('UNMAPPED_ROLES=same-name keeps a role the map does not name as a group of its own name', async () => {
    const { handler, calls } = setup({ completion: { unmappedRoles: 'same-name', createMissingGroups: true } });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(calls).toEqual(expect.arrayContaining(['add ada-username ROLE_SECRET_THING', 'create ROLE_SECRET_THING', 'mark ada-username custom:migrated_at']));
  });

  it('a group missing from the pool is reported and leaves the user unmarked, so the next sign-in tries again', async () => {
    const fake = fakePool(['staff']);
    const { handler, counts, log } = setup({ pool: fake.pool });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(fake.calls.some((c) => c.startsWith('mark'))).toBe(false);
    expect(Object.fromEntries(counts)).toEqual({ group_missing: 1 });
    expect(log.records.at(-1)).toMatchObject({ level: 'warn', extra: { groupsMissing: 1 } });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(fake.calls.filter((c) => c === 'add ada-username admins')).toHaveLength(2);
  });

  it('never fails the sign-in: a failing store, a failing pool and a store that never answers each end in a warning and a metric', async () => {
    const broken: UserStore = { name: 'broken', findUser: async () => undefined, linkAccount: async () => { throw Object.assign(new Error('connection reset, row 42 s3cret'), { code: 'ECONNRESET' }); } };
    const hung: UserStore = { name: 'hung', findUser: async () => undefined, linkAccount: () => new Promise(() => {}) };
    const failingPool = fakePool(['admins', 'staff'], { setAttributes: async () => { throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }); } }).pool;
    for (const [store, pool, problem] of [[broken, undefined, 'Error ECONNRESET'], [hung, undefined, 'TimeoutError'], [undefined, failingPool, 'TooManyRequestsException']] as const) {
      const { handler, counts, log } = setup({ ...(store ? { store } : {}), ...(pool ? { pool } : {}), completion: { timeoutMs: 300 } });
      const started = Date.now();
      const event = postAuthentication({ 'custom:legacy_id': '42' });
      await expect(handler(event, lambdaContext())).resolves.toBe(event);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(Object.fromEntries(counts)).toEqual({ completion_failed: 1 });
      expect(log.records.at(-1)).toMatchObject({ level: 'warn', extra: { problem } });
      expect(log.text()).not.toContain('s3cret');
    }
  });

  it('a row linked to another user is a conflict: no groups, no mark; under REMIGRATE=if-absent a gone user\'s link is replaced', async () => {
    const linkedRow = () => [{ username: 'ada', id: '42', passwordHash: hash, cognitoSub: OLD_SUB, roles: ['ROLE_ADMIN'], fields: { email: 'ada@example.com', email_verified: true } }];
    const never = setup({ users: linkedRow() });
    await never.handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(never.calls).toEqual([]);
    expect(Object.fromEntries(never.counts)).toEqual({ completion_conflict: 1 });
    expect(never.log.records.at(-1)).toMatchObject({ level: 'warn', extra: { linkedSub: OLD_SUB } });

    const absent = setup({ users: linkedRow(), remigrate: 'if-absent' });
    await absent.handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(absent.calls).toEqual([`has ${OLD_SUB}`, 'add ada-username admins', 'mark ada-username custom:migrated_at']);
    expect((await absent.store.findUser({ login: 'ada', matchEmail: false, caseInsensitive: false }, ctx()))?.cognitoSub).toBe(SUB);
  });
});

describe('the link proves its origin (issue 32: a sign-up takes another person\'s row)', () => {
  it('the migration answer carries the proof of its legacy id in this pool; the mapping cannot set it', async () => {
    const { handler } = setup();
    const out = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(out.response.userAttributes).toMatchObject({ 'custom:legacy_id': '42', 'custom:legacy_proof': testProof('42') });
    const store = createMemoryStore([]);
    for (const owned of ['custom:legacy_proof', 'custom:migrated_at']) {
      expect(() => createUserMigrationHandler({ store, verifyWorker: false, attributes: { 'custom:legacy_id': 'id', [owned]: 'id' }, completion: { linkKey: TEST_LINK_KEY } })).toThrow(new RegExp(`maps ${owned}, which only the function sets`));
    }
  });

  it('a store that links nothing gets no proof in the answer: a pool without the attribute would refuse every migration that sets it', async () => {
    const plain: UserStore = { name: 'plain', findUser: async () => ({ id: '42', passwordHash: hash, fields: { email: 'ada@example.com' } }) };
    const { handler } = setup({ store: plain });
    const out = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(out.response.userAttributes).toEqual({ email: 'ada@example.com', 'custom:legacy_id': '42' });
  });

  it('command output shows a proof as present, never its value (cognito-migrate invoke)', async () => {
    const { printable } = await import('../../scripts/invoke/index.js');
    const { handler } = setup();
    const answer = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    const text = JSON.stringify(printable(answer));
    expect(text).not.toContain(testProof('42'));
    expect(text).not.toContain(PASSWORD);
    expect(printable(answer)).toMatchObject({ response: { userAttributes: { 'custom:legacy_id': '42', 'custom:legacy_proof': '(link proof, not shown)' } } });
    const completion = postAuthentication({ 'custom:legacy_id': '42' });
    expect(JSON.stringify(printable(completion))).not.toContain(testProof('42'));
  });

  it('a user whose legacy id a sign-up or an admin set gets no row, no group and no mark: no proof, a forged one, one of another row or pool', async () => {
    for (const proof of [undefined, 'v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', testProof('7'), testProof('42', 'eu-west-1_OTHER'), testProof('42').slice(0, -1)]) {
      const { handler, store, calls, counts, log } = setup();
      const attributes: Record<string, string> = { 'custom:legacy_id': '42' };
      const event = postAuthentication(proof === undefined ? { ...attributes, 'custom:legacy_proof': '' } : { ...attributes, 'custom:legacy_proof': proof });
      if (proof === undefined) delete (event.request.userAttributes as Record<string, string>)['custom:legacy_proof'];
      await expect(handler(event, lambdaContext())).resolves.toBe(event);
      expect(calls).toEqual([]);
      expect(Object.fromEntries(counts)).toEqual({ completion_unproven: 1 });
      expect(log.records.at(-1)).toMatchObject({ level: 'warn' });
      // The row is still free for its owner, whose own sign-in then migrates and completes.
      expect((await store.findUser({ login: 'ada', matchEmail: false, caseInsensitive: false }, ctx()))?.cognitoSub).toBeUndefined();
      await handler(migrationEvent('ada', PASSWORD), lambdaContext());
      await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
      expect(counts.get('completed')).toBe(1);
    }
  });

  it('without a link key nothing completes, a ledger or not: the self-check says why', async () => {
    const { handler, calls, counts } = setup({ completion: { linkKey: undefined } });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(calls).toEqual([]);
    expect(Object.fromEntries(counts)).toEqual({ completion_unproven: 1 });
    const report = await handler({ 'cognito-migrate': 'self-check' }) as unknown as { checks: Array<{ id: string; status: string; fix?: string }> };
    expect(report.checks.find((c) => c.id === 'completion.proof')).toMatchObject({ status: 'fail', fix: expect.stringContaining('LINK_KEY_ARN') });
    expect(() => createUserMigrationHandler({ store: createMemoryStore([]), verifyWorker: false, completion: { linkKey: 'too short' } })).toThrow(/at least 32 characters/);
  });

  it('a disabled row gets no link and no groups', async () => {
    const { handler, calls, counts } = setup({ users: [{ username: 'ada', id: '42', passwordHash: hash, enabled: false, roles: ['ROLE_ADMIN'], fields: { email: 'ada@example.com' } }] });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(calls).toEqual([]);
    expect(Object.fromEntries(counts)).toEqual({ completion_failed: 1 });
  });
});

describe('the ledger in the UserMigration flow', () => {
  const linked = () => [{ username: 'ada', id: '42', passwordHash: hash, cognitoSub: OLD_SUB, fields: { email: 'ada@example.com', email_verified: true } }];

  it('refuses a row already linked (an old email after a change, a deleted user) with the wrong-password text, and logs the pool\'s sub', async () => {
    const { handler, counts, log, calls } = setup({ users: linked() });
    const right = await handler(migrationEvent('ada', PASSWORD), lambdaContext()).catch((e: Error) => e.message);
    const wrong = await handler(migrationEvent('ada', 'not it'), lambdaContext()).catch((e: Error) => e.message);
    const reset = await handler(migrationEvent('ada', undefined), lambdaContext()).catch((e: Error) => e.message);
    expect([right, wrong, reset]).toEqual([PUBLIC_MESSAGES.rejected, PUBLIC_MESSAGES.rejected, PUBLIC_MESSAGES.rejected]);
    expect(Object.fromEntries(counts)).toEqual({ already_migrated: 2, wrong_password: 1 });
    expect(log.records.find((r) => r.extra.outcome === 'already_migrated')).toMatchObject({ level: 'warn', extra: { cognitoSub: OLD_SUB } });
    // REMIGRATE=never asks the pool nothing.
    expect(calls).toEqual([]);
  });

  it('REMIGRATE=if-absent migrates the row again only when its user is gone from the pool', async () => {
    const gone = setup({ users: linked(), remigrate: 'if-absent' });
    const out = await gone.handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(out.response.userAttributes['custom:legacy_id']).toBe('42');
    expect(gone.calls).toEqual([`has ${OLD_SUB}`]);

    const present = fakePool(['admins'], { hasSub: async () => true });
    const still = setup({ users: linked(), remigrate: 'if-absent', pool: present.pool });
    await expect(still.handler(migrationEvent('ada', PASSWORD), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(still.counts)).toEqual({ already_migrated: 1 });
  });

  it('a row marked migrated but never completed (no sub) migrates normally', async () => {
    const { handler } = setup({ users: [{ username: 'ada', id: '42', passwordHash: hash, fields: { email: 'ada@example.com', email_verified: true, migrated_at: new Date() } }] });
    const out = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(out.response.finalUserStatus).toBe('CONFIRMED');
  });
});

describe('the sample events for sam local invoke -e', () => {
  it('events/post-authentication.json and events/post-confirmation-forgot-password.json complete a migrated user', async () => {
    for (const name of ['post-authentication.json', 'post-confirmation-forgot-password.json']) {
      const event = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'events', name), 'utf8'));
      const { handler, counts } = setup({ users: [{ username: 'alice', id: '1', passwordHash: hash, roles: ['ROLE_ADMIN'], fields: { email: 'alice@example.com' } }] });
      expect(await handler(event, lambdaContext())).toEqual(event);
      expect(Object.fromEntries(counts), name).toEqual({ completed: 1 });
    }
  });
});

describe('the self-check of the completion', () => {
  it('fails when the store keeps a ledger but the migration sets no custom:legacy_id, and passes with it', async () => {
    const store = createMemoryStore([]);
    const without = await createUserMigrationHandler({ store, verifyWorker: false, attributes: { email: 'email' }, logger: captureLogger().logger, metrics: countMetrics().metrics })({ 'cognito-migrate': 'self-check' });
    expect((without as { checks: Array<{ id: string; status: string; fix: string }> }).checks.find((c) => c.id === 'completion.link')).toMatchObject({ status: 'fail', fix: expect.stringContaining('"custom:legacy_id":"id"') });
    const withIt = await createUserMigrationHandler({ store, verifyWorker: false, attributes: { 'custom:legacy_id': 'id' }, logger: captureLogger().logger, metrics: countMetrics().metrics })({ 'cognito-migrate': 'self-check' });
    expect((withIt as { checks: Array<{ id: string; status: string }> }).checks.find((c) => c.id === 'completion.link')?.status).toBe('pass');
  });
});

describe('roles and groups', () => {
  it('reads roles as an array, a JSON array, PostgreSQL array text or comma-separated text', () => {
    expect(parseRoles(['a', 'b', 'a', ' '])).toEqual(['a', 'b']);
    expect(parseRoles('["a","b"]')).toEqual(['a', 'b']);
    expect(parseRoles('{a,"b c"}')).toEqual(['a', 'b c']);
    expect(parseRoles('a, b ,,c')).toEqual(['a', 'b', 'c']);
    expect(parseRoles('[not json')).toEqual([]);
    expect(parseRoles(null)).toEqual([]);
    expect(parseRoles(7)).toEqual([]);
  });

  it('maps roles to at most 100 valid group names, each once', () => {
    const roles = Array.from({ length: 150 }, (_, i) => `r${i}`);
    expect(groupsFor(roles, { unmappedRoles: 'same-name' })).toHaveLength(100);
    expect(groupsFor(['x', 'y', 'has space'], { groupMap: { x: 'g', y: 'g' }, unmappedRoles: 'same-name' })).toEqual(['g']);
    expect(groupsFor(['constructor', '__proto__'], { groupMap: {} })).toEqual([]);
  });

  it('refuses a bad group map or completion setting when the handler is built', () => {
    const store = createMemoryStore([]);
    expect(() => createUserMigrationHandler({ store, completion: { groupMap: { a: 'has space' } } })).toThrow(/groupMap.*GROUP_MAP/);
    expect(() => createUserMigrationHandler({ store, completion: { unmappedRoles: 'keep' as never } })).toThrow(/UNMAPPED_ROLES/);
    expect(() => createUserMigrationHandler({ store, remigrate: 'always' as never })).toThrow(/remigrate/);
  });
});

function ctx() {
  const deadline = Date.now() + 3000;
  return { signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
}

describe('password first: the row\'s identities linked at completion (issue 33)', () => {
  const identities = [
    { provider: 'Google', sub: 'g-1' }, { provider: 'SignInWithApple', sub: 'a-1' }, { provider: 'Facebook', sub: 'f-1' },
    { provider: 'AcmeSAML', sub: 's-1' }, { provider: 'LoginWithAmazon', sub: 'z-1' }, { provider: 'Other', sub: 'o-1' },
  ];
  const users = (list = identities.slice(0, 2)): MemoryUser[] => [{ username: 'ada', id: '42', passwordHash: hash, roles: ['ROLE_ADMIN'], identities: list, fields: { email: 'ada@example.com', email_verified: true } }];

  it('links each staged identity to the user as Cognito_Subject, before the mark; the log counts, never names, them', async () => {
    const linked: string[] = [];
    const fake = fakePool(['admins'], { async linkProvider(_p, user, identity) { linked.push(`${user} ${identity.provider} ${identity.sub}`); return 'linked'; } });
    const { handler, log, counts } = setup({ users: users(), pool: fake.pool });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(linked).toEqual(['ada-username Google g-1', 'ada-username SignInWithApple a-1']);
    expect(fake.calls.at(-1)).toBe('mark ada-username custom:migrated_at');
    expect(Object.fromEntries(counts)).toEqual({ completed: 1 });
    expect(log.records.at(-1)).toMatchObject({ level: 'info', extra: { identitiesLinked: 2 } });
    expect(log.text()).not.toMatch(/g-1|a-1/);
  });

  it('a link Cognito refuses (the identity signed in on its own already) is reported with the fix, never fails the completion; the sixth identity is over the limit', async () => {
    const fake = fakePool(['admins'], { async linkProvider(_p, _u, identity) { return identity.provider === 'Facebook' ? { refused: 'InvalidParameterException' } : 'linked'; } });
    const { handler, log, counts } = setup({ users: users(identities), pool: fake.pool });
    const event = postAuthentication({ 'custom:legacy_id': '42' });
    expect(await handler(event, lambdaContext())).toEqual(postAuthentication({ 'custom:legacy_id': '42' }));
    expect(Object.fromEntries(counts)).toEqual({ completed: 1 });
    expect(log.records.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/could not be linked .*cannot be merged/), extra: { identitiesLinked: 4, identitiesRefused: { InvalidParameterException: 1 }, identitiesOverLimit: 1 } });
    expect(fake.calls.at(-1)).toBe('mark ada-username custom:migrated_at');
  });

  it('a row without identities makes no link call', async () => {
    let asked = 0;
    const fake = fakePool(['admins'], { async linkProvider() { asked++; return 'linked'; } });
    const { handler } = setup({ users: users([]), pool: fake.pool });
    await handler(postAuthentication({ 'custom:legacy_id': '42' }), lambdaContext());
    expect(asked).toBe(0);
  });
});

describe('doctor and identity links (issue 33)', () => {
  it('fails a pool that links identities while a custom attribute is immutable, naming the new attribute and the settings; says nothing without identities', async () => {
    const { linkIdentitiesOnline } = await import('../../scripts/doctor/online.js');
    const schema = [{ Name: 'custom:legacy_id', Mutable: false }, { Name: 'custom:migrated_at', Mutable: true }];
    expect(linkIdentitiesOnline({ SchemaAttributes: schema }, {}, 'eu-west-1_P')).toEqual([]);
    const [check] = linkIdentitiesOnline({ SchemaAttributes: schema }, { PG_IDENTITIES_COLUMN: 'identities' }, 'eu-west-1_P');
    expect(check).toMatchObject({ id: 'pool.link-identities', status: 'fail', message: expect.stringMatching(/custom:legacy_id is immutable .*refuses every identity link/), fix: expect.stringMatching(/cannot make an attribute mutable.*Name=legacy_ref.*COMPLETION_LEGACY_ID_ATTRIBUTE=custom:legacy_ref/) });
    expect(linkIdentitiesOnline({ SchemaAttributes: [{ Name: 'custom:legacy_id', Mutable: true }] }, { HTTP_IDENTITY_PATH: '/x/{provider}/{sub}' }, 'eu-west-1_P')[0]?.status).toBe('pass');
  });
});
