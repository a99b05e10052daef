import { describe, expect, it } from 'vitest';
import { type PgClientLike, createPostgresStore, postgresStoreFromEnv } from '../../../adapters/postgres/index.js';
import { ConfigurationError, DeadlineExceededError, StoreUnavailableError, type StoreContext } from '../../../src/index.js';

type Query = { text: string; values: unknown[]; query_timeout?: number };

/** A hand-built pg.Client stand-in that records what it is asked and answers from a script. */
function fakeClients(answer: (q: Query, clientNo: number) => Promise<{ rows: Record<string, unknown>[] }>) {
  const made: Array<{ config: Record<string, unknown>; queries: Query[]; ended: boolean; emitError?: (e: Error) => void }> = [];
  const clientFactory = (config: object): PgClientLike => {
    const entry: (typeof made)[number] = { config: config as Record<string, unknown>, queries: [], ended: false };
    made.push(entry);
    const no = made.length;
    return {
      connect: async () => undefined,
      query: async (q) => { entry.queries.push(q); return answer(q, no); },
      end: async () => { entry.ended = true; },
      on: (_e, listener) => { entry.emitError = listener; },
    };
  };
  return { made, clientFactory };
}

const ctx = (ms = 3000): StoreContext => {
  const deadline = Date.now() + ms;
  return { signal: new AbortController().signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
};
const query = { login: "o'brien", matchEmail: false, caseInsensitive: false };
const row = { id: 7, username: "o'brien", email: 'ob@example.com', password_hash: '$2b$04$hash', enabled: true, sms_mfa: false, meta: { a: 1 } };

describe('createPostgresStore', () => {
  it('passes the login only as a parameter, with quoted identifiers', async () => {
    const { made, clientFactory } = fakeClients(async () => ({ rows: [row] }));
    const store = createPostgresStore({ connectionString: 'postgres://x', table: 'legacy.accounts', clientFactory });
    await store.findUser(query, ctx());
    const q = made[0]!.queries[0]!;
    expect(q.values).toEqual(["o'brien"]);
    expect(q.text).toBe('SELECT * FROM "legacy"."accounts" WHERE "username" = $1 LIMIT 2');
    expect(q.text).not.toContain('brien');
  });

  it('builds case-insensitive and email lookups', () => {
    const store = createPostgresStore({ connectionString: 'postgres://x', columns: { email: 'mail' } });
    // Two index probes joined on the id, never an OR that defeats both indexes.
    const sql = store.sqlFor({ matchEmail: true, caseInsensitive: true });
    expect(sql).toContain('(SELECT "id" FROM "users" WHERE lower("username") = lower($1) LIMIT 2) UNION (SELECT "id" FROM "users" WHERE lower("mail") = lower($1) LIMIT 2)');
    expect(sql).not.toContain(' OR ');
  });

  it('maps a row to a legacy user without the hash in its fields', async () => {
    const { clientFactory } = fakeClients(async () => ({ rows: [row] }));
    const user = await createPostgresStore({ connectionString: 'postgres://x', clientFactory }).findUser(query, ctx());
    expect(user).toEqual({
      id: '7', passwordHash: '$2b$04$hash', enabled: true, smsMfa: false,
      fields: { id: 7, username: "o'brien", email: 'ob@example.com', enabled: true, sms_mfa: false, meta: '{"a":1}' },
    });
  });

  it('reuses one connection across lookups and caps the query timeout by the time left', async () => {
    const { made, clientFactory } = fakeClients(async () => ({ rows: [] }));
    const store = createPostgresStore({ connectionString: 'postgres://x', queryTimeoutMs: 1000, clientFactory });
    await store.findUser(query, ctx());
    await store.findUser(query, ctx(400));
    expect(made).toHaveLength(1);
    expect(made[0]!.queries[0]!.query_timeout).toBe(1000);
    expect(made[0]!.queries[1]!.query_timeout).toBeLessThanOrEqual(400);
    expect(made[0]!.config.connectionTimeoutMillis).toBe(1000);
  });

  it('warm() opens the one connection ahead of the first lookup, and a failed warm-up is tried again by it', async () => {
    const { made, clientFactory } = fakeClients(async () => ({ rows: [] }));
    const store = createPostgresStore({ connectionString: 'postgres://x', clientFactory });
    store.warm();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(made).toHaveLength(1);
    await store.findUser(query, ctx());
    expect(made).toHaveLength(1);
    let refuse = true;
    const flaky = (config: object): PgClientLike => ({ ...clientFactory(config), connect: async () => { if (refuse) { refuse = false; throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); } } });
    const second = createPostgresStore({ connectionString: 'postgres://x', clientFactory: flaky });
    second.warm();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(second.findUser(query, ctx())).resolves.toBeUndefined();
  });

  it('replaces a connection that broke, and keeps one that only saw an SQL error', async () => {
    let fail: unknown;
    const { made, clientFactory } = fakeClients(async () => { if (fail) { const f = fail; fail = undefined; throw f; } return { rows: [] }; });
    const store = createPostgresStore({ connectionString: 'postgres://x', clientFactory });
    fail = Object.assign(new Error('relation "users" does not exist'), { code: '42P01', severity: 'ERROR' });
    await expect(store.findUser(query, ctx())).rejects.toThrow('relation "users" does not exist (SQLSTATE 42P01)');
    await store.findUser(query, ctx());
    expect(made).toHaveLength(1);
    fail = new Error('Connection terminated unexpectedly');
    await expect(store.findUser(query, ctx())).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(made[0]!.ended).toBe(true);
    await store.findUser(query, ctx());
    expect(made).toHaveLength(2);
  });

  it('drops a connection whose socket errors between invocations', async () => {
    const { made, clientFactory } = fakeClients(async () => ({ rows: [] }));
    const store = createPostgresStore({ connectionString: 'postgres://x', clientFactory });
    await store.findUser(query, ctx());
    made[0]!.emitError!(new Error('read ECONNRESET'));
    await store.findUser(query, ctx());
    expect(made).toHaveLength(2);
  });

  it('reports a query timeout as DeadlineExceededError', async () => {
    const { clientFactory } = fakeClients(async () => { throw new Error('Query read timeout'); });
    await expect(createPostgresStore({ connectionString: 'postgres://x', clientFactory }).findUser(query, ctx())).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('keeps only the SQLSTATE of data exceptions, which may quote the login', async () => {
    const { clientFactory } = fakeClients(async () => { throw Object.assign(new Error(`invalid input syntax for type uuid: "${query.login}"`), { code: '22P02', severity: 'ERROR' }); });
    const err = await createPostgresStore({ connectionString: 'postgres://x', clientFactory }).findUser(query, ctx()).catch((e: unknown) => e);
    expect((err as Error).message).toContain('SQLSTATE 22P02');
    expect((err as Error).message).not.toContain('brien');
  });

  it('refuses two rows that match a case-folded login, rather than guessing', async () => {
    const { clientFactory } = fakeClients(async () => ({ rows: [{ ...row, username: 'Ann' }, { ...row, username: 'ANN' }] }));
    const store = createPostgresStore({ connectionString: 'postgres://x', clientFactory });
    await expect(store.findUser({ login: 'ann', matchEmail: false, caseInsensitive: true }, ctx())).rejects.toThrow(/more than one legacy row matches/);
  });

  it.each([
    [{}, /"connectionString" or "connection" is required/],
    [{ connectionString: 'x', tabel: 'users' }, /unknown option "tabel". Did you mean "table"/],
    [{ connectionString: 'x', table: 'users; drop table x' }, /not a plain or schema-qualified SQL identifier/],
    [{ connectionString: 'x', columns: { username: 'a"b' } }, /column name "a"b" for "username" is not a plain SQL identifier/],
    [{ connectionString: 'x', columns: { pasword: 'p' } }, /unknown option "pasword"/],
    [{ connectionString: 'x', query: 'SELECT 1' }, /must be a SELECT that uses \$1/],
    [{ connectionString: 'x', queryTimeoutMs: 0 }, /"queryTimeoutMs" must be a whole number of ms from 50 to 4800/],
  ])('rejects bad options %o', (options, message) => {
    expect(() => createPostgresStore(options as never)).toThrow(message);
  });
});

describe('postgresStoreFromEnv', () => {
  it.each([
    [{}, 'DATABASE_URL is required (or DATABASE_SECRET_ARN)'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must start with postgres://'],
    [{ DATABASE_SECRET_ARN: 'my-secret' }, 'DATABASE_SECRET_ARN must be a Secrets Manager secret ARN'],
    [{ DATABASE_URL: 'postgres://x', DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }, 'both set'],
    [{ DATABASE_URL: 'postgres://x', PG_SSL: 'on' }, 'PG_SSL must be one of disable, require, verify-full'],
    [{ DATABASE_URL: 'postgres://x', PG_COLUMNS: '"x"' }, 'PG_COLUMNS must be a JSON object'],
    [{ DATABASE_URL: 'postgres://x', PG_QUERY_TIMEOUT_MS: 'soon' }, 'PG_QUERY_TIMEOUT_MS must be a whole number'],
  ])('names the bad variable in %o', (env, message) => {
    const err = (() => { try { postgresStoreFromEnv(env); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toContain(message);
  });

  it('never puts the connection string in an error', () => {
    const err = (() => { try { postgresStoreFromEnv({ DATABASE_URL: 'postgres://u:s3cr3t@h/db', PG_TABLE: 'bad name' }); } catch (e) { return e; } })();
    expect((err as Error).message).not.toContain('s3cr3t');
  });
});
