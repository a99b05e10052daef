// The threat model's attacks, one test each (README, "Threat model"). Every
// test here failed on the code before the sign-in hardening and passes now.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import bcrypt from 'bcryptjs';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpStore } from '../../adapters/http/index.js';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { verifyPool } from '../../src/passwords/pool.js';
import { type PgClientLike, createPostgresStore, postgresStoreFromEnv } from '../../adapters/postgres/index.js';
import {
  ConfigurationError, PUBLIC_MESSAGES, type UserMigrationOptions, type UserStore, createUserMigrationHandler, customVerifier, parseFlag,
} from '../../src/index.js';
import { databaseUrl, sql } from '../support/database.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';
import { type ApiUser, type Behaviour, startLegacyApi } from '../support/legacy-api.js';

const PASSWORD = 'a legacy password';
let cheap: string;
let cost10: string;
let cost13: string;

beforeAll(async () => {
  cheap = await bcrypt.hash(PASSWORD, 4);
  cost10 = await bcrypt.hash(randomBytes(8).toString('hex'), 10);
  cost13 = await bcrypt.hash(PASSWORD, 13);
});

function setup(options: Partial<UserMigrationOptions> & { store: UserStore }) {
  const log = captureLogger();
  const m = countMetrics();
  const handler = createUserMigrationHandler({ logger: log.logger, metrics: m.metrics, ...options });
  return { handler, log, counts: m.counts };
}

/** Runs one sign-in and says how it ended and how long it took. */
async function attempt(handler: ReturnType<typeof setup>['handler'], login: string, password: string, ms = 5000) {
  const started = performance.now();
  const result = await handler(migrationEvent(login, password), lambdaContext(ms)).then(
    () => ({ ok: true as const, message: '' }),
    (err: Error) => ({ ok: false as const, message: err.message }),
  );
  return { ...result, ms: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fastest = (xs: number[]) => Math.min(...xs);

describe('attack: one costly row stalls everything', () => {
  const costlyRows: Array<[string, string, string]> = [
    ['Argon2id m=256 MiB, t=64, p=16 (20 s of work)', '$argon2id$v=19$m=262144,t=64,p=16$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA', PASSWORD],
    ['Argon2id without v= (the 5× slower pure-JS engine), m=64 MiB t=16', '$argon2id$m=65536,t=16,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA', PASSWORD],
    ['sha512-crypt, 1,000,000 rounds, with a 256-character password', `$6$rounds=1000000$saltsalt$${'a'.repeat(86)}`, 'p'.repeat(256)],
    ['phpass at its top cost 2^30', `$P$S12345678${'a'.repeat(22)}`, PASSWORD],
  ];

  it.each(costlyRows)('%s: refused at once, like a wrong password', async (_name, hash, password) => {
    const store = createMemoryStore([{ username: 'costly', id: '1', passwordHash: hash, fields: {} }]);
    const { handler, counts } = setup({ store, timeoutMs: 2000 });
    const r = await attempt(handler, 'costly', password);
    expect(r).toMatchObject({ ok: false, message: PUBLIC_MESSAGES.rejected });
    expect(r.ms).toBeLessThan(1500);
    expect(counts.get('hash_over_budget')).toBe(1);
  });

  it('a costly verify that outruns its estimate is stopped at the deadline, and a concurrent sign-in in the same process answers in its normal time', async () => {
    const store = createMemoryStore([
      { username: 'costly', id: '1', passwordHash: `$6$rounds=999999$saltsalt$${'a'.repeat(86)}`, fields: {} },
      { username: 'normal', id: '2', passwordHash: cost10, fields: {} },
    ]);
    // A CPU share far above the truth makes the estimate too low, so the costly verify is admitted and must be stopped.
    const { handler } = setup({ store, timeoutMs: 1000, workLimits: { cpuShare: 1000 } });
    // Past a fresh instance's start, when every verification goes to a thread the deadline can stop.
    await verifyPool()!.whenReady();
    const alone: number[] = [];
    for (let i = 0; i < 3; i++) alone.push((await attempt(handler, 'normal', 'wrong')).ms);
    const costly = attempt(handler, 'costly', 'p'.repeat(256));
    await new Promise((r) => setTimeout(r, 50));
    const during = await attempt(handler, 'normal', 'wrong');
    const stopped = await costly;
    expect(stopped).toMatchObject({ ok: false, message: PUBLIC_MESSAGES.unavailable });
    expect(stopped.ms).toBeLessThan(1000 + 400);
    expect(during.message).toBe(PUBLIC_MESSAGES.rejected);
    // The event loop was free: the concurrent sign-in took about what it takes alone, not the costly row's seconds.
    expect(during.ms).toBeLessThan(median(alone) * 2 + 250);
  });
});

describe('attack: the timing hash adopts the last verified hash', () => {
  it('unknown users take the same time after a costly row was verified (ratio ≤ 1.2), timed only against the configured hash', async () => {
    const store = createMemoryStore([{ username: 'slow', id: '1', passwordHash: cost13, fields: {} }]);
    const { handler } = setup({ store, timingHash: cost10 });
    const unknown = async () => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await attempt(handler, `nobody-${i}`, 'x')).ms);
      return fastest(times);
    };
    const before = await unknown();
    expect((await attempt(handler, 'slow', 'wrong')).message).toBe(PUBLIC_MESSAGES.rejected);
    const after = await unknown();
    expect(after / before).toBeLessThanOrEqual(1.2);
  });

  it('the timing hash is the configured one, whatever rows were verified before', async () => {
    const seen: string[] = [];
    const spy = customVerifier('spy', async (_p, e) => (seen.push(e), false), (e) => e.startsWith('spy:'));
    const store = createMemoryStore([{ username: 'ada', id: '1', passwordHash: 'spy:stored-row', fields: {} }]);
    const { handler } = setup({ store, verifiers: [spy], timingHash: 'spy:timing' });
    await attempt(handler, 'ada', 'wrong');
    await attempt(handler, 'nobody', 'x');
    expect(seen).toEqual(['spy:stored-row', 'spy:timing']);
  });
});

describe('attack: existence shows in the timing before any real hash is seen', () => {
  let table: string;
  beforeAll(async () => {
    table = `timing_${randomBytes(4).toString('hex')}.users`;
    await sql(`CREATE SCHEMA ${table.split('.')[0]}`);
    await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, username text, email text, password_hash text)`);
    const hash = await bcrypt.hash(PASSWORD, 12);
    for (let i = 0; i < 5; i++) await sql(`INSERT INTO ${table} (username, password_hash) VALUES ($1, $2)`, [`u${i}`, hash]);
  });

  it('self-check samples the store and warns, with the exact value to set, when the timing hash is cheaper than the legacy hashes', async () => {
    const store = createPostgresStore({ connectionString: databaseUrl(), table });
    const { handler } = setup({ store });
    const report = (await handler({ 'cognito-migrate': 'self-check' })) as unknown as { checks: Array<{ id: string; status: string; message: string; fix: string }> };
    const timing = report.checks.find((c) => c.id === 'timing.hash')!;
    expect(timing.status).toBe('warn');
    expect(timing.message).toMatch(/faster than a wrong password/);
    const suggested = /(\$2b\$12\$[./A-Za-z0-9]{53})/.exec(timing.fix)?.[1];
    expect(suggested).toBeDefined();
    const tuned = setup({ store, timingHash: suggested! });
    const again = (await tuned.handler({ 'cognito-migrate': 'self-check' })) as unknown as { checks: Array<{ id: string; status: string }> };
    expect(again.checks.find((c) => c.id === 'timing.hash')?.status).toBe('pass');
    await store.close();
  });
});

describe('attack: different refusals answer differently', () => {
  let ambiguousTable: string;
  beforeAll(async () => {
    const schema = `refusals_${randomBytes(4).toString('hex')}`;
    ambiguousTable = `${schema}.users`;
    await sql(`CREATE SCHEMA ${schema}`);
    await sql(`CREATE TABLE ${ambiguousTable} (id serial PRIMARY KEY, username text, email text, password_hash text, enabled boolean)`);
    await sql(`INSERT INTO ${ambiguousTable} (username, password_hash) VALUES ('Ada', $1), ('ADA', $1)`, [cheap]);
  });

  it('wrong password, unknown, disabled, no hash, malformed hash, over-budget hash and an ambiguous login: one text, at least the timing hash\'s time', async () => {
    const memory = createMemoryStore([
      { username: 'wrong', id: '1', passwordHash: cost10, fields: {} },
      { username: 'disabled', id: '2', passwordHash: cheap, enabled: false, fields: {} },
      { username: 'nohash', id: '3', fields: {} },
      { username: 'malformed', id: '4', passwordHash: '$2b$10$tooshort', fields: {} },
      { username: 'unreadable', id: '5', passwordHash: 'plain-text-password', fields: {} },
      { username: 'overbudget', id: '6', passwordHash: '$2b$20$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', fields: {} },
    ]);
    const pg = createPostgresStore({ connectionString: databaseUrl(), table: ambiguousTable });
    const cases: Array<[UserStore, string, string, string, Record<string, unknown>]> = [
      [memory, 'wrong', 'nope', 'wrong_password', {}],
      [memory, 'nobody', PASSWORD, 'unknown_user', {}],
      [memory, 'disabled', PASSWORD, 'user_disabled', {}],
      [memory, 'nohash', PASSWORD, 'no_hash', {}],
      [memory, 'malformed', PASSWORD, 'malformed_hash', {}],
      [memory, 'unreadable', PASSWORD, 'malformed_hash', {}],
      [memory, 'overbudget', PASSWORD, 'hash_over_budget', {}],
      [pg, 'ada', PASSWORD, 'ambiguous_login', { caseInsensitive: true }],
    ];
    // The timing hash's own time, measured the same way.
    const reference = setup({ store: memory, timingHash: cost10 });
    const timingMs: number[] = [];
    for (let i = 0; i < 3; i++) timingMs.push((await attempt(reference.handler, `nobody-${i}`, 'x')).ms);
    for (const [store, login, password, outcome, extra] of cases) {
      const { handler, counts, log } = setup({ store, timingHash: cost10, ...extra });
      const r = await attempt(handler, login, password);
      expect(r.message, outcome).toBe(PUBLIC_MESSAGES.rejected);
      expect(counts.get(outcome), outcome).toBe(1);
      expect(r.ms, outcome).toBeGreaterThan(fastest(timingMs) * 0.8);
      expect(log.text()).not.toContain('plain-text-password');
    }
    await pg.close();
  });
});

describe('attack: the HTTP legacy API answers what it should not', () => {
  const users: ApiUser[] = [
    { username: 'ada', email: 'ada@example.com', password: 'pw-1', enabled: true },
    { username: 'off', email: 'off@example.com', password: 'pw-1', enabled: 'false' as never },
  ];
  const apis: Array<{ close(): Promise<void> }> = [];
  const api = async (behaviour?: Behaviour) => {
    const a = await startLegacyApi(users, behaviour);
    apis.push(a);
    return a;
  };
  afterEach(async () => {
    await Promise.all(apis.splice(0).map((a) => a.close()));
  });
  const handlerFor = (baseUrl: string) => setup({ store: createHttpStore({ baseUrl, authorization: 'Bearer test-token' }) });

  it('a redirect is never followed: the password never reaches the target, and its 200 migrates nobody', async () => {
    const target = await api();
    const redirecting = await api({ kind: 'redirect', status: 307, location: `${target.url}/auth/verify` });
    const { handler, counts } = handlerFor(redirecting.url);
    expect((await attempt(handler, 'ada', 'pw-1')).message).toBe(PUBLIC_MESSAGES.unavailable);
    expect(target.requests).toHaveLength(0);
    expect(counts.get('store_unavailable')).toBe(1);
  });

  it.each([
    ['an empty 204', { kind: 'verify-answers', status: 204 }],
    ['200 with an empty object', { kind: 'verify-answers', status: 200, body: {} }],
    ['200 with a user object but no id', { kind: 'verify-answers', status: 200, body: { user: { username: 'ada' } } }],
    ['201 with a full user', { kind: 'verify-answers', status: 201, body: { user: { id: 'u-ada', username: 'ada' } } }],
  ] as Array<[string, Behaviour]>)('%s from verify is a protocol error, never a migration', async (_name, behaviour) => {
    const a = await api(behaviour);
    const { handler, counts } = handlerFor(a.url);
    expect((await attempt(handler, 'ada', 'pw-1')).message).toBe(PUBLIC_MESSAGES.unavailable);
    expect(counts.get('migrated')).toBeUndefined();
  });

  it('the verify POST is never retried once it may have reached the server', async () => {
    const a = await api({ kind: 'flaky', failures: 1, status: 503 });
    const { handler } = handlerFor(a.url);
    expect((await attempt(handler, 'ada', 'pw-1')).message).toBe(PUBLIC_MESSAGES.unavailable);
    expect(a.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('"." and ".." logins are refused without a request; other logins are encoded into one path segment', async () => {
    const a = await api();
    const store = createHttpStore({ baseUrl: a.url, authorization: 'Bearer test-token', verifyPath: null });
    const ctx = { signal: new AbortController().signal, deadline: Date.now() + 3000, remainingMs: () => 3000 };
    expect(await store.findUser({ login: '..', matchEmail: false, caseInsensitive: false }, ctx)).toBeUndefined();
    expect(await store.findUser({ login: '.', matchEmail: false, caseInsensitive: false }, ctx)).toBeUndefined();
    expect(a.requests).toHaveLength(0);
    await store.findUser({ login: '../auth/verify?x=', matchEmail: false, caseInsensitive: false }, ctx);
    expect(a.requests[0]!.url).toMatch(/^\/api\/users\/\.\.%2Fauth%2Fverify%3Fx%3D\?/);
  });

  it('plain http:// to a non-loopback host is refused at configuration', () => {
    expect(() => createHttpStore({ baseUrl: 'http://legacy.example.com/api' })).toThrow(ConfigurationError);
  });

  it('"false" for enabled refuses the user', async () => {
    const a = await api();
    const { handler, counts } = handlerFor(a.url);
    expect((await attempt(handler, 'off', 'pw-1')).message).toBe(PUBLIC_MESSAGES.rejected);
    expect(counts.get('user_disabled')).toBe(1);
  });
});

describe('attack: the TOTP code travels to the store only through ClientMetadata', () => {
  // The app's ClientMetadata reaches the trigger as validationData from InitiateAuth (API reference, InitiateAuth,
  // ClientMetadata) and as clientMetadata from ForgotPassword (API reference, ForgotPassword, ClientMetadata).
  it('the handler hands the app\'s ClientMetadata to the store from where Cognito puts it, and a store\'s mfa_required is a refusal with its own outcome', async () => {
    let seen: unknown;
    const store: UserStore = {
      name: 'mfa',
      findUser: async (_q, ctx) => ((seen = ctx.clientMetadata), undefined),
      authenticate: async (_q, _p, ctx) => ((seen = ctx.clientMetadata), { outcome: 'mfa_required' }),
    };
    const { handler, counts } = setup({ store });
    const signIn = migrationEvent('ada', 'pw');
    signIn.request.validationData = { legacy_totp_code: '123456', ignored: 7 as never };
    await expect(handler(signIn, lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    expect(seen).toEqual({ legacy_totp_code: '123456' });
    expect(counts.get('mfa_required')).toBe(1);
    // On sign-in, request.clientMetadata is not where an app's metadata arrives.
    const misplaced = migrationEvent('ada', 'pw');
    misplaced.request.clientMetadata = { legacy_totp_code: '123456' };
    seen = 'untouched';
    await expect(handler(misplaced, lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    expect(seen).toBeUndefined();
    const forgot = migrationEvent('ada', undefined);
    forgot.request.clientMetadata = { source: 'reset-form' };
    await expect(handler(forgot, lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    expect(seen).toEqual({ source: 'reset-form' });
  });
});

describe('attack: enabled fails open', () => {
  let table: string;
  const spellings: Array<[string, unknown, boolean]> = [
    ['boolean false', false, false], ['boolean true', true, true], ['smallint 0', 0, false], ['smallint 1', 1, true],
    ["'false'", 'false', false], ["'f'", 'f', false], ["'F'", 'F', false], ["'no'", 'no', false], ["'NO'", 'NO', false], ["'0'", '0', false],
    ["'true'", 'true', true], ["'T'", 'T', true], ["'yes'", 'yes', true], ['NULL', null, false], ["'disabled'", 'disabled', false], ["'2'", '2', false],
  ];

  beforeAll(async () => {
    const schema = `enabled_${randomBytes(4).toString('hex')}`;
    table = `${schema}.users`;
    await sql(`CREATE SCHEMA ${schema}`);
    await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, username text, email text, password_hash text, enabled_bool boolean, enabled_int smallint, enabled_text text)`);
    for (const [name, value] of spellings) {
      const column = typeof value === 'boolean' ? 'enabled_bool' : typeof value === 'number' ? 'enabled_int' : 'enabled_text';
      await sql(`INSERT INTO ${table} (username, password_hash, ${column}) VALUES ($1, $2, $3)`, [name, cheap, value]);
    }
  });

  it.each(spellings)('PostgreSQL %s', async (name, value, migrates) => {
    const column = typeof value === 'boolean' ? 'enabled_bool' : typeof value === 'number' ? 'enabled_int' : 'enabled_text';
    const store = createPostgresStore({ connectionString: databaseUrl(), table, columns: { enabled: column } });
    const { handler, counts, log } = setup({ store });
    const r = await attempt(handler, name, PASSWORD);
    await store.close();
    expect(r.ok).toBe(migrates);
    if (!migrates) expect(counts.get('user_disabled')).toBe(1);
    if (value === null || value === 'disabled' || value === '2') {
      expect(log.text()).toContain(`column \\"${column}\\" is`);
      expect(log.text()).not.toContain('"disabled"');
    }
  });

  it('the core lets in only true or no field at all', async () => {
    const users = [
      { username: 'absent', id: '1', passwordHash: cheap, fields: {} },
      { username: 'string', id: '2', passwordHash: cheap, enabled: 'false' as never, fields: {} },
      { username: 'zero', id: '3', passwordHash: cheap, enabled: 0 as never, fields: {} },
      { username: 'null', id: '4', passwordHash: cheap, enabled: null as never, fields: {} },
    ];
    const { handler } = setup({ store: createMemoryStore(users) });
    expect((await attempt(handler, 'absent', PASSWORD)).ok).toBe(true);
    for (const login of ['string', 'zero', 'null']) expect((await attempt(handler, login, PASSWORD)).message, login).toBe(PUBLIC_MESSAGES.rejected);
  });

  it('parseFlag reads every spelling stores use, and nothing else', () => {
    for (const [, value, expected] of spellings) {
      if (value === null || value === 'disabled' || value === '2') expect(parseFlag(value)).toBeUndefined();
      else expect(parseFlag(value)).toBe(expected);
    }
  });
});

describe('attack: the database connection goes out in clear', () => {
  const sm = mockClient(SecretsManagerClient);
  afterAll(() => sm.restore());
  /** Builds the store from the environment and captures the settings pg would get. */
  async function settingsFor(env: Record<string, string>) {
    let captured: Record<string, unknown> | undefined;
    const fake: PgClientLike = { connect: async () => {}, query: async () => ({ rows: [] }), end: async () => {}, on: () => fake };
    const store = postgresStoreFromEnv(env, { clientFactory: (config) => ((captured = config as Record<string, unknown>), fake) });
    await store.findUser({ login: 'x', matchEmail: false, caseInsensitive: false }, { signal: new AbortController().signal, deadline: Date.now() + 1000, remainingMs: () => 1000 });
    return captured!;
  }

  it('a remote host from DATABASE_URL gets certificate-verified TLS by default', async () => {
    const config = await settingsFor({ DATABASE_URL: 'postgres://app:pw@db.example.com:5432/legacy' });
    expect(config.ssl).toMatchObject({ rejectUnauthorized: true });
    expect((config.ssl as { ca: string[] }).ca.length).toBeGreaterThan(10);
  });

  it('a remote host from the secret gets certificate-verified TLS by default', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'app', password: 'pw', host: 'db.example.com', port: 5432, dbname: 'legacy' }) });
    const config = await settingsFor({ DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-AbCdEf' });
    expect(config.ssl).toMatchObject({ rejectUnauthorized: true });
  });

  it('sslmode=disable in the URL cannot silently override PG_SSL=verify-full', () => {
    expect(() => postgresStoreFromEnv({ DATABASE_URL: 'postgres://app:pw@db.example.com/legacy?sslmode=disable', PG_SSL: 'verify-full' })).toThrow(/PG_SSL=verify-full contradicts sslmode in DATABASE_URL/);
  });

  it('no TLS only when asked for, or on loopback; the URL\'s ssl parameters never reach pg', async () => {
    const asked = await settingsFor({ DATABASE_URL: 'postgres://app:pw@db.example.com/legacy?sslmode=disable' });
    expect(asked.ssl).toBe(false);
    expect(String(asked.connectionString)).not.toContain('sslmode');
    expect((await settingsFor({ DATABASE_URL: 'postgres://app:pw@127.0.0.1:5432/legacy' })).ssl).toBe(false);
    expect((await settingsFor({ DATABASE_URL: 'postgres://app:pw@db.example.com/legacy', PG_SSL: 'require' })).ssl).toEqual({ rejectUnauthorized: false });
  });
});

describe('attack: stored values in output', () => {
  it('a data error in the self-check (SQLSTATE class 22) is reported by code, never quoting the value', async () => {
    const schema = `leak_${randomBytes(4).toString('hex')}`;
    await sql(`CREATE SCHEMA ${schema}`);
    await sql(`CREATE TABLE ${schema}.users (id serial PRIMARY KEY, username text, email text, password_hash text, enabled boolean)`);
    await sql(`INSERT INTO ${schema}.users (username, password_hash) VALUES ('ada', 'stored-secret-value-123')`);
    // A custom query that casts a stored value: the server's message would quote it.
    const store = createPostgresStore({ connectionString: databaseUrl(), query: `SELECT * FROM ${schema}.users WHERE username = $1 OR password_hash::int > 0` });
    const { handler } = setup({ store });
    const report = JSON.stringify(await handler({ 'cognito-migrate': 'self-check' }));
    const attemptLog = setup({ store });
    await attempt(attemptLog.handler, 'ada', PASSWORD);
    await store.close();
    expect(report).toContain('SQLSTATE 22P02');
    expect(report).not.toContain('stored-secret-value-123');
    expect(attemptLog.log.text()).not.toContain('stored-secret-value-123');
  });

  it('attribute mappings read neither inherited properties nor password or hash fields', async () => {
    const store = createMemoryStore([{ username: 'ada', id: '1', passwordHash: cheap, fields: { email: 'ada@example.com', token: cheap } }]);
    const { handler } = setup({ store, attributes: { email: 'email', 'custom:ctor': 'constructor', 'custom:proto': '__proto__' } });
    const out = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(out.response.userAttributes).toEqual({ email: 'ada@example.com' });
    expect(() => setup({ store, attributes: { 'custom:pw': 'password_hash' } })).toThrow(/named like a password, hash or secret/);
    const leaky = setup({ store, attributes: (u) => ({ 'custom:x': u.fields.token }) });
    await expect(leaky.handler(migrationEvent('ada', PASSWORD), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.unavailable);
    expect(leaky.log.text()).not.toContain(cheap);
  });
});
