// The MySQL adapter against a real MariaDB server: lookup modes under MySQL's
// forgiving collations, injection, TLS by default, outage, stored values in
// output, self-checks, the migrated marker and the export.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MysqlConnectionLike, createMysqlStore, mysqlStoreFromEnv, streamMysqlUsers } from '../../adapters/mysql/index.js';
import { explainMysqlError } from '../../adapters/mysql/sql.js';
import { startLambdaServer } from '../../scripts/lib/lambda-server.mjs';
import { startMariadb } from '../../scripts/lib/mariadb.mjs';
import { PUBLIC_MESSAGES, type UserStore, createUserMigrationHandler } from '../../src/index.js';
import { exportCsv } from '../../src/csv/export.js';
import { main } from '../../scripts/cli/index.js';
import { freshMysqlTable, mysqlSql, mysqlUrl } from '../support/database.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';
import { expectOutageAndRecovery } from '../support/outage.js';

const USERS = [
  { username: 'ada', email: 'ada@example.com', password: 'pw-ada', given_name: 'Ada' },
  { username: 'Émile', email: 'emile@example.com', password: 'pw-emile' },
  { username: 'Bob', email: 'bob1@example.com', password: 'pw-bob1' },
  { username: 'bob', email: 'bob2@example.com', password: 'pw-bob2' },
  { username: 'off', email: 'off@example.com', password: 'pw-off', enabled: false },
];
let table: string;
const stores: UserStore[] = [];
const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 3000, remainingMs: () => 3000 });
const store = (more: Record<string, unknown> = {}) => {
  const s = createMysqlStore({ connectionString: mysqlUrl(), table, ...more });
  stores.push(s);
  return s;
};
const handlerFor = (s: UserStore, extra: Record<string, unknown> = {}) => {
  const log = captureLogger();
  const m = countMetrics();
  return { handler: createUserMigrationHandler({ store: s, logger: log.logger, metrics: m.metrics, ...extra }), log, counts: m.counts };
};

beforeAll(async () => {
  table = await freshMysqlTable('my_int', USERS);
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close?.()));
});

describe('attack: a login a latin1 table cannot hold', () => {
  it('is an unknown user in every lookup mode, not an outage (ER_CANT_AGGREGATE_2COLLATIONS) with an error log and an alarm', async () => {
    const db = `my_latin1_${Date.now().toString(36)}`;
    await mysqlSql(`CREATE DATABASE \`${db}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
    await mysqlSql(`CREATE TABLE \`${db}\`.users (id INT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(100) NOT NULL, email VARCHAR(100), password_hash VARCHAR(255), INDEX (username), INDEX (email)) CHARACTER SET latin1`);
    await mysqlSql(`INSERT INTO \`${db}\`.users (username, email, password_hash) VALUES ('ada', 'ada@example.com', '$2b$04$abcdefghijklmnopqrstuuQyqW5Jw0mUv6C2yQ1xTt0mQ1bU8nK2W')`);
    const latin1 = store({ table: `${db}.users` });
    for (const login of ['ada\u{1F600}', '\u212Aelvin', 'ad\u0101']) {
      for (const mode of [{ matchEmail: false, caseInsensitive: false }, { matchEmail: true, caseInsensitive: true }]) {
        expect(await latin1.findUser({ login, ...mode }, ctx()), `${login} ${JSON.stringify(mode)}`).toBeUndefined();
      }
    }
    const { handler, counts, log } = handlerFor(latin1, { caseInsensitive: true, matchEmail: true });
    expect(await handler(migrationEvent('ada\u{1F600}', 'pw'), lambdaContext()).catch((e: Error) => e.message)).toBe(PUBLIC_MESSAGES.rejected);
    expect(Object.fromEntries(counts)).toEqual({ unknown_user: 1 });
    expect(log.records.filter((r) => r.level === 'error')).toEqual([]);
    expect((await latin1.findUser({ login: 'ada', matchEmail: false, caseInsensitive: false }, ctx()))?.id).toBe('1');
  });
});

describe('lookups under MySQL collations: the index narrows, exact bytes decide', () => {
  it('exact mode: the case, the accents and the trailing spaces must match', async () => {
    const s = store();
    const find = (login: string) => s.findUser({ login, matchEmail: false, caseInsensitive: false }, ctx());
    expect((await find('ada'))?.fields).toMatchObject({ username: 'ada', email_verified: true, enabled: true });
    for (const login of ['ADA', 'ada ', 'Emile', 'emile', 'ÉMILE']) expect(await find(login), login).toBeUndefined();
    expect((await find('Émile'))?.fields.username).toBe('Émile');
    expect((await find('bob'))?.fields.email).toBe('bob2@example.com');
  });

  it('case-insensitive mode folds case, never accents or trailing spaces; two rows that fold alike are ambiguous, even for the exact spelling', async () => {
    const s = store();
    const find = (login: string) => s.findUser({ login, matchEmail: false, caseInsensitive: true }, ctx());
    expect((await find('ADA'))?.fields.username).toBe('ada');
    expect((await find('émile'))?.fields.username).toBe('Émile');
    expect(await find('emile')).toBeUndefined();
    expect(await find('ada ')).toBeUndefined();
    await expect(find('bob')).rejects.toMatchObject({ outcome: 'ambiguous_login' });
    await expect(find('BOB')).rejects.toMatchObject({ outcome: 'ambiguous_login' });
  });

  it('username or email, as two index probes', async () => {
    const s = store();
    expect((await s.findUser({ login: 'ADA@example.com', matchEmail: true, caseInsensitive: true }, ctx()))?.fields.username).toBe('ada');
    expect(await s.findUser({ login: 'ADA@example.com', matchEmail: true, caseInsensitive: false }, ctx())).toBeUndefined();
    const plan = await s.lookupPlan({ matchEmail: true, caseInsensitive: true }, ctx());
    expect(plan?.probes.map((p) => p.indexable)).toEqual([true, true]);
  });
});

describe('attack: SQL injection through the login or the configuration', () => {
  it('logins that are SQL find nobody and change nothing (server-side prepared statements)', async () => {
    const s = store();
    for (const login of ["' OR '1'='1", "ada'; DROP TABLE users; --", 'ada\\', '%', '_', '\u0000', 'ada\u0000', '`id`', '?']) {
      for (const mode of [{ matchEmail: true, caseInsensitive: true }, { matchEmail: false, caseInsensitive: false }]) {
        expect(await s.findUser({ login, ...mode }, ctx()), JSON.stringify(login)).toBeUndefined();
      }
    }
    expect(await mysqlSql(`SELECT COUNT(*) AS n FROM ${table}`)).toEqual([{ n: USERS.length }]);
  });

  it('table and column names that are not plain identifiers are refused at configuration', () => {
    expect(() => createMysqlStore({ connectionString: mysqlUrl(), table: 'users`; DROP TABLE x; --' })).toThrow(/not a plain or schema-qualified SQL identifier/);
    expect(() => createMysqlStore({ connectionString: mysqlUrl(), columns: { username: 'login`' } })).toThrow(/not a plain SQL identifier/);
    expect(() => createMysqlStore({ connectionString: mysqlUrl(), query: 'SELECT * FROM users' })).toThrow(/uses \? for the login/);
  });
});

describe('attack: the database connection goes out in clear', () => {
  const sm = mockClient(SecretsManagerClient);
  afterAll(() => sm.restore());
  async function settingsFor(env: Record<string, string>) {
    let captured: Record<string, unknown> | undefined;
    const fake: MysqlConnectionLike = { execute: async () => [[], []], end: async () => {}, destroy: () => {}, on: () => fake };
    const s = mysqlStoreFromEnv(env, { connect: async (o) => ((captured = o as Record<string, unknown>), fake) });
    await s.findUser({ login: 'x', matchEmail: false, caseInsensitive: false }, ctx());
    return captured!;
  }
  it('a remote host gets certificate-verified TLS by default, from the URL or the secret', async () => {
    const fromUrl = await settingsFor({ DATABASE_URL: 'mysql://app:pw@db.example.com:3306/legacy' });
    expect(fromUrl.ssl).toMatchObject({ rejectUnauthorized: true });
    expect((fromUrl.ssl as { ca: string[] }).ca.length).toBeGreaterThan(10);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'app', password: 'pw', host: 'db.example.com', dbname: 'legacy' }) });
    const fromSecret = await settingsFor({ DATABASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-AbCdEf' });
    expect(fromSecret).toMatchObject({ host: 'db.example.com', port: 3306, ssl: { rejectUnauthorized: true } });
  });
  it('no TLS only when asked for, or on loopback; TLS settings in the URL are refused', async () => {
    expect((await settingsFor({ DATABASE_URL: 'mysql://app:pw@127.0.0.1:3306/legacy' })).ssl).toBeUndefined();
    expect((await settingsFor({ DATABASE_URL: 'mysql://app:pw@db.example.com/legacy', MYSQL_SSL: 'require' })).ssl).toEqual({ rejectUnauthorized: false });
    expect((await settingsFor({ DATABASE_URL: 'mysql://app:pw@db.example.com/legacy', MYSQL_SSL: 'disable' })).ssl).toBeUndefined();
    expect(() => mysqlStoreFromEnv({ DATABASE_URL: 'mysql://app:pw@db.example.com/legacy?ssl={"rejectUnauthorized":false}' })).toThrow(/TLS settings in DATABASE_URL are not read/);
    expect(() => mysqlStoreFromEnv({ DATABASE_URL: 'postgres://app:pw@db.example.com/legacy' })).toThrow(/must start with mysql:\/\/ or mariadb:\/\//);
  });
  it('a server without TLS, when TLS is required, fails the self-check with the fix', async () => {
    const url = new URL(mysqlUrl());
    const s = mysqlStoreFromEnv({ DATABASE_URL: url.toString(), MYSQL_TABLE: table, MYSQL_SSL: 'require' });
    stores.push(s);
    const report = JSON.stringify(await handlerFor(s).handler({ 'cognito-migrate': 'self-check' } as never, lambdaContext()));
    expect(report).toMatch(/mysql\.connect.*(does not offer TLS|HANDSHAKE_NO_SSL_SUPPORT)/);
  });
});

describe('attack: stored values in output', () => {
  it('a server error that quotes a value (a duplicate key) is reported by its code only', async () => {
    const own = `${table}_dup`;
    await mysqlSql(`CREATE TABLE ${own} (id VARCHAR(64) PRIMARY KEY)`);
    await mysqlSql(`INSERT INTO ${own} VALUES ('stored-secret-value-123')`);
    const err = await mysqlSql(`INSERT INTO ${own} VALUES ('stored-secret-value-123')`).catch((e: unknown) => e);
    // The server's own text quotes the value; what the adapter reports does not.
    expect(String((err as Error).message)).toContain('stored-secret-value-123');
    expect(explainMysqlError(err as never)).toBe('a row breaks a constraint (ER_DUP_ENTRY, SQLSTATE 23000)');
  });

  it('a failing lookup refuses through the handler with the public text, its log naming the error code only', async () => {
    const s = store({ query: `SELECT * FROM ${table}_missing WHERE username = ?` });
    const { handler, log } = handlerFor(s);
    await expect(handler(migrationEvent('ada', 'pw-ada'), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.unavailable);
    expect(log.text()).toMatch(/ER_NO_SUCH_TABLE/);
    expect(log.text()).not.toContain('pw-ada');
  });
});

describe('through the handler', () => {
  it('migrates with the right password, refuses a wrong one and a disabled user, and records the migration once', async () => {
    await mysqlSql(`ALTER TABLE ${table} ADD COLUMN migrated_at DATETIME(3) NULL`);
    const s = store({ markMigrated: { column: 'migrated_at' } });
    const { handler } = handlerFor(s, { attributes: { email: 'email', given_name: 'given_name', 'custom:legacy_id': 'id' } });
    const result = await handler(migrationEvent('ada', 'pw-ada'), lambdaContext());
    expect(result.response.userAttributes).toMatchObject({ email: 'ada@example.com', given_name: 'Ada', 'custom:legacy_id': '1' });
    await expect(handler(migrationEvent('ada', 'wrong'), lambdaContext())).rejects.toThrow();
    await expect(handler(migrationEvent('off', 'pw-off'), lambdaContext())).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    const [first] = await mysqlSql(`SELECT migrated_at FROM ${table} WHERE username = 'ada'`);
    expect(first!.migrated_at).toBeInstanceOf(Date);
    await handler(migrationEvent('ada', 'pw-ada'), lambdaContext());
    await new Promise((r) => setTimeout(r, 100));
    expect(await mysqlSql(`SELECT migrated_at FROM ${table} WHERE username = 'ada'`)).toEqual([first]);
  });

  it('self-check: every check passes on a healthy table; a wrong table fails with the fix', async () => {
    const ok = JSON.parse(JSON.stringify(await handlerFor(store({ markMigrated: { column: 'migrated_at' } }), { matchEmail: true }).handler({ 'cognito-migrate': 'self-check' } as never, lambdaContext())));
    const byId = Object.fromEntries(ok.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(byId).toMatchObject({ 'mysql.credentials': 'pass', 'mysql.connect': 'pass', 'mysql.tls': 'pass', 'mysql.query': 'pass', 'mysql.columns': 'pass', 'mysql.mark-migrated': 'pass', 'mysql.connections': 'pass', 'mysql.index': 'pass' });
    const bad = JSON.stringify(await handlerFor(createMysqlStore({ connectionString: mysqlUrl(), table: `${table}_missing` })).handler({ 'cognito-migrate': 'self-check' } as never, lambdaContext()));
    expect(bad).toMatch(/mysql\.query.*doesn't exist.*Set MYSQL_TABLE/);
  });

  it('MariaDB stopped mid-run: answers within the deadline with the retriable error, then recovers', async () => {
    const own = await startMariadb({ own: true });
    try {
      const mysql = await import('mysql2/promise');
      const c = await mysql.createConnection({ uri: own.url });
      await c.query('CREATE TABLE users (id INT PRIMARY KEY, username VARCHAR(64) UNIQUE, email VARCHAR(64), password_hash VARCHAR(100), enabled BOOLEAN DEFAULT TRUE)');
      await c.query('INSERT INTO users VALUES (1, ?, NULL, ?, TRUE)', ['ada', (await import('bcryptjs')).default.hashSync('pw-ada', 4)]);
      await c.end();
      const { handler, counts } = handlerFor(createMysqlStore({ connectionString: own.url, table: 'users' }), { timeoutMs: 1500 });
      await expectOutageAndRecovery(handler, own, counts);
    } finally {
      await own.stop();
    }
  });
});

describe('the deployable function (dist/mysql/index.mjs)', () => {
  it('signs a user in from the environment alone, refuses a wrong password, and its self-check passes, logging no password or hash at DEBUG', async () => {
    const lines: string[] = [];
    const root = new URL('../../', import.meta.url).pathname;
    const lambda = await startLambdaServer({
      onLog: (l: string) => lines.push(l),
      functions: { fn: { file: join(root, 'dist', 'mysql', 'index.mjs'), env: { DATABASE_URL: mysqlUrl(), MYSQL_TABLE: table, MATCH_EMAIL: 'true', CASE_INSENSITIVE: 'true', POWERTOOLS_LOG_LEVEL: 'DEBUG' } } },
    });
    try {
      const invoke = async (event: object) => {
        const res = await fetch(`${lambda.url}/2015-03-31/functions/fn/invocations`, { method: 'POST', body: JSON.stringify(event) });
        return { error: res.headers.get('x-amz-function-error'), body: await res.json() as Record<string, unknown> };
      };
      expect(await invoke(migrationEvent('ADA@example.com', 'pw-ada'))).toMatchObject({ error: null, body: { response: { finalUserStatus: 'CONFIRMED' } } });
      expect((await invoke(migrationEvent('ada', 'wrong'))).error).toBeTruthy();
      const report = (await invoke({ 'cognito-migrate': 'self-check' })).body;
      expect(JSON.stringify(report)).toMatch(/"mysql\.query","status":"pass"/);
      await new Promise((r) => setTimeout(r, 100));
      expect(lines.join('\n')).not.toMatch(/pw-ada|\$2[aby]\$/);
    } finally {
      await lambda.close();
    }
  });
});

describe('the deployable function\'s mysql2 build (scripts/lib/mysql2-slim.mjs: no iconv-lite tables)', () => {
  it('reads text from latin1 and sjis columns right: the server sends it in the connection\'s utf8mb4', async () => {
    const t = await freshMysqlTable('my_charsets', [{ username: 'zoe', email: 'zoe@example.com', password: 'pw-zoe' }]);
    await mysqlSql(`ALTER TABLE ${t} CONVERT TO CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
    await mysqlSql(`ALTER TABLE ${t} MODIFY family_name VARCHAR(100) CHARACTER SET sjis`);
    await mysqlSql(`UPDATE ${t} SET given_name = ?, family_name = ? WHERE username = 'zoe'`, ['Zoë Ñúñez', 'やまだ']);
    const root = new URL('../../', import.meta.url).pathname;
    const lambda = await startLambdaServer({
      functions: { fn: { file: join(root, 'dist', 'mysql', 'index.mjs'), env: {
        DATABASE_URL: mysqlUrl(), MYSQL_TABLE: t, MATCH_EMAIL: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT',
        ATTRIBUTE_MAP: JSON.stringify({ email: 'email', given_name: 'given_name', family_name: 'family_name' }),
      } } },
    });
    try {
      const res = await fetch(`${lambda.url}/2015-03-31/functions/fn/invocations`, { method: 'POST', body: JSON.stringify(migrationEvent('zoe@example.com', 'pw-zoe')) });
      const text = await res.clone().text(); expect(res.headers.get('x-amz-function-error'), text).toBeNull();
      const body = await res.json() as { response: { userAttributes: Record<string, string> } };
      expect(body.response.userAttributes).toMatchObject({ given_name: 'Zoë Ñúñez', family_name: 'やまだ' });
    } finally {
      await lambda.close();
    }
  });
});

describe('csv export from MariaDB', () => {
  it('streams every user in one snapshot and writes files that count each one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'my-export-'));
    try {
      let total = 0;
      const summary = await exportCsv(streamMysqlUsers({ connection: mysqlUrl(), table, onCount: (n) => (total = n) }), {
        header: ['email', 'email_verified', 'custom:legacy_id', 'cognito:mfa_enabled', 'cognito:username', 'password_hash'], outDir: dir,
        attributes: { email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' },
      });
      expect(total).toBe(USERS.length);
      expect(summary).toMatchObject({ seen: USERS.length, exported: USERS.length - 1, withHash: USERS.length - 1 });
      expect(summary.files.map((f) => f.passwordHashingAlgorithm)).toEqual(['BCRYPT']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the command line on MariaDB: db index and csv export', () => {
  const cli = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
    return { code, out, err };
  };
  it('db index prints the missing indexes, adds them online with --apply, proves them with EXPLAIN, and does nothing the second time', async () => {
    const big = `${table}_big`;
    await mysqlSql(`CREATE TABLE ${big} (id BIGINT PRIMARY KEY, username TEXT NOT NULL, email VARCHAR(191), password_hash VARCHAR(100)) COLLATE utf8mb4_general_ci`);
    await mysqlSql(`INSERT INTO ${big} SELECT seq, CONCAT('user', seq), CONCAT('user', seq, '@example.com'), NULL FROM seq_1_to_20000`);
    await mysqlSql(`ANALYZE TABLE ${big}`);
    process.env.DATABASE_URL = mysqlUrl();
    const args = ['db', 'index', '--table', big, '--match-email', '--case-insensitive'];
    const dry = await cli([...args, '--json']);
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.out);
    expect(planned.statements).toHaveLength(2);
    expect(planned.statements[0]).toMatch(/ADD INDEX `users_big_username_cm` \(`username`\(191\)\), ALGORITHM=INPLACE, LOCK=NONE/);
    expect(planned.scans).toBeGreaterThan(0);
    const applied = await cli([...args, '--apply', '--json']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.out)).toMatchObject({ applied: planned.statements, scans: 0 });
    expect(JSON.parse((await cli([...args, '--json'])).out)).toMatchObject({ statements: [], scans: 0 });
  });

  it('identities (issue 33): db index makes a side table kept by triggers; the store joins it, and finds rows written before and after', async () => {
    const fed = `${table}_fed`;
    await mysqlSql(`CREATE TABLE ${fed} (id BIGINT PRIMARY KEY, username VARCHAR(191) NOT NULL, email VARCHAR(191), password_hash VARCHAR(100), identities TEXT NULL) COLLATE utf8mb4_general_ci`);
    await mysqlSql(`INSERT INTO ${fed} SELECT seq, CONCAT('fed', seq), CONCAT('fed', seq, '@example.com'), NULL, IF(seq % 2 = 0, CONCAT('[{"provider":"Google","sub":"g', seq, '"}]'), IF(seq = 3, 'not json', NULL)) FROM seq_1_to_20000`);
    process.env.DATABASE_URL = mysqlUrl();
    const args = ['db', 'index', '--table', fed, '--columns', JSON.stringify({ identities: 'identities' })];
    const dry = JSON.parse((await cli([...args, '--json'])).out);
    expect(dry.identities).toEqual({ table: 'users_fed_cm_identities', used: false });
    expect(dry.statements.filter((x: string) => /TRIGGER (`\w+`\.)?`users_fed_cm_identities_a[iud]`/.test(x) && x.startsWith('CREATE'))).toHaveLength(3);
    const applied = await cli([...args, '--apply', '--json']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.out).identities).toEqual({ table: 'users_fed_cm_identities', used: true });
    expect(JSON.parse((await cli([...args, '--json'])).out).statements).toEqual([]);
    const store = createMysqlStore({ connectionString: mysqlUrl(), table: fed, columns: { identities: 'identities', identitiesTable: 'users_fed_cm_identities' } });
    try {
      const ctx = { signal: new AbortController().signal, deadline: Date.now() + 3000, remainingMs: () => 3000 };
      expect((await store.findByIdentity!({ provider: 'Google', sub: 'g19998' }, ctx))?.id).toBe('19998');
      expect(await store.findByIdentity!({ provider: 'Google', sub: 'g19999' }, ctx)).toBeUndefined();
      // The triggers: a new row, a changed cell, a deleted row; a second row with the same identity is ambiguous.
      await mysqlSql(`INSERT INTO ${fed} VALUES (30001, 'late', NULL, NULL, '[{"provider":"SignInWithApple","sub":"a1"}]')`);
      await mysqlSql(`UPDATE ${fed} SET identities = '[{"provider":"Google","sub":"moved"}]' WHERE id = 2`);
      await mysqlSql(`DELETE FROM ${fed} WHERE id = 4`);
      expect((await store.findByIdentity!({ provider: 'SignInWithApple', sub: 'a1' }, ctx))?.id).toBe('30001');
      expect((await store.findByIdentity!({ provider: 'Google', sub: 'moved' }, ctx))?.id).toBe('2');
      expect(await store.findByIdentity!({ provider: 'Google', sub: 'g2' }, ctx)).toBeUndefined();
      expect(await store.findByIdentity!({ provider: 'Google', sub: 'g4' }, ctx)).toBeUndefined();
      await mysqlSql(`UPDATE ${fed} SET identities = '[{"provider":"Google","sub":"g6"}]' WHERE id = 8`);
      await expect(store.findByIdentity!({ provider: 'Google', sub: 'g6' }, ctx)).rejects.toMatchObject({ reason: 'ambiguous_login' });
      // A write the users table gets that leaves the identities alone, and one that is not JSON, never fail.
      await mysqlSql(`UPDATE ${fed} SET email = 'x@example.com' WHERE id = 10`);
      await mysqlSql(`UPDATE ${fed} SET identities = '[{"provider":"Google"},{"sub":"${'s'.repeat(300)}","provider":"Google"}]' WHERE id = 12`);
      expect((await store.findByIdentity!({ provider: 'Google', sub: 'g10' }, ctx))?.id).toBe('10');
    } finally {
      await store.close?.();
    }
  });

  it('csv export reads a mysql:// URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'my-cli-'));
    try {
      const header = join(dir, 'header.json');
      await (await import('node:fs/promises')).writeFile(header, JSON.stringify({ CSVHeader: ['email', 'email_verified', 'cognito:mfa_enabled', 'cognito:username', 'password_hash'] }));
      const r = await cli(['csv', 'export', '--out', join(dir, 'out'), '--header', header, '--table', table, '--attribute-map', JSON.stringify({ email: 'email', email_verified: 'email_verified' })]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/users-bcrypt-0001\.csv: 4 users/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('status on MariaDB', () => {
  it('reads the legacy side from a mysql:// DATABASE_URL and MYSQL_TABLE', async () => {
    const { CognitoIdentityProviderClient, ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const cognito = mockClient(CognitoIdentityProviderClient);
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'ada', UserStatus: 'CONFIRMED', Attributes: [{ Name: 'email', Value: 'ada@example.com' }] }] });
    const saved = { url: process.env.DATABASE_URL, table: process.env.MYSQL_TABLE };
    process.env.DATABASE_URL = mysqlUrl();
    process.env.MYSQL_TABLE = table;
    try {
      const { status } = await import('../../scripts/status/index.js');
      let out = '';
      expect(await status(['--user-pool-id', 'eu-west-1_Test', '--no-metrics', '--region', 'eu-west-1', '--json'], (t) => { out += t; })).toBe(0);
      const s = JSON.parse(out);
      expect(s.legacy).toMatchObject({ total: USERS.length, enabled: USERS.length - 1, withHash: USERS.length });
      expect(s.pool).toEqual({ total: 1, byStatus: { CONFIRMED: 1 } });
      expect(s.bulk.importable).toEqual({ BCRYPT: USERS.length - 2 });
    } finally {
      cognito.restore();
      process.env.DATABASE_URL = saved.url;
      process.env.MYSQL_TABLE = saved.table;
      if (saved.table === undefined) delete process.env.MYSQL_TABLE;
    }
  });
});

