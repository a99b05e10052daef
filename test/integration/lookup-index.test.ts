// Lookups that stay one index probe as the table grows: the self-check warns
// before the indexes exist, `db index --apply` creates them, and then every
// mode's plan uses one (real PostgreSQL, a table over the 10k-row threshold).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, scannedRelations } from '../../adapters/postgres/explain.js';
import { type PostgresStore, createPostgresStore } from '../../adapters/postgres/index.js';
import { main } from '../../scripts/cli/index.js';
import { runChecks, type StoreContext } from '../../src/index.js';
import { databaseUrl, sql } from '../support/database.js';

const MODES = [
  { matchEmail: false, caseInsensitive: false },
  { matchEmail: false, caseInsensitive: true },
  { matchEmail: true, caseInsensitive: false },
  { matchEmail: true, caseInsensitive: true },
];
const ROWS = 20_000;
let dir: string;
let table: string;
let citextTable: string;
const stores: PostgresStore[] = [];
const store = (t: string) => {
  const s = createPostgresStore({ connectionString: databaseUrl(), table: t });
  stores.push(s);
  return s;
};
const ctx = (): StoreContext => ({ signal: new AbortController().signal, deadline: Date.now() + 5000, remainingMs: () => 5000 });

/** Runs `cognito-migrate db index …` in this process; resolves the exit code and what it printed. */
async function dbIndex(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['db', 'index', '--database-url-file', join(dir, 'url'), ...args], { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

async function indexCheck(t: string, mode: (typeof MODES)[number]) {
  const report = await runChecks(store(t).checks(mode));
  return report.checks.find((c) => c.id === 'postgres.index')!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookup-index-'));
  await writeFile(join(dir, 'url'), databaseUrl(), { mode: 0o600 });
  const schema = `lookups_${randomBytes(4).toString('hex')}`;
  table = `${schema}.users`;
  citextTable = `${schema}.ci_users`;
  await sql(`CREATE SCHEMA ${schema}`);
  // The state a legacy table is usually in: no index but the primary key.
  await sql(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, username text NOT NULL, email text, password_hash text, enabled boolean DEFAULT true)`);
  await sql(`INSERT INTO ${table} (username, email, password_hash) SELECT 'User' || i, 'user' || i || '@Example.com', '$2b$10$x' FROM generate_series(1, ${ROWS}) AS i`);
  await sql(`ANALYZE ${table}`);
  await sql('CREATE EXTENSION IF NOT EXISTS citext');
  await sql(`CREATE TABLE ${citextTable} (id bigserial PRIMARY KEY, username citext NOT NULL, email citext, password_hash text)`);
  await sql(`INSERT INTO ${citextTable} (username, email, password_hash) SELECT 'User' || i, 'user' || i || '@Example.com', '$2b$10$x' FROM generate_series(1, ${ROWS}) AS i`);
  await sql(`ANALYZE ${citextTable}`);
}, 60_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('index-friendly lookups', () => {
  it('find the right user in every mode', async () => {
    const s = store(table);
    expect((await s.findUser({ login: 'User42', matchEmail: false, caseInsensitive: false }, ctx()))?.id).toBe('42');
    expect(await s.findUser({ login: 'user42', matchEmail: false, caseInsensitive: false }, ctx())).toBeUndefined();
    expect((await s.findUser({ login: 'user42', matchEmail: false, caseInsensitive: true }, ctx()))?.id).toBe('42');
    expect((await s.findUser({ login: 'user42@Example.com', matchEmail: true, caseInsensitive: false }, ctx()))?.id).toBe('42');
    expect((await s.findUser({ login: 'USER42@EXAMPLE.COM', matchEmail: true, caseInsensitive: true }, ctx()))?.id).toBe('42');
    expect(s.sqlFor(MODES[3]!)).not.toContain(' OR ');
  });

  it('self-check warns before the indexes exist, naming the exact statement, in every mode', async () => {
    for (const mode of MODES) {
      const check = await indexCheck(table, mode);
      expect(check.status, JSON.stringify(mode)).toBe('warn');
      expect(check.message).toMatch(/scans .* \(about 20,000 rows\) on every sign-in/);
      expect(check.fix).toMatch(/CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_username(_lower)?_cm" ON "lookups_\w+"\."users" \((lower\()?"username"\)?\)/);
    }
  });

  it('db index prints what the mode needs; --apply creates it, proves each lookup uses an index, and a second run does nothing', async () => {
    const printed = await dbIndex(['--table', table, '--match-email', '--case-insensitive']);
    expect(printed.code).toBe(0);
    expect(printed.out.trim().split('\n')).toEqual([
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_username_lower_cm" ON ${table.split('.').map((p) => `"${p}"`).join('.')} (lower("username"));`,
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email_lower_cm" ON ${table.split('.').map((p) => `"${p}"`).join('.')} (lower("email"));`,
    ]);
    const applied = await dbIndex(['--table', table, '--match-email', '--case-insensitive', '--apply', '--json']);
    expect(applied.code).toBe(0);
    const report = JSON.parse(applied.out) as { applied: string[]; indexed: Array<{ index: string }>; missing: unknown[] };
    expect(report.applied).toHaveLength(2);
    expect(report.indexed.map((i) => i.index).sort()).toEqual(['users_email_lower_cm', 'users_username_lower_cm']);
    expect(report.missing).toEqual([]);
    expect((await dbIndex(['--table', table, '--match-email'])).code).toBe(0);
    await dbIndex(['--table', table, '--match-email', '--apply']);
    const again = await dbIndex(['--table', table, '--match-email', '--case-insensitive', '--apply', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ statements: [], applied: [], missing: [] });
    // Every mode's self-check passes now, and its whole lookup's plan reads no table sequentially.
    for (const mode of MODES) {
      expect((await indexCheck(table, mode)).status, JSON.stringify(mode)).toBe('pass');
      const s = store(table);
      const plan = await explain((text, values) => sql(text, values).then((rows) => ({ rows })), s.sqlFor(mode), 'User42');
      expect(scannedRelations(plan), JSON.stringify(mode)).toEqual([]);
    }
  }, 60_000);

  it('citext columns are compared and indexed as they are', async () => {
    const s = store(citextTable);
    const mode = { matchEmail: true, caseInsensitive: true };
    expect((await s.findUser({ login: 'USER7@example.COM', ...mode }, ctx()))?.id).toBe('7');
    expect(s.sqlFor(mode)).toContain('"username" = $1');
    expect(s.sqlFor(mode)).not.toContain('lower(');
    const printed = await dbIndex(['--table', citextTable, '--match-email', '--case-insensitive']);
    expect(printed.out).toContain('ON "' + citextTable.split('.')[0] + '"."ci_users" ("username");');
  });
});

describe('the identity lookup (issue 33)', () => {
  it('db index creates the GIN index over the identities column; then a federated sign-in\'s row is one index probe, and found', async () => {
    const t = `${table.split('.')[0]}.fed_users`;
    await sql(`CREATE TABLE ${t} (id bigserial PRIMARY KEY, username text NOT NULL, email text, password_hash text, identities jsonb)`);
    await sql(`INSERT INTO ${t} (username, email, identities) SELECT 'fed' || i, 'fed' || i || '@example.com', CASE WHEN i % 2 = 0 THEN jsonb_build_array(jsonb_build_object('provider', 'Google', 'sub', 'g' || i)) END FROM generate_series(1, ${ROWS}) AS i`);
    await sql(`ANALYZE ${t}`);
    const columns = JSON.stringify({ identities: 'identities' });
    const before = await dbIndex(['--table', t, '--columns', columns, '--json']);
    expect(JSON.parse(before.out)).toMatchObject({ identities: { index: 'fed_users_identities_cm', used: false } });
    expect(JSON.parse(before.out).statements).toContain(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "fed_users_identities_cm" ON "${t.split('.')[0]}"."fed_users" USING gin ((CAST("identities" AS jsonb)) jsonb_path_ops)`);
    const applied = await dbIndex(['--table', t, '--columns', columns, '--apply']);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/identities \(identities\): the lookup uses fed_users_identities_cm/);
    const s = createPostgresStore({ connectionString: databaseUrl(), table: t, columns: { identities: 'identities' } });
    stores.push(s);
    expect((await s.findByIdentity!({ provider: 'Google', sub: 'g42' }, ctx()))?.id).toBe('42');
    expect(await s.findByIdentity!({ provider: 'Google', sub: 'g43' }, ctx())).toBeUndefined();
    const again = await dbIndex(['--table', t, '--columns', columns, '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ identities: { used: true } });
  });
});
