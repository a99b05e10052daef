// The federated first sign-in (issue 33, the social and enterprise door,
// src/federation.ts), with the memory store and a fake pool that acts as the
// API reference describes: AdminCreateUser runs the pool's Pre sign-up
// trigger (here the same handler, PreSignUp_AdminCreateUser, with the
// request's ClientMetadata) and fails with UserLambdaValidationException when
// it throws; AdminLinkProviderForUser refuses a source linked already. The
// events are shaped as the developer guide's "Pre sign-up Lambda trigger"
// shows them: userName `<provider>_<subject>`.
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { type MemoryUser, createMemoryStore } from '../../adapters/memory/index.js';
import { identityCandidates } from '../../src/federation.js';
import { PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { CREATION_PROOF_KEY, creationProof, linkProof } from '../../src/link-proof.js';
import type { PoolAdmin } from '../../src/pool-admin.js';
import { TEST_LINK_KEY, captureLogger, countMetrics, lambdaContext } from '../support/fakes.js';

const POOL = 'eu-west-1_TEST';
const hash = bcrypt.hashSync('legacy password 1', 4);

const rows = (): MemoryUser[] => [
  { id: '42', username: 'ada', passwordHash: hash, roles: ['ROLE_ADMIN'], identities: [{ provider: 'Google', sub: '1093' }, { provider: 'Acme_SAML', sub: 'ada@acme' }], fields: { email: 'ada@example.com', email_verified: true } },
  { id: '43', username: 'moved', cognitoSub: 'aaaaaaaa-0000-4000-8000-000000000043', identities: [{ provider: 'Google', sub: '2001' }], fields: { email: 'moved@example.com', email_verified: true } },
  { id: '44', username: 'off', enabled: false, identities: [{ provider: 'Google', sub: '3001' }], fields: { email: 'off@example.com' } },
  { id: '45', username: 'plain', fields: { email: 'plain@example.com', email_verified: true } },
  { id: '46', username: 'unverified', fields: { email: 'unverified@example.com', email_verified: false } },
];

/** A pool that keeps users and links, and runs the handler as its Pre sign-up trigger on AdminCreateUser. */
function fakePool(trigger: () => (event: unknown) => Promise<unknown>) {
  const calls: string[] = [];
  const users = new Map<string, Record<string, string>>([['moved@example.com', { sub: 'aaaaaaaa-0000-4000-8000-000000000043', email: 'moved@example.com' }]]);
  const links = new Map<string, string>();
  let n = 0;
  const pool: PoolAdmin = {
    async addToGroup(_p, user, group) { calls.push(`add ${user} ${group}`); return 'added'; },
    async createGroup() {},
    async setAttributes(_p, user, attributes) { calls.push(`mark ${user}`); Object.assign(users.get(user) ?? {}, attributes); },
    async hasSub(_p, sub) { return [...users.values()].some((u) => u.sub === sub); },
    async usernameAttributes() { calls.push('describe'); return ['email']; },
    async userBySub(_p, sub) { calls.push('bySub'); return [...users.entries()].find(([, u]) => u.sub === sub)?.[0]; },
    async getUser(_p, username) { calls.push('get'); const u = users.get(username); return u ? { username, attributes: { ...u } } : undefined; },
    async createUser(poolId, username, attributes, clientMetadata) {
      calls.push(`create ${username}`);
      if (users.has(username)) return 'exists';
      const event = { version: '1', triggerSource: 'PreSignUp_AdminCreateUser', region: 'eu-west-1', userPoolId: poolId, userName: username, callerContext: { awsSdkVersion: 'x', clientId: 'CLIENT_ID_NOT_APPLICABLE' }, request: { userAttributes: attributes, validationData: null, clientMetadata }, response: {} };
      await trigger()(event).catch((err: Error) => { throw Object.assign(new Error(`PreSignUp failed with error ${err.message}.`), { name: 'UserLambdaValidationException' }); });
      const sub = `bbbbbbbb-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      users.set(username, { ...attributes, sub });
      return { username, sub };
    },
    async linkProvider(_p, username, identity) {
      const key = `${identity.provider}_${identity.sub}`;
      calls.push(`link ${username} ${key}`);
      if (links.has(key)) return { refused: 'InvalidParameterException' };
      links.set(key, username);
      return 'linked';
    },
  };
  return { pool, calls, users, links };
}

function setup(options: { store?: UserStore; more?: Record<string, unknown> } = {}) {
  const store = options.store ?? createMemoryStore(rows());
  const log = captureLogger();
  const m = countMetrics();
  let handler: ReturnType<typeof createUserMigrationHandler>;
  const fake = fakePool(() => (e) => handler(e as never, lambdaContext()));
  handler = createUserMigrationHandler({
    store, matchEmail: true, caseInsensitive: true, logger: log.logger, metrics: m.metrics, pool: fake.pool, verifyWorker: false,
    attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' },
    completion: { groupMap: { ROLE_ADMIN: 'admins' }, linkKey: TEST_LINK_KEY },
    ...options.more,
  });
  return { handler, store, log, counts: m.counts, ...fake };
}

const federated = (userName: string, userAttributes: Record<string, string> = {}) => ({
  version: '1', triggerSource: 'PreSignUp_ExternalProvider', region: 'eu-west-1', userPoolId: POOL, userName, callerContext: { awsSdkVersion: 'x', clientId: 'web' },
  request: { userAttributes: { 'cognito:user_status': 'EXTERNAL_PROVIDER', ...userAttributes }, validationData: {} }, response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});
const answer = (p: Promise<unknown>) => p.then(() => 'allowed', (e: Error) => e.message);

describe('identity candidates', () => {
  it('splits <provider>_<subject> at each underscore a provider name can hold, and reads Cognito\'s social names in any case', () => {
    expect(identityCandidates('google_1093')).toEqual([{ provider: 'Google', sub: '1093' }]);
    expect(identityCandidates('Acme_SAML_ada@acme')).toEqual([{ provider: 'Acme', sub: 'SAML_ada@acme' }, { provider: 'Acme_SAML', sub: 'ada@acme' }]);
    expect(identityCandidates('signinwithapple_001.abc_def')).toEqual([{ provider: 'SignInWithApple', sub: '001.abc_def' }, { provider: 'signinwithapple_001.abc', sub: 'def' }]);
    expect(identityCandidates(`${'x'.repeat(40)}_1`)).toEqual([]);
    expect(identityCandidates('nounderscore')).toEqual([]);
  });
});

describe('the federated first sign-in', () => {
  it('a legacy person\'s first Google sign-in creates their user from the row, links every staged identity, completes it, and says to sign in again', async () => {
    const { handler, calls, users, links, store, counts, log } = setup();
    expect(await answer(handler(federated('google_1093', { email: 'ada@example.com', email_verified: 'true' }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.federatedLinked);
    const made = users.get('ada@example.com')!;
    expect(made).toMatchObject({ email: 'ada@example.com', email_verified: 'true', 'custom:legacy_id': '42', 'custom:legacy_proof': linkProof(TEST_LINK_KEY, POOL, '42') });
    expect(Object.fromEntries(links)).toEqual({ Google_1093: 'ada@example.com', 'Acme_SAML_ada@acme': 'ada@example.com' });
    expect(calls).toEqual(['describe', 'create ada@example.com', 'add ada@example.com admins', 'link ada@example.com Google_1093', 'link ada@example.com Acme_SAML_ada@acme', 'mark ada@example.com']);
    expect((await store.findByIdentity!({ provider: 'Google', sub: '1093' }, { signal: new AbortController().signal, deadline: Date.now() + 1000, remainingMs: () => 1000 }))?.cognitoSub).toBe(made.sub);
    expect(Object.fromEntries(counts)).toEqual({ federated_linked: 1 });
    expect(log.records.find((r) => r.extra.outcome === 'federated_linked')?.extra).toMatchObject({ matchedBy: 'identity', created: true, completion: 'completed', identitiesLinked: 2 });
    expect(log.text()).not.toMatch(/1093|ada@/);
    // The retry: Cognito finds the identity linked and signs in as the user, with no trigger; a second Pre sign-up
    // (another identity of the same person) links to the user the row now names.
    expect(await answer(handler(federated('Acme_SAML_ada@acme') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.federatedLinked);
    expect(calls.slice(6)).toEqual(['bySub', 'link ada@example.com Acme_SAML_ada@acme']);
  });

  it('a row that migrated already links the identity to its existing user; a disabled row and two rows for one identity are refused', async () => {
    const { handler, links } = setup();
    expect(await answer(handler(federated('Google_2001') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.federatedLinked);
    expect(links.get('Google_2001')).toBe('moved@example.com');
    expect(await answer(handler(federated('Google_3001') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.rejected);
    const twins = setup({ store: createMemoryStore([{ id: '1', username: 'a', identities: [{ provider: 'Google', sub: '9' }], fields: {} }, { id: '2', username: 'b', identities: [{ provider: 'Google', sub: '9' }], fields: {} }]) });
    expect(await answer(twins.handler(federated('Google_9') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(twins.calls).toEqual([]);
  });

  it('a stranger signs up untouched, with no call to the pool; an email alone links nothing by default', async () => {
    const { handler, calls, counts } = setup();
    const stranger = federated('Google_5555', { email: 'plain@example.com', email_verified: 'true' });
    expect(await handler(stranger as never, lambdaContext())).toBe(stranger);
    expect(calls).toEqual([]);
    expect(Object.fromEntries(counts)).toEqual({});
  });

  it('LINK_BY_EMAIL=verified links by email only when the provider and the legacy row both say it is verified', async () => {
    const { handler, links, users } = setup({ more: { linkByEmail: 'verified' } });
    expect(await answer(handler(federated('Google_5555', { email: 'PLAIN@example.com', email_verified: 'false' }) as never, lambdaContext()))).toBe('allowed');
    expect(await answer(handler(federated('Google_6666', { email: 'unverified@example.com', email_verified: 'true' }) as never, lambdaContext()))).toBe('allowed');
    expect(users.has('unverified@example.com')).toBe(false);
    expect(await answer(handler(federated('Google_5555', { email: 'PLAIN@example.com', email_verified: 'true' }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.federatedLinked);
    expect(links.get('Google_5555')).toBe('plain@example.com');
    expect(users.get('plain@example.com')?.['custom:legacy_id']).toBe('45');
  });

  it('a login someone else holds in the pool is never taken over: refused, and nothing is linked', async () => {
    const { handler, users, links } = setup();
    users.set('ada@example.com', { sub: 'cccccccc-0000-4000-8000-000000000001', email: 'ada@example.com', 'custom:legacy_id': '42', 'custom:legacy_proof': 'v1.forged' });
    expect(await answer(handler(federated('Google_1093') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(links.size).toBe(0);
  });

  it('an attempt that ran out of time after the creation is taken up again by the next one, from the proof on the user it made', async () => {
    const { handler, users, links, store } = setup();
    users.set('ada@example.com', { sub: 'dddddddd-0000-4000-8000-000000000001', email: 'ada@example.com', 'custom:legacy_id': '42', 'custom:legacy_proof': linkProof(TEST_LINK_KEY, POOL, '42') });
    expect(await answer(handler(federated('Google_1093') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.federatedLinked);
    expect(links.get('Google_1093')).toBe('ada@example.com');
    expect((await store.findUser({ login: 'ada', matchEmail: false, caseInsensitive: false }, { signal: new AbortController().signal, deadline: Date.now() + 1000, remainingMs: () => 1000 }))?.cognitoSub).toBe('dddddddd-0000-4000-8000-000000000001');
  });

  it('a store that cannot be read refuses with the unavailable text; SIGNUP_GUARD=off answers unchanged', async () => {
    const base = createMemoryStore(rows());
    const down: UserStore = { ...base, name: 'down', findByIdentity: async () => { throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5'), { code: 'ECONNREFUSED' }); } };
    const { handler, log } = setup({ store: down });
    expect(await answer(handler(federated('Google_1093') as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.unavailable);
    expect(log.text()).not.toContain('10.0.0.5');
    const off = setup({ more: { signUpGuard: 'off' } });
    expect(await answer(off.handler(federated('Google_1093') as never, lambdaContext()))).toBe('allowed');
    expect(off.calls).toEqual([]);
  });
});

describe('the sample events (events/, for sam local invoke -e)', () => {
  it('the external-provider event is a stranger to an empty store and a staged person to one that holds the identity; the sign-up event meets the guard', async () => {
    const { readFile } = await import('node:fs/promises');
    const read = async (name: string) => JSON.parse(await readFile(new URL(`../../events/${name}`, import.meta.url), 'utf8'));
    const external = await read('pre-sign-up-external-provider.json');
    const stranger = setup({ store: createMemoryStore([]) });
    expect(await stranger.handler(external, lambdaContext())).toEqual(external);
    const staged = setup({ store: createMemoryStore([{ id: '1', username: 'alice', identities: [{ provider: 'Google', sub: '109300000000000000001' }], fields: { email: 'alice@example.com', email_verified: true } }]) });
    expect(await answer(staged.handler({ ...external, userPoolId: POOL } as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.federatedLinked);
    const taken = setup({ store: createMemoryStore([{ id: '1', username: 'alice', fields: { email: 'alice@example.com' } }]) });
    expect(await answer(taken.handler(await read('pre-sign-up.json'), lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
  });
});

describe('the guard and the function\'s own creation', () => {
  const adminCreate = (attributes: Record<string, string>, clientMetadata: Record<string, string>) => ({
    version: '1', triggerSource: 'PreSignUp_AdminCreateUser', region: 'eu-west-1', userPoolId: POOL, userName: 'ada@example.com', callerContext: { awsSdkVersion: 'x', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
    request: { userAttributes: { email: 'ada@example.com', ...attributes }, validationData: null, clientMetadata }, response: {},
  });
  it('passes an AdminCreateUser that carries this window\'s creation proof and the link proof; refuses one without, or with another id\'s, or an old one', async () => {
    const { handler } = setup();
    const proofs = { 'custom:legacy_id': '42', 'custom:legacy_proof': linkProof(TEST_LINK_KEY, POOL, '42') };
    expect(await answer(handler(adminCreate(proofs, { [CREATION_PROOF_KEY]: creationProof(TEST_LINK_KEY, POOL, '42') }) as never, lambdaContext()))).toBe('allowed');
    expect(await answer(handler(adminCreate(proofs, {}) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(await answer(handler(adminCreate(proofs, { [CREATION_PROOF_KEY]: creationProof(TEST_LINK_KEY, POOL, '43') }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(await answer(handler(adminCreate(proofs, { [CREATION_PROOF_KEY]: creationProof(TEST_LINK_KEY, POOL, '42', Date.now() - 60_000) }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
    expect(await answer(handler(adminCreate(proofs, { [CREATION_PROOF_KEY]: creationProof('another-key-of-at-least-32-characters!!', POOL, '42') }) as never, lambdaContext()))).toBe(PUBLIC_MESSAGES.signUpTaken);
  });
});
