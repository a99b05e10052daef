// Recording migrated users in the legacy store (markMigrated): set once after a
// successful sign-in, never failing it, never making it late (real PostgreSQL).
import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresStore, createPostgresStore } from '../../adapters/postgres/index.js';
import { csv } from '../../scripts/csv/index.js';
import { createUserMigrationHandler, runChecks } from '../../src/index.js';
import { databaseUrl, sql } from '../support/database.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

const PASSWORD = 'a legacy password';
let schema: string;
let dir: string;
const stores: PostgresStore[] = [];

beforeAll(async () => {
  schema = `marks_${randomBytes(4).toString('hex')}`;
  dir = await mkdtemp(join(tmpdir(), 'mark-migrated-'));
  await sql(`CREATE SCHEMA ${schema}`);
  const hash = await bcrypt.hash(PASSWORD, 4);
  for (const t of ['users', 'slow_users']) {
    await sql(`CREATE TABLE ${schema}.${t} (id bigserial PRIMARY KEY, username text, email text, email_verified boolean DEFAULT true, password_hash text, migrated_at timestamptz)`);
    await sql(`INSERT INTO ${schema}.${t} (username, email, password_hash) VALUES ('ada', 'ada@example.com', $1), ('bob', 'bob@example.com', $1)`, [hash]);
  }
  // An update that takes longer than any sign-in may.
  await sql(`CREATE FUNCTION ${schema}.slowly() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN PERFORM pg_sleep(3); RETURN NEW; END'`);
  await sql(`CREATE TRIGGER slowly BEFORE UPDATE ON ${schema}.slow_users FOR EACH ROW EXECUTE FUNCTION ${schema}.slowly()`);
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

function setup(table: string, column: string, timeoutMs = 3000) {
  const store = createPostgresStore({ connectionString: databaseUrl(), table: `${schema}.${table}`, markMigrated: { column } });
  stores.push(store);
  const log = captureLogger();
  const handler = createUserMigrationHandler({ store, timeoutMs, logger: log.logger, metrics: countMetrics().metrics, attributes: { email: 'email', email_verified: 'email_verified' } });
  return { handler, log, store };
}

const markedAt = async (table: string, username: string) => (await sql<{ at: Date | null }>(`SELECT migrated_at AS at FROM ${schema}.${table} WHERE username = $1`, [username]))[0]!.at;

describe('markMigrated', () => {
  it('sets the column after a successful sign-in, once, and not for a refusal', async () => {
    const { handler, log, store } = setup('users', 'migrated_at');
    await expect(handler(migrationEvent('bob', 'wrong'), lambdaContext())).rejects.toThrow();
    expect(await markedAt('users', 'bob')).toBeNull();
    await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    const first = await markedAt('users', 'ada');
    expect(first).toBeInstanceOf(Date);
    expect(log.records.at(-1)).toMatchObject({ level: 'info', extra: { outcome: 'migrated', markedMigrated: true } });
    await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(await markedAt('users', 'ada')).toEqual(first);
    expect((await runChecks(store.checks({ matchEmail: false, caseInsensitive: false }))).checks.find((c) => c.id === 'postgres.mark-migrated')).toMatchObject({ status: 'pass' });
  });

  it('a failing update (no such column) still signs the user in, and is logged as a warning naming the SQLSTATE', async () => {
    const { handler, log, store } = setup('users', 'no_such_column');
    const out = await handler(migrationEvent('bob', PASSWORD), lambdaContext());
    expect(out.response.finalUserStatus).toBe('CONFIRMED');
    expect(log.records.at(-1)).toMatchObject({ level: 'warn', extra: { outcome: 'migrated', markedMigrated: false, markProblem: 'error 42703' } });
    const check = (await runChecks(store.checks({ matchEmail: false, caseInsensitive: false }))).checks.find((c) => c.id === 'postgres.mark-migrated');
    expect(check).toMatchObject({ status: 'fail', fix: expect.stringContaining('ADD COLUMN "no_such_column" timestamptz') });
  });

  it('an update slower than the deadline is given up in time: the sign-in answers within it', async () => {
    const { handler, log } = setup('slow_users', 'migrated_at', 1000);
    const started = performance.now();
    const out = await handler(migrationEvent('ada', PASSWORD), lambdaContext());
    expect(performance.now() - started).toBeLessThan(1000 + 200);
    expect(out.response.finalUserStatus).toBe('CONFIRMED');
    expect(log.records.at(-1)).toMatchObject({ level: 'warn', extra: { outcome: 'migrated', markedMigrated: false } });
  });

  it('csv export --migrated-column leaves out the users marked migrated', async () => {
    await writeFile(join(dir, 'header.json'), JSON.stringify({ CSVHeader: ['email', 'email_verified', 'cognito:mfa_enabled', 'cognito:username'] }));
    await writeFile(join(dir, 'url'), databaseUrl());
    const code = await csv(['export', '--out', join(dir, 'out'), '--header', join(dir, 'header.json'), '--database-url-file', join(dir, 'url'),
      '--table', `${schema}.users`, '--attribute-map', '{"email":"email","email_verified":"email_verified"}', '--migrated-column', 'migrated_at'], () => {});
    expect(code).toBe(0);
    const leftOut = await readFile(join(dir, 'out', 'left-out.csv'), 'utf8');
    expect(leftOut).toMatch(/"?ada"?,"?already migrated \(column migrated_at is set\)/);
    expect(await readFile(join(dir, 'out', 'users-0001.csv'), 'utf8')).toMatch(/bob/);
  });
});
