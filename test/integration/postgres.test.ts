import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresStore, createPostgresStore } from '../../adapters/postgres/index.js';
import { DEMO_ATTRIBUTE_MAP, DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { DeadlineExceededError, PUBLIC_MESSAGES, StoreUnavailableError, type StoreContext, createUserMigrationHandler, runChecks } from '../../src/index.js';
import { databaseUrl, freshLegacyTable, sql } from '../support/database.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

const [alice, bob, carol] = DEMO_USERS as [typeof DEMO_USERS[0], typeof DEMO_USERS[0], typeof DEMO_USERS[0]];
const ctx = (ms = 3000): StoreContext => {
  const deadline = Date.now() + ms;
  return { signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
};
const byLogin = (login: string, matchEmail = false, caseInsensitive = false) => ({ login, matchEmail, caseInsensitive });

let table: string;
const opened: PostgresStore[] = [];
function store(options: Parameters<typeof createPostgresStore>[0] = {}) {
  const s = createPostgresStore({ connectionString: databaseUrl(), table, ...options });
  opened.push(s);
  return s;
}

beforeAll(async () => {
  table = await freshLegacyTable('it_pg');
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

describe('PostgreSQL store against a real server', () => {
  it('migrates a bcrypt cost-10 user through the handler', async () => {
    const log = captureLogger();
    const handler = createUserMigrationHandler({ store: store(), attributes: DEMO_ATTRIBUTE_MAP, logger: log.logger, metrics: countMetrics().metrics });
    const out = await handler(migrationEvent(alice.username, alice.password), lambdaContext());
    expect(out.response.userAttributes).toMatchObject({ email: alice.email, given_name: 'Alice', 'custom:legacy_id': '1', email_verified: 'true' });
    expect(out.response.finalUserStatus).toBe('CONFIRMED');
    await expect(handler(migrationEvent(alice.username, 'nope'), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    await expect(handler(migrationEvent(bob.username, bob.password), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
    expect(log.text()).not.toContain(alice.password);
  });

  it('finds users by email and case-insensitively only when asked', async () => {
    const s = store();
    expect(await s.findUser(byLogin(carol.email), ctx())).toBeUndefined();
    expect((await s.findUser(byLogin(carol.email, true), ctx()))?.id).toBe('3');
    expect(await s.findUser(byLogin('CAROL@example.com', true), ctx())).toBeUndefined();
    expect((await s.findUser(byLogin('CAROL@example.com', true, true), ctx()))?.id).toBe('3');
    expect((await s.findUser(byLogin('Carol', false, true), ctx()))?.id).toBe('3');
  });

  it.each([
    ["' OR '1'='1"], ['%'], ['_'], ['a\\'], ['alice%'], ['al_ce'], ["alice'--"], ['ålîçé 🙂'], ['x'.repeat(10_000)], ['alice\u0000'],
  ])('treats %j as a login, never as SQL or a pattern', async (login) => {
    expect(await store().findUser(byLogin(login, true, true), ctx())).toBeUndefined();
  });

  it('reports a missing table as an outage naming the SQL error', async () => {
    const err = await store({ table: 'no_such_table' }).findUser(byLogin('alice'), ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/relation "no_such_table" does not exist \(SQLSTATE 42P01\)/);
  });

  it('keeps one connection per instance across many lookups', async () => {
    const s = store({ query: `SELECT *, pg_backend_pid() AS backend FROM ${table} WHERE username = $1` });
    const backends = new Set<unknown>();
    for (let i = 0; i < 20; i++) backends.add((await s.findUser(byLogin('alice'), ctx()))!.fields.backend);
    expect(backends.size).toBe(1);
    const [row] = await sql<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1', [[...backends][0]]);
    expect(Number(row!.n)).toBe(1);
  });

  it('replaces a connection the server killed', async () => {
    const s = store({ query: `SELECT *, pg_backend_pid() AS backend FROM ${table} WHERE username = $1` });
    const first = await s.findUser(byLogin('alice'), ctx());
    await sql('SELECT pg_terminate_backend($1)', [first!.fields.backend]);
    await new Promise((r) => setTimeout(r, 100));
    let second = await s.findUser(byLogin('alice'), ctx()).catch(() => undefined);
    second ??= await s.findUser(byLogin('alice'), ctx());
    expect(second!.fields.backend).not.toBe(first!.fields.backend);
  });

  it('times out a slow query within its budget, then recovers on a fresh connection', async () => {
    const s = store({ query: `SELECT *, pg_sleep(CASE WHEN $1 = 'slow' THEN 3 ELSE 0 END) FROM ${table} WHERE username = $1 OR $1 = 'slow' LIMIT 1`, queryTimeoutMs: 300 });
    const started = Date.now();
    await expect(s.findUser(byLogin('slow'), ctx())).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await s.findUser(byLogin('alice'), ctx()))?.id).toBe('1');
  });

  it('fails fast when nothing listens, and when a server accepts but never answers', async () => {
    const closed = createPostgresStore({ connectionString: 'postgres://u:p@127.0.0.1:1/db' });
    await expect(closed.findUser(byLogin('alice'), ctx())).rejects.toBeInstanceOf(StoreUnavailableError);
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const mute = createPostgresStore({ connectionString: `postgres://u:p@127.0.0.1:${port}/db`, connectTimeoutMs: 300 });
    const started = Date.now();
    await expect(mute.findUser(byLogin('alice'), ctx())).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1500);
    silent.close();
  });
});

describe('PostgreSQL self-checks against a real server', () => {
  const mode = { matchEmail: true, caseInsensitive: true };
  const statuses = (results: Array<{ id: string; status: string }>) => Object.fromEntries(results.map((r) => [r.id, r.status]));

  it('pass on a working setup, through the handler\'s self-check event', async () => {
    const handler = createUserMigrationHandler({ store: store(), matchEmail: true, logger: captureLogger().logger, metrics: countMetrics().metrics });
    const result = (await handler({ 'cognito-migrate': 'self-check' })) as unknown as { ok: boolean; checks: Array<{ id: string; status: string; message: string }> };
    expect(result.ok).toBe(true);
    // What the probes measured; a probe paused on a busy machine may reach the cap and warn.
    const { 'verify.calibration': calibration, ...others } = statuses(result.checks);
    expect(['pass', 'warn']).toContain(calibration);
    expect(others).toEqual({
      config: 'pass', 'completion.link': 'pass', 'completion.proof': 'pass', lockout: 'warn', 'verify.isolation': 'pass', 'postgres.credentials': 'pass', 'postgres.connect': 'pass', 'postgres.tls': 'pass',
      'postgres.query': 'pass', 'postgres.columns': 'pass', 'postgres.duplicates': 'pass', 'postgres.connections': 'pass', 'postgres.index': 'pass', 'timing.hash': 'pass',
    });
    expect(JSON.stringify(result)).not.toContain('local-only');
  });

  it('fail when the query returns no hash column, and warn when it has no enabled column', async () => {
    const report = await runChecks(store({ query: `SELECT id, username, email FROM ${table} WHERE username = $1` }).checks(mode));
    const columns = report.checks.filter((c) => c.id === 'postgres.columns');
    expect(columns.map((c) => c.status).sort()).toEqual(['fail', 'warn']);
    expect(columns.find((c) => c.status === 'fail')!.message).toMatch(/no "password_hash" column/);
  });

  it('fail on a missing column, naming it', async () => {
    const report = await runChecks(store({ columns: { email: 'mail' } }).checks(mode));
    expect(report.checks.find((c) => c.id === 'postgres.query')).toMatchObject({ status: 'fail', message: expect.stringMatching(/column "mail" does not exist/) });
  });

  it('fail on wrong credentials without printing them', async () => {
    const url = new URL(databaseUrl());
    url.password = 'wrong-password-123';
    const s = createPostgresStore({ connectionString: url.toString(), table });
    opened.push(s);
    const report = await runChecks(s.checks(mode));
    expect(report.checks.find((c) => c.id === 'postgres.connect')).toMatchObject({ status: 'fail', message: expect.stringMatching(/refused the credentials \(SQLSTATE 28P01\)/) });
    expect(JSON.stringify(report)).not.toContain('wrong-password-123');
  });

  it('fail on an unreachable server with the network fix', async () => {
    const report = await runChecks(createPostgresStore({ connectionString: 'postgres://u:p@127.0.0.1:1/db' }).checks(mode));
    expect(report.checks.find((c) => c.id === 'postgres.connect')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/security group/) });
  });
});
