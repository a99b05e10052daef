import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamPostgresUsers } from '../../adapters/postgres/export.js';
import { csv } from '../../scripts/csv/index.js';
import { exportCsv } from '../../src/csv/export.js';
import { lintCsvFile } from '../../src/csv/lint.js';
import { splitCsvLine } from '../../src/csv/rules.js';
import { databaseUrl, sql } from '../support/database.js';
import { TEST_LINK_KEY, testProof } from '../support/fakes.js';

const HEADER = ['name', 'given_name', 'family_name', 'email', 'email_verified', 'birthdate', 'phone_number', 'phone_number_verified', 'updated_at', 'custom:legacy_id', 'cognito:mfa_enabled', 'cognito:username'];
const WITH_HASH = [...HEADER, 'password_hash'];
const MAP = { given_name: 'given_name', family_name: 'family_name', email: 'email', email_verified: 'email_verified', birthdate: 'birthdate', phone_number: 'phone_number', phone_number_verified: 'phone_verified', updated_at: 'updated_at', 'custom:legacy_id': 'id' };
const BCRYPT = '$2b$10$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16';
const ARGON = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
let table: string;
let dir: string;

beforeAll(async () => {
  const schema = `csv_${randomBytes(4).toString('hex')}`;
  table = `${schema}.users`;
  dir = await mkdtemp(join(tmpdir(), 'csv-export-'));
  await sql(`CREATE SCHEMA ${schema}`);
  await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, username text, email text, email_verified boolean DEFAULT true, given_name text, family_name text,
    birthdate date, phone_number text, phone_verified boolean DEFAULT false, updated_at timestamptz DEFAULT '2024-01-02T03:04:05Z', password_hash text,
    enabled boolean DEFAULT true, migrated boolean DEFAULT false, sms_mfa boolean DEFAULT false)`);
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 1; i <= 20; i++) rows.push({ username: `user${i}`, email: `user${i}@example.com`, given_name: `Given${i}`, family_name: 'Plain', password_hash: i % 2 ? BCRYPT : ARGON });
  rows.push(
    { username: 'comma', email: 'comma@example.com', given_name: 'Smith, Jr.', family_name: 'Ünïcödé 漢字', birthdate: '1990-05-17', phone_number: '+12065550100', phone_verified: true, password_hash: 'pbkdf2_sha256$1000$salt$aGFzaA==' },
    { username: 'quote', email: 'quote@example.com', given_name: 'Say "hi"' },
    { username: 'badphone', email: 'badphone@example.com', phone_number: '(206) 555', phone_verified: true },
    { username: 'noverify', email: 'noverify@example.com', email_verified: false },
    { username: 'disabled', email: 'disabled@example.com', enabled: false },
    { username: 'done', email: 'done@example.com', migrated: true },
    { username: 'has space', email: 'space@example.com' },
    { username: 'user1', email: 'dup@example.com' },
    // Marked migrated, so only the exports without --migrated-column see them.
    { username: 'wscrypt', email: 'wscrypt@example.com', migrated: true, password_hash: `scrypt:32768:8:1$salt$${'ab'.repeat(64)}` },
    { username: 'django5', email: 'django5@example.com', migrated: true, password_hash: 'pbkdf2_sha256$870000$salt$aGFzaA==' },
  );
  for (const r of rows) {
    const cols = Object.keys(r);
    await sql(`INSERT INTO ${table} (${cols.join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`, Object.values(r));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readCsv(path: string) {
  const [head, ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const header = splitCsvLine(head!);
  return lines.map((l) => Object.fromEntries(splitCsvLine(l).map((v, i) => [header[i], v])));
}

describe('csv export from real PostgreSQL', () => {
  it('writes files that lint clean, splits them, and reports every user left out with the reason', async () => {
    const out = join(dir, 'plain');
    const summary = await exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), {
      header: HEADER, outDir: out, attributes: MAP, maxUsers: 8,
      skip: ({ user }) => (user.fields.migrated === true ? 'already migrated (column migrated is true)' : undefined),
    });
    expect(summary.seen).toBe(30);
    expect(summary.exported + summary.leftOut).toBe(summary.seen);
    expect(summary.files.map((f) => f.users)).toEqual([8, 8, 5]);
    for (const f of summary.files) {
      expect((await lintCsvFile(join(out, f.file), { header: HEADER })).problems).toEqual([]);
    }
    const report = await readFile(summary.reportPath, 'utf8');
    for (const [login, reason] of [['quote', 'holds a quote, a line break'], ['badphone', 'E.164'], ['noverify', 'auto verified'], ['disabled', 'disabled in the legacy store'], ['done', 'already migrated'], ['has space', 'spaces or tabs'], ['user1', 'duplicate username']]) {
      expect(report).toMatch(new RegExp(`"${login}","[^"]*${reason}`));
    }
    const comma = (await readCsv(join(out, summary.files[2]!.file))).find((r) => r['cognito:username'] === 'comma')!;
    expect(comma).toMatchObject({ given_name: 'Smith, Jr.', family_name: 'Ünïcödé 漢字', birthdate: '05/17/1990', updated_at: '1704164645', phone_number: '+12065550100', phone_number_verified: 'true', 'custom:legacy_id': '21' });
    expect(report).not.toContain(BCRYPT);
  });

  it('writes the link proof the completion asks for, made for the pool named; a header with the proof column and no key is refused', async () => {
    const header = [...HEADER, 'custom:legacy_proof'];
    const out = join(dir, 'proof');
    await expect(exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header, outDir: join(dir, 'proof-nokey'), attributes: MAP })).rejects.toThrow(/has custom:legacy_proof, and no link key was given/);
    const summary = await exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header, outDir: out, attributes: MAP, proof: { key: TEST_LINK_KEY, userPoolId: 'eu-west-1_POOL' } });
    const rows = (await Promise.all(summary.files.map((f) => readCsv(join(out, f.file))))).flat();
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row['custom:legacy_proof']).toBe(testProof(row['custom:legacy_id']!, 'eu-west-1_POOL'));
    for (const f of summary.files) expect((await lintCsvFile(join(out, f.file), { header })).problems).toEqual([]);
    await expect(exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header: HEADER, outDir: join(dir, 'proof-nocol'), attributes: MAP, proof: { key: TEST_LINK_KEY, userPoolId: 'p' } })).rejects.toThrow(/lacks custom:legacy_proof/);
  });

  it('puts importable hashes in the published password_hash column, one algorithm per file set, and leaves the rest for the sign-in trigger', async () => {
    const out = join(dir, 'hashes');
    const summary = await exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header: WITH_HASH, outDir: out, attributes: MAP });
    const byAlgorithm = Object.fromEntries(summary.files.map((f) => [f.passwordHashingAlgorithm ?? 'none', f]));
    expect(Object.keys(byAlgorithm).sort()).toEqual(['ARGON2ID', 'BCRYPT', 'PBKDF2_SHA256', 'none']);
    expect((await readCsv(join(out, byAlgorithm.BCRYPT!.file))).every((r) => r.password_hash === BCRYPT)).toBe(true);
    expect((await readCsv(join(out, byAlgorithm.ARGON2ID!.file))).every((r) => r.password_hash === ARGON)).toBe(true);
    // "comma" holds a Django PBKDF2 hash (salt "salt", key "hash"): re-encoded to the published layout.
    expect(await readCsv(join(out, byAlgorithm.PBKDF2_SHA256!.file))).toMatchObject([{ 'cognito:username': 'comma', password_hash: '$pbkdf2-sha256$1000$c2FsdA$aGFzaA' }]);
    // Each file passes the linter for the job it is for.
    for (const f of summary.files) {
      const rules = { header: WITH_HASH, ...(f.passwordHashingAlgorithm ? { passwordHashAlgorithm: f.passwordHashingAlgorithm } : {}) };
      expect((await lintCsvFile(join(out, f.file), rules)).problems, f.file).toEqual([]);
    }
    // "done" has no hash: exported without one. Werkzeug scrypt waits for the trigger while its conversion is off; Django 5's 870,000 iterations are over the bound.
    const plain = await readCsv(join(out, byAlgorithm.none!.file));
    expect(plain.map((r) => r['cognito:username'])).toEqual(['done']);
    expect(plain[0]!.password_hash).toBe('');
    const report = await readFile(summary.reportPath, 'utf8');
    expect(report).toMatch(/"wscrypt","left for the sign-in trigger: Werkzeug scrypt needs re-encoding to the published layout, and the scrypt conversion is off \(--convert scrypt turns it on\)/);
    expect(report).toMatch(/"django5","left for the sign-in trigger: PBKDF2-SHA256 at 870000 iterations is over the import bound 600000/);
    expect(report).not.toMatch(/pbkdf2_sha256\$|scrypt:32768|abab/);
    expect(summary).toMatchObject({ withHash: 21, converted: 1, withoutHash: 1, forTrigger: 2 });
    expect(summary.exported).toBe(summary.withHash + summary.withoutHash);
    const manifest = JSON.parse(await readFile(summary.manifestPath, 'utf8'));
    expect(manifest).toMatchObject({ hashColumn: 'password_hash', conversions: ['pbkdf2'], withHash: 21, converted: 1, withoutHash: 1, forTrigger: 2 });

    const both = await exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header: WITH_HASH, outDir: join(dir, 'scrypt'), attributes: MAP, conversions: ['pbkdf2', 'scrypt'] });
    const scrypt = both.files.find((f) => f.passwordHashingAlgorithm === 'SCRYPT')!;
    expect(await readCsv(join(dir, 'scrypt', scrypt.file))).toMatchObject([{ 'cognito:username': 'wscrypt', password_hash: `$scrypt$32768$8$1$73616c74$${'ab'.repeat(64)}` }]);
    expect(both).toMatchObject({ withHash: 22, converted: 2, forTrigger: 1 });
    await expect(exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header: HEADER, outDir: out, hashColumn: 'password' })).rejects.toThrow(/not in the pool's CSV header/);
  });

  it('--unimportable reset: a hash Cognito cannot import goes in without it (RESET_REQUIRED) instead of waiting for the trigger', async () => {
    const out = join(dir, 'reset');
    const summary = await exportCsv(streamPostgresUsers({ connection: databaseUrl(), table }), { header: WITH_HASH, outDir: out, attributes: MAP, unimportable: 'reset' });
    const plain = await readCsv(join(out, summary.files.find((f) => !f.passwordHashingAlgorithm)!.file));
    expect(plain.map((r) => r['cognito:username']).sort()).toEqual(['django5', 'done', 'wscrypt']);
    expect(plain.every((r) => r.password_hash === '')).toBe(true);
    expect(summary).toMatchObject({ withHash: 21, withoutHash: 3, forTrigger: 0 });
  });

  it('csv export (command) reads the header file, takes the hash column from it, and prints the files', async () => {
    const out = join(dir, 'cli');
    await writeFile(join(dir, 'header.json'), JSON.stringify({ UserPoolId: 'x', CSVHeader: WITH_HASH }));
    let printed = '';
    const code = await csv(['export', '--out', out, '--header', join(dir, 'header.json'), '--database-url', databaseUrl(), '--table', table,
      '--attribute-map', JSON.stringify(MAP), '--migrated-column', 'migrated', '--hash-formats', 'BCRYPT'], (t) => { printed += t; });
    expect(code).toBe(0);
    // Only BCRYPT goes in with a hash: the 10 bcrypt users; the 10 Argon2 users and "comma" (PBKDF2) wait for the trigger.
    expect(printed).toMatch(/users-bcrypt-0001.csv: 10 users, \d+ bytes, PasswordHashingAlgorithm BCRYPT/);
    expect(printed).toMatch(/10 exported \(10 with their hash, 0 of them re-encoded, 0 without: they reset their password\), 20 left out, 11 of them for the sign-in trigger/);
    expect((await readdir(out)).sort()).toEqual(['left-out.csv', 'manifest.json', 'users-bcrypt-0001.csv']);
    await expect(csv(['export', '--out', out, '--header', join(dir, 'header.json'), '--database-url', databaseUrl(), '--table', table, '--unimportable', 'later'], () => {}))
      .rejects.toThrow(/--unimportable takes trigger .* or reset/);
    await expect(csv(['export', '--out', out, '--header', join(dir, 'header.json'), '--database-url', databaseUrl(), '--table', table, '--convert', 'md5'], () => {}))
      .rejects.toThrow(/--convert takes pbkdf2, scrypt \(comma-separated\) or none, not "md5"/);
    // They hold users' data and hashes: readable by their owner only.
    for (const file of await readdir(out)) expect((await stat(join(out, file))).mode & 0o777, file).toBe(0o600);
  });

  it('reads through COPY exactly what a query returns: escapes, NULLs, Unicode and every common type', async () => {
    const t = `${table}_types`;
    await sql(`CREATE TABLE ${t} (id bigint PRIMARY KEY, username text, note text, flag boolean, n integer, big bigint, price numeric, at timestamptz, day date, local timestamp, doc jsonb, tags text[], password_hash text)`);
    await sql(`INSERT INTO ${t} VALUES
      (1, 'tab', E'a\\tb\\nc\\\\d\\re', true, 7, 9007199254740993, 12.50, '2024-01-02 03:04:05.123456+00', '1990-05-17', '2024-01-02 03:04:05', '{"a": [1, "x"]}', '{x,"y z"}', '$2b$10$abc'),
      (2, 'nulls', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 'ünï 漢字 🙂', E'\\\\N', false, -1, 0, 0, '1999-12-31 23:59:59-08', '2000-02-29', '1999-12-31 23:59:59.5', '"s"', '{}', '')`);
    const rows = await sql(`SELECT * FROM ${t} ORDER BY id`);
    const streamed = [];
    for await (const item of streamPostgresUsers({ connection: databaseUrl(), table: t })) streamed.push(item);
    const { toLegacyUser } = await import('../../adapters/postgres/store.js');
    const { resolveColumns } = await import('../../adapters/postgres/sql.js');
    const columns = resolveColumns(undefined, 'test');
    expect(streamed).toEqual(rows.map((row) => ({ login: String(row.username), user: toLegacyUser(row, columns) })));
    expect(streamed[0]!.user.fields.note).toBe('a\tb\nc\\d\re');
    expect(streamed[2]!.user.fields.note).toBe('\\N');
    expect(streamed[1]!.user.fields.note).toBeUndefined();
  });

  it('counts and reads in one read-only transaction: a --query that writes fails and changes nothing', async () => {
    const victim = `${table}_victim`;
    await sql(`CREATE TABLE ${victim} AS SELECT * FROM ${table}`);
    const wipe = `${table.split('.')[0]}.wipe`;
    await sql(`CREATE FUNCTION ${wipe}() RETURNS int LANGUAGE sql VOLATILE AS 'DELETE FROM ${victim}; SELECT 1'`);
    const before = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${victim}`))[0]!.n;
    await writeFile(join(dir, 'header-plain.json'), JSON.stringify({ CSVHeader: HEADER }));
    // A query with a side effect: the count would run it too.
    const writing = `SELECT * FROM ${victim} WHERE ${wipe}() = 1`;
    await expect(csv(['export', '--out', join(dir, 'writer'), '--header', join(dir, 'header-plain.json'), '--database-url', databaseUrl(), '--query', writing], () => {}))
      .rejects.toThrow(/read-only transaction/);
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${victim}`))[0]!.n).toBe(before);
  });

  it('reads the database URL from --database-url-file', async () => {
    await writeFile(join(dir, 'db-url'), `${databaseUrl()}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'header-plain.json'), JSON.stringify({ CSVHeader: HEADER }));
    const code = await csv(['export', '--out', join(dir, 'from-file'), '--header', join(dir, 'header-plain.json'), '--database-url-file', join(dir, 'db-url'), '--table', table, '--attribute-map', JSON.stringify(MAP)], () => {});
    expect(code).toBe(0);
  });
});
