import { afterEach, describe, expect, it } from 'vitest';
import { createHttpStore } from '../../../adapters/http/index.js';
import { ConfigurationError, DeadlineExceededError, StoreUnavailableError, type StoreContext } from '../../../src/index.js';
import { type Behaviour, startLegacyApi } from '../../support/legacy-api.js';

const users = [{ username: 'ada', email: 'ada@example.com', password: 'pw-1', enabled: true, given_name: 'Ada' }];
const ctx = (ms = 3000): StoreContext => {
  const deadline = Date.now() + ms;
  return { signal: AbortSignal.timeout(ms), deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
};
const q = { login: 'ada', matchEmail: false, caseInsensitive: false };
const apis: Array<{ close(): Promise<void> }> = [];
async function api(behaviour?: Behaviour) {
  const a = await startLegacyApi(users, behaviour);
  apis.push(a);
  return a;
}
afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.close()));
});

describe('attack: the HTTP store leaves baseUrl, or reads an answer without end', () => {
  it('refuses a verifyPath or userPath that would reach another host: //host, a scheme, a backslash', () => {
    for (const path of ['//evil.example/verify', 'https://evil.example/verify', 'http:evil.example', '/\\evil.example/verify', 'auth/verify']) {
      expect(() => createHttpStore({ baseUrl: 'https://legacy.example', verifyPath: path }), path).toThrow(/"verifyPath" must be a path under baseUrl/);
      expect(() => createHttpStore({ baseUrl: 'https://legacy.example', userPath: `${path}/{login}` }), path).toThrow(/"userPath" must be a path under baseUrl/);
    }
    expect(() => createHttpStore({ baseUrl: 'https://legacy.example', verifyPath: '/auth/verify', userPath: '/users/{login}' })).not.toThrow();
  });

  it('reads no more than maxResponseBytes of an answer, announced or not, and answers at once as an outage', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = () => new ReadableStream<Uint8Array>({
      pull(controller) { pulled++; controller.enqueue(new Uint8Array(1 << 20).fill(0x20)); },
      cancel() { cancelled = true; },
    });
    const store = createHttpStore({ baseUrl: 'https://legacy.example', authorization: 'Bearer x', retries: 0, fetch: async () => new Response(endless(), { status: 200 }) });
    const started = Date.now();
    await expect(store.findUser(q, ctx())).rejects.toThrow(/more than 65,536 bytes/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(pulled).toBeLessThan(4);
    expect(cancelled).toBe(true);
    // Announced as 300 MB: not read at all.
    let read = false;
    const announced = createHttpStore({ baseUrl: 'https://legacy.example', retries: 0, fetch: async () => new Response(new ReadableStream({ pull() { read = true; } }, { highWaterMark: 0 }), { status: 200, headers: { 'content-length': String(300 * 2 ** 20) } }) });
    await expect(announced.authenticate!(q, 'pw', ctx())).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(read).toBe(false);
    expect(() => createHttpStore({ baseUrl: 'https://legacy.example', maxResponseBytes: 10 })).toThrow(/maxResponseBytes/);
  });
});

describe('HTTP store: the ledger call', () => {
  it('is off without linkPath, refuses a linkPath without {id}, and takes only 200, 404 and 409 with a sub as answers', async () => {
    const a = await api();
    expect(createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token' }).linkAccount).toBeUndefined();
    expect(() => createHttpStore({ baseUrl: a.url, linkPath: '/users/cognito' })).toThrow(ConfigurationError);
    expect(() => createHttpStore({ baseUrl: a.url, linkPath: '//elsewhere/{id}' })).toThrow(/linkPath/);
    for (const [status, body] of [[409, {}], [201, { roles: [] }], [500, {}]] as const) {
      const odd = await api({ kind: 'verify-answers', status: 200 });
      const store = createHttpStore({ baseUrl: odd.url, authorization: 'Bearer test-token', linkPath: '/answers/{id}', retries: 0, fetch: async () => new Response(JSON.stringify(body), { status }) });
      await expect(store.linkAccount!({ legacyId: 'u-ada', sub: 's', expected: null }, ctx())).rejects.toBeInstanceOf(StoreUnavailableError);
    }
  });
});

describe('attack: the HTTP store\'s paths carry a login or an id (issue 32)', () => {
  it('never posts a link for the id "." or "..", which a URL resolves to another path', async () => {
    const urls: string[] = [];
    const store = createHttpStore({ baseUrl: 'https://legacy.example/api', linkPath: '/users/{id}/cognito', retries: 0, fetch: async (url) => { urls.push(String(url)); return new Response('{}', { status: 200 }); } });
    for (const legacyId of ['.', '..', '']) expect(await store.linkAccount!({ legacyId, sub: 's', expected: null }, ctx())).toEqual({ outcome: 'no_row' });
    expect(urls).toEqual([]);
    await store.linkAccount!({ legacyId: '.x', sub: 's', expected: null }, ctx());
    expect(urls).toEqual(['https://legacy.example/api/users/.x/cognito']);
  });

  it('an outage names the path as configured, with its placeholders: never the login or the legacy id', async () => {
    const down = async () => new Response('{}', { status: 503 });
    const store = createHttpStore({ baseUrl: 'https://legacy.example', userPath: '/users/{login}', linkPath: '/link/{id}', retries: 0, fetch: down });
    const lookup = await store.findUser({ login: 'secret-login@example.com', matchEmail: false, caseInsensitive: false }, ctx()).catch((e: Error) => e.message);
    const link = await store.linkAccount!({ legacyId: 'id-4242', sub: 's', expected: null }, ctx()).catch((e: Error) => e.message);
    const odd = createHttpStore({ baseUrl: 'https://legacy.example', linkPath: '/link/{id}', retries: 0, fetch: async () => new Response('not json', { status: 200 }) });
    const text = await odd.linkAccount!({ legacyId: 'id-4242', sub: 's', expected: null }, ctx()).catch((e: Error) => e.message);
    expect(text).toMatch(/POST \/link\/\{id\} answered 200 with a body that is not JSON/);
    for (const message of [lookup, link, text]) expect(message).not.toMatch(/secret-login|id-4242/);
  });
});

describe('HTTP store', () => {
  it('sends the authorization header, fetched once from the secret function', async () => {
    const a = await api();
    let reads = 0;
    const store = createHttpStore({ baseUrl: a.url, authorization: async () => (reads++, 'Bearer test-token') });
    expect(await store.authenticate!(q, 'pw-1', ctx())).toMatchObject({ outcome: 'ok', user: { id: 'u-ada' } });
    await store.findUser(q, ctx());
    expect(reads).toBe(1);
    expect(a.requests.every((r) => r.authorization === 'Bearer test-token')).toBe(true);
  });

  it('survives a flaky server: retries a user lookup on 503 within the budget and succeeds', async () => {
    const a = await api({ kind: 'flaky', failures: 2, status: 503 });
    const store = createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token', retries: 2 });
    expect(await store.findUser(q, ctx())).toMatchObject({ id: 'u-ada' });
    expect(a.requests).toHaveLength(3);
  });

  it('gives up on a failing server after bounded retries, as an outage; the password check is sent once', async () => {
    const a = await api({ kind: 'error', status: 502 });
    const store = createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token', retries: 2 });
    const started = Date.now();
    await expect(store.findUser(q, ctx())).rejects.toThrow(/did not answer usefully \(last: HTTP 502\)/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(a.requests).toHaveLength(3);
    await expect(store.authenticate!(q, 'pw-1', ctx())).rejects.toThrow(/not repeated once it may have reached the server/);
    expect(a.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('stops at the deadline when the server is slow, whatever the retries', async () => {
    const a = await api({ kind: 'slow', ms: 3000 });
    const store = createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token', timeoutMs: 400, retries: 5 });
    const started = Date.now();
    await expect(store.authenticate!(q, 'pw-1', ctx(1000))).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(1300);
    expect(a.requests.length).toBeLessThanOrEqual(3);
  });

  it('never takes a rejected token for a wrong password: GET answers 401 → outage naming the credentials', async () => {
    const a = await api();
    const store = createHttpStore({ baseUrl: a.url, authorization: 'Bearer wrong-token' });
    await expect(store.findUser(q, ctx())).rejects.toThrow(/refused our credentials/);
    const report = store.checks()[0]!;
    expect(await report.run()).toMatchObject({ status: 'fail' });
  });

  it('maps verify answers: 404 unknown, 401 wrong password, 423 disabled, other 4xx an outage', async () => {
    const a = await api();
    const store = createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token' });
    expect(await store.authenticate!({ ...q, login: 'nobody' }, 'x', ctx())).toEqual({ outcome: 'unknown_user' });
    expect(await store.authenticate!(q, 'nope', ctx())).toEqual({ outcome: 'wrong_password' });
    const odd = createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token', verifyPath: '/nothing-here', statuses: { unknownUser: [410] } });
    await expect(odd.authenticate!(q, 'pw-1', ctx())).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('sends the password only in the POST body, never in a URL', async () => {
    const a = await api();
    await createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token' }).authenticate!(q, 'pw-1', ctx());
    expect(a.requests.every((r) => !r.url.includes('pw-1'))).toBe(true);
  });

  it.each([
    [{ baseUrl: 'ftp://x' }, /"baseUrl" must be an http\(s\) URL/],
    [{ baseUrl: 'https://x', userPath: '/users' }, /"userPath" must contain \{login\}/],
    [{ baseUrl: 'https://x', retries: 9 }, /"retries" must be a whole number from 0 to 5/],
    [{ baseUrl: 'https://x', timout: 5 }, /unknown option "timout"/],
    [{ baseUrl: 'http://legacy.internal/api' }, /must use https:\/\/ \(plain http:\/\/ is allowed only for loopback hosts\)/],
  ])('rejects bad options %o', (options, message) => {
    expect(() => createHttpStore(options as never)).toThrow(message);
    expect(() => createHttpStore(options as never)).toThrow(ConfigurationError);
  });
});

describe("the HTTP store's start (issue 35)", () => {
  it('warm() sends one HEAD to baseUrl with no credential, header or user data, skips a store given its own fetch, and never rejects', async () => {
    const a = await api();
    await createHttpStore({ baseUrl: a.url, authorization: 'Bearer secret-token', headers: { 'x-api-key': 'k' } }).warm();
    expect(a.requests).toEqual([{ method: 'HEAD', url: new URL(a.url).pathname, authorization: undefined, body: '' }]);
    const closed = await api();
    await closed.close();
    await expect(createHttpStore({ baseUrl: closed.url }).warm()).resolves.toBeUndefined();
    let calls = 0;
    const own = createHttpStore({ baseUrl: a.url, fetch: (async () => { calls++; throw new Error('no'); }) as typeof fetch });
    await expect(own.warm()).resolves.toBeUndefined();
    expect(calls).toBe(0);
  });
});
