// The PostgreSQL export writes its texts in the COPY's SELECT when it can
// (adapters/postgres/project.ts). That must change nothing: for random tables
// of hostile values, the files, the report and the manifest are byte for byte
// what the export writes when it converts every user itself.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresExportSource, streamPostgresUserBatches } from '../../adapters/postgres/export.js';
import { projectionFor } from '../../adapters/postgres/project.js';
import { DEFAULT_COLUMNS } from '../../adapters/sql/rows.js';
import { type ExportOptions, type RowPlan, exportCsv } from '../../src/csv/export.js';
import { AttributeValidationError } from '../../src/errors.js';
import { databaseUrl, sql } from '../support/database.js';

const HEADER = ['name', 'given_name', 'family_name', 'nickname', 'email', 'email_verified', 'birthdate', 'phone_number', 'phone_number_verified', 'updated_at', 'custom:legacy_id', 'custom:big', 'custom:dec', 'custom:score', 'custom:tags', 'custom:meta', 'custom:seen', 'cognito:mfa_enabled', 'cognito:username', 'password_hash'];
const MAP = { given_name: 'given_name', family_name: 'family_name', nickname: 'nick', email: 'email', email_verified: 'email_verified', phone_number: 'phone_number', phone_number_verified: 'phone_verified', updated_at: 'updated_at', 'custom:legacy_id': 'id', 'custom:big': 'big', 'custom:dec': 'dec',
  // Types SQL does not write for the export: the reader converts them with the export's own parser and csvText.
  birthdate: 'born', 'custom:score': 'score', 'custom:tags': 'tags', 'custom:meta': 'meta', 'custom:seen': 'updated_plain' };
const BCRYPT = '$2b$10$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16';

// Characters that take every branch: COPY's escapes, Cognito's escape, quotes, what trim removes and what it keeps.
const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\\', ' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u0001', 'é', '漢', '@', '.', '+'), maxLength: 8 });
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('ada', 'Smith, Jr.', 'user@example.com', '+12065550100', '') },
  { weight: 3, arbitrary: tricky },
  { weight: 1, arbitrary: fc.constant(null) },
);
const hash = fc.oneof(
  fc.constantFrom(BCRYPT, `${BCRYPT} `, '$2b$13$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA',
    'pbkdf2_sha256$1000$salt$aGFzaA==', 'pbkdf2_sha256$870000$salt$aGFzaA==', '5f4dcc3b5aa765d61d8327deb882cf99', 'a,b', ''),
  fc.constant(null),
);
const timestamp = fc.oneof(
  fc.constantFrom('infinity', '-infinity', '0001-01-01 00:00:00+00', '0999-12-31 23:59:59.999999+00', '1000-01-01 00:00:00+00', '1969-12-31 23:59:59.999999+00',
    '1970-01-01 00:00:00.5+00', '9999-12-31 23:59:59.999999+00', '10000-01-01 00:00:00+00', '200000-06-01 12:00:00+00', '294276-12-31 23:59:59+00', '4713-01-01 00:00:00+00 BC'),
  fc.record({ year: fc.integer({ min: 1, max: 12000 }), day: fc.integer({ min: 0, max: 364 }), second: fc.integer({ min: 0, max: 86399 }), micro: fc.integer({ min: 0, max: 999999 }) })
    .map(({ year, day, second, micro }) => `${String(year).padStart(4, '0')}-01-01 00:00:00+00 ${year > 0 ? '' : 'BC'}`.trim() + `|${day}|${second}|${micro}`),
  fc.constant(null),
);
const flag = fc.constantFrom(true, false, null);
const row = fc.record({
  username: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('ada', 'bob', 'cy', 'dee', 'eve') }, { weight: 1, arbitrary: text }),
  email: text, given_name: text, family_name: text, nick: text, phone_number: fc.oneof(fc.constantFrom('+12065550100', '+4930123456'), text),
  email_verified: flag, phone_verified: flag, sms_mfa: flag, updated_at: timestamp, password_hash: hash,
  big: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.constant(null)),
  dec: fc.oneof(fc.constantFrom('0', '-1.50', '1e3', 'NaN', '123456789012345678901234567890.000001'), fc.constant(null)),
  enabled: fc.constantFrom('true', 'false', null, 'yes', 'no', ' t ', 'maybe', 'no, t', '1', '0', ''),
  born: fc.oneof(fc.constantFrom('infinity', '-infinity', '0001-01-01', '1990-05-17', '2000-02-29', '4713-01-01 BC', '5874897-12-31'),
    fc.record({ y: fc.integer({ min: 1, max: 9999 }), d: fc.integer({ min: 0, max: 365 }) }).map(({ y, d }) => `${String(y).padStart(4, '0')}-01-01|${d}`), fc.constant(null)),
  born_text: fc.oneof(fc.constantFrom('1990-05-17', '1990-05-17T10:00:00Z', '17/05/1990', ' 1990-05-17'), text),
  score: fc.oneof(fc.double().map(String), fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '1e300', '0.1', '5e-324'), fc.constant(null)),
  tags: fc.oneof(fc.array(tricky, { maxLength: 3 }), fc.constant(null)),
  meta: fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)).filter((j) => j !== undefined && !j.includes('\\u0000')), fc.constant(null)),
});
const ENABLED_TYPES = ['boolean', 'text', 'smallint'] as const;

let dir: string;
let schema: string;
// node-postgres reads a timestamp without time zone in the process's zone, and SQL writes its seconds only in UTC: the tests run in UTC unless a property run picks another zone.
const zone = process.env.TZ;
beforeAll(async () => {
  process.env.TZ = 'UTC';
  dir = await mkdtemp(join(tmpdir(), 'csv-projection-'));
  schema = `projection_${randomBytes(4).toString('hex')}`;
  await sql(`CREATE SCHEMA ${schema}`);
});
afterAll(async () => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
  await rm(dir, { recursive: true, force: true });
  await sql(`DROP SCHEMA ${schema} CASCADE`);
});

let tables = 0;
type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;
async function tableOf(rows: readonly Row[], enabledType: (typeof ENABLED_TYPES)[number]): Promise<string> {
  const table = `${schema}.t${++tables}`;
  await sql(`CREATE TABLE ${table} (id serial PRIMARY KEY, username text, email text, given_name varchar(40), family_name text, nick char(6), phone_number text,
    email_verified boolean, phone_verified boolean, sms_mfa boolean, updated_at timestamptz, updated_plain timestamp, password_hash text, big bigint, dec numeric, enabled ${enabledType},
    born date, born_text text, score float8, tags text[], meta jsonb)`);
  for (const r of rows) {
    const enabled = r.enabled === null ? null
      : enabledType === 'boolean' ? (['true', 'yes', ' t ', '1'].includes(r.enabled) ? true : ['false', 'no', '0'].includes(r.enabled) ? false : null)
      : enabledType === 'smallint' ? (['true', 'yes', ' t ', '1'].includes(r.enabled) ? 1 : ['false', 'no', '0'].includes(r.enabled) ? 0 : 7)
      : r.enabled;
    const [stamp, day, second, micro] = (r.updated_at ?? '').split('|');
    const [bornDay, bornShift] = (r.born ?? '').split('|');
    await sql(`INSERT INTO ${table} (username, email, given_name, family_name, nick, phone_number, email_verified, phone_verified, sms_mfa, updated_at, updated_plain, password_hash, big, dec, enabled, born, born_text, score, tags, meta)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz + $15::interval, ($10::timestamptz + $15::interval) AT TIME ZONE 'UTC', $11, $12, $13, $14,
        $16::date + $17::int, $18, $19::float8, $20::text[], $21::jsonb)`,
    [r.username, r.email, r.given_name?.slice(0, 40) ?? null, r.family_name, r.nick?.slice(0, 6) ?? null, r.phone_number, r.email_verified, r.phone_verified, r.sms_mfa, r.updated_at === null ? null : stamp, r.password_hash, r.big, r.dec, enabled, day === undefined ? '0' : `${day} days ${second} seconds ${micro} microseconds`,
      r.born === null ? null : bornDay, bornShift === undefined ? 0 : Number(bornShift), r.born_text, r.score, r.tags, r.meta]);
  }
  return table;
}

async function files(out: string): Promise<Record<string, string>> {
  const names = (await readdir(out)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(out, n), 'utf8')] as const)));
}

// A session zone with whole-second LMT offsets before 1935 and half-hour ones since, and a date style the type parsers cannot read (the export sets ISO): the server's timestamp text at its hardest.
const connection = (): pg.ClientConfig => ({ connectionString: databaseUrl(), options: '-c TimeZone=America/St_Johns -c DateStyle=SQL,DMY' });

async function bothWays(table: string, options: Omit<ExportOptions, 'outDir' | 'header'> & { header?: string[] }) {
  const tag = randomBytes(4).toString('hex');
  const header = options.header ?? HEADER;
  const projected = await exportCsv(postgresExportSource({ connection: connection(), table }), { ...options, header, outDir: join(dir, `${tag}-projected`) });
  const converted = await exportCsv(streamPostgresUserBatches({ connection: connection(), table }), { ...options, header, outDir: join(dir, `${tag}-converted`) });
  return { projected, converted, projectedFiles: await files(join(dir, `${tag}-projected`)), convertedFiles: await files(join(dir, `${tag}-converted`)) };
}

describe('csv export: the rows PostgreSQL writes are the rows the export would write', () => {
  it('projects the bench table shape at all (otherwise the comparisons below prove nothing)', async () => {
    const table = await tableOf([], 'boolean');
    const client = new pg.Client(databaseUrl());
    await client.connect();
    const { fields } = await client.query(`SELECT * FROM ${table} LIMIT 0`);
    await client.end();
    const plan: RowPlan = { header: HEADER, attributes: MAP, hashColumn: 'password_hash', mfaText: undefined, includeDisabled: false, prepare: () => { throw new Error('not used'); } };
    expect(projectionFor(fields, DEFAULT_COLUMNS, plan)).toBeDefined();
    // What needs the user objects leaves the conversion to the export: a repeated header column (only its last place gets the value) and, unmapped, a text field named as the hash column (still compared with the hash).
    expect(projectionFor(fields, DEFAULT_COLUMNS, { ...plan, header: [...HEADER, 'email'] })).toBeUndefined();
    expect(projectionFor([...fields, { name: 'custom:pw', dataTypeID: 25 }], DEFAULT_COLUMNS, { ...plan, header: [...HEADER, 'custom:pw'], attributes: undefined, hashColumn: 'custom:pw' })).toBeUndefined();
    expect(projectionFor(fields, DEFAULT_COLUMNS, { ...plan, attributes: undefined })).toBeDefined();
    // A timestamp without time zone as updated_at: SQL writes the seconds in UTC only; elsewhere the reader converts it.
    const plain = { ...plan, attributes: { ...MAP, updated_at: 'updated_plain' } };
    expect(projectionFor(fields, DEFAULT_COLUMNS, plain)!.select).toContain('extract(epoch FROM date_trunc(\'second\', q."updated_plain"))');
    process.env.TZ = 'Europe/London';
    expect(projectionFor(fields, DEFAULT_COLUMNS, plain)!.select).not.toContain('extract(epoch FROM date_trunc(\'second\', q."updated_plain"))');
    process.env.TZ = 'UTC';
  });

  it('same files, report and manifest for random tables of hostile values, under every export policy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 25 }),
        fc.constantFrom(...ENABLED_TYPES),
        fc.record({ includeDisabled: fc.boolean(), unimportable: fc.constantFrom('trigger', 'reset') as fc.Arbitrary<'trigger' | 'reset'>, mapped: fc.boolean(), plainTime: fc.boolean(), birthText: fc.boolean(), zone: fc.constantFrom('UTC', 'America/St_Johns', 'Asia/Kolkata'), withHash: fc.boolean(), mfa: fc.constantFrom(undefined, 'OPTIONAL', 'ON', 'OFF') as fc.Arbitrary<'OPTIONAL' | 'ON' | 'OFF' | undefined> }),
        async (rows, enabledType, policy) => {
          const table = await tableOf(rows, enabledType);
          // Unmapped, the header's attribute-named columns read the fields of those names.
          const header = policy.withHash ? HEADER : HEADER.filter((c) => c !== 'password_hash');
          const attributes = !policy.mapped ? undefined : { ...MAP, ...(policy.plainTime ? { updated_at: 'updated_plain' } : {}), ...(policy.birthText ? { birthdate: 'born_text' } : {}) };
          // Both paths read timestamps without time zone in this process's zone.
          process.env.TZ = policy.zone;
          const run = await bothWays(table, {
            header, includeDisabled: policy.includeDisabled, unimportable: policy.unimportable, ...(attributes ? { attributes } : {}),
            rules: { ...(policy.mfa ? { mfa: policy.mfa } : {}), autoVerified: [] },
          }).finally(() => { process.env.TZ = 'UTC'; });
          expect(run.projectedFiles).toEqual(run.convertedFiles);
          expect({ ...run.projected, reportPath: '', manifestPath: '' }).toEqual({ ...run.converted, reportPath: '', manifestPath: '' });
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('same files when the columns the reader alone needs hold commas (an enabled flag in text, a hash outside the header)', async () => {
    const base: Row = { username: 'ada', email: 'ada@example.com', given_name: 'Ada', family_name: 'Smith, Jr.', nick: null, phone_number: null, email_verified: true, phone_verified: false, sms_mfa: false, updated_at: null, password_hash: 'a,b', big: null, dec: null, enabled: 'no, t', born: null, born_text: null, score: null, tags: null, meta: null };
    const table = await tableOf([base, { ...base, username: 'bob', enabled: 'true', password_hash: BCRYPT }, { ...base, username: 'cy', password_hash: BCRYPT }], 'text');
    for (const header of [HEADER, HEADER.filter((c) => c !== 'password_hash')]) {
      const run = await bothWays(table, { header, attributes: MAP, includeDisabled: true, unimportable: 'reset', rules: { autoVerified: [] } });
      expect(run.projected.exported).toBe(3);
      expect(run.projectedFiles).toEqual(run.convertedFiles);
    }
  });

  it('a mapped value equal to the stored hash stops the export the same way', async () => {
    // Two mapped values equal the hash; the mapping's order (email first), not the header's, names the one reported.
    const table = await tableOf([{ username: 'ada', email: BCRYPT, given_name: BCRYPT.slice(0, 40), family_name: BCRYPT, nick: null, phone_number: null, email_verified: true, phone_verified: false, sms_mfa: false, updated_at: null, password_hash: BCRYPT, big: null, dec: null, enabled: 'true', born: null, born_text: null, score: null, tags: null, meta: JSON.stringify(BCRYPT) }], 'boolean');
    const options = { header: HEADER, attributes: Object.fromEntries([['email', 'email'], ...Object.entries(MAP)]) };
    const projected = await exportCsv(postgresExportSource({ connection: connection(), table }), { ...options, outDir: join(dir, 'hash-projected') }).catch((err: unknown) => err);
    const converted = await exportCsv(streamPostgresUserBatches({ connection: connection(), table }), { ...options, outDir: join(dir, 'hash-converted') }).catch((err: unknown) => err);
    expect(projected).toBeInstanceOf(AttributeValidationError);
    expect(converted).toBeInstanceOf(AttributeValidationError);
    expect(projected).toMatchObject({ attribute: 'email', rule: 'would carry the stored password hash' });
    expect(converted).toMatchObject({ attribute: 'email', rule: 'would carry the stored password hash' });
    // A value the reader converts (JSON holding the hash as a string) counts too, in its place in the mapping.
    const metaFirst = { header: HEADER, attributes: Object.fromEntries([['custom:meta', 'meta'], ...Object.entries(MAP)]) };
    const projectedMeta = await exportCsv(postgresExportSource({ connection: connection(), table }), { ...metaFirst, outDir: join(dir, 'meta-projected') }).catch((err: unknown) => err);
    const convertedMeta = await exportCsv(streamPostgresUserBatches({ connection: connection(), table }), { ...metaFirst, outDir: join(dir, 'meta-converted') }).catch((err: unknown) => err);
    expect(projectedMeta).toMatchObject({ attribute: 'custom:meta', rule: 'would carry the stored password hash' });
    expect(convertedMeta).toMatchObject({ attribute: 'custom:meta', rule: 'would carry the stored password hash' });
  });
});
