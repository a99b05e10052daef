import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csv } from '../../scripts/csv/index.js';
import { lintCsvFile } from '../../src/csv/lint.js';
import { csvValue, splitCsvLine } from '../../src/csv/rules.js';

// What `aws cognito-idp get-csv-header` prints for a pool with one custom attribute.
const HEADER = ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number', 'phone_number_verified', 'address', 'updated_at', 'custom:legacy_id', 'cognito:mfa_enabled', 'cognito:username'];
let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-lint-'));
  await writeFile(join(dir, 'header.json'), JSON.stringify({ UserPoolId: 'eu-west-1_X', CSVHeader: HEADER }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function row(values: Record<string, string>, header: readonly string[] = HEADER): string {
  const base: Record<string, string> = { 'cognito:username': 'ada', 'cognito:mfa_enabled': 'false', email: 'ada@example.com', email_verified: 'true', phone_number_verified: 'false' };
  const record = { ...base, ...values };
  return header.map((h) => record[h] ?? '').join(',');
}
async function file(text: string | Buffer): Promise<string> {
  const path = join(dir, `f${++n}.csv`);
  await writeFile(path, text);
  return path;
}
const lint = async (lines: string[], rules = {}) => (await lintCsvFile(await file(`${lines.join('\n')}\n`), { header: HEADER, ...rules })).problems;

describe('csv lint', () => {
  it('accepts the import guide\'s own example (seed 002): booleans in capitals', async () => {
    const header = 'cognito:username,name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,phone_number_verified,address,updated_at,cognito:mfa_enabled';
    const problems = (await lintCsvFile(await file([
      header,
      'John,,John,Doe,,,,,,,johndoe@example.com,TRUE,,02/01/1985,,,+12345550100,TRUE,123 Any Street,,FALSE',
      'Jane,,Jane,Roe,,,,,,,janeroe@example.com,TRUE,,01/01/1985,,,+12345550199,TRUE,100 Main Street,,FALSE',
      '',
    ].join('\n')), { header: header.split(',') })).problems;
    expect(problems).toEqual([]);
  });

  it('accepts a blank cognito:mfa_enabled (the pool\'s required state), and refuses only the value the pool forbids', async () => {
    expect(await lint([HEADER.join(','), row({ 'cognito:mfa_enabled': '' })])).toEqual([]);
    expect(await lint([HEADER.join(','), row({ 'cognito:mfa_enabled': '' })], { mfa: 'ON' })).toEqual([]);
    expect((await lint([HEADER.join(','), row({ 'cognito:mfa_enabled': 'FALSE' })], { mfa: 'ON' }))[0]?.rule).toMatch(/the pool requires MFA/);
    expect((await lint([HEADER.join(','), row({ 'cognito:mfa_enabled': 'True' })], { mfa: 'OFF' }))[0]?.rule).toMatch(/MFA is off in the pool/);
  });

  it('checks password_hash against the job\'s algorithm and the published bounds, and refuses a hash without an algorithm or an algorithm without the column', async () => {
    const withHash = [...HEADER, 'password_hash'];
    const bcrypt = (cost: string) => `$2b$${cost}$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16`;
    const hashed = (hash: string, username = 'ada') => row({ password_hash: hash, 'cognito:username': username }, withHash);
    const lintHashed = async (lines: string[], rules = {}) => (await lintCsvFile(await file(`${[withHash.join(','), ...lines].join('\n')}\n`), { header: withHash, ...rules })).problems;
    expect(await lintHashed([hashed(bcrypt('12')), hashed('', 'bob')], { passwordHashAlgorithm: 'BCRYPT' })).toEqual([]);
    expect(await lintHashed([hashed(''), hashed('', 'bob')])).toEqual([]);
    expect(await lintHashed([hashed(''), hashed(bcrypt('10'), 'bob')])).toEqual([
      expect.objectContaining({ line: 3, column: 'password_hash', rule: 'the user has a password hash but the job has no PasswordHashingAlgorithm', fix: expect.stringMatching(/--password-hash-algorithm/) }),
    ]);
    const over = await lintHashed([hashed(bcrypt('13'))], { passwordHashAlgorithm: 'BCRYPT' });
    expect(over).toEqual([expect.objectContaining({ line: 2, column: 'password_hash', rule: 'Cognito cannot import this hash: bcrypt cost 13 is over the import bound 12' })]);
    expect(JSON.stringify(over)).not.toContain('74njSJg');
    expect(await lintHashed([hashed(bcrypt('10'))], { passwordHashAlgorithm: 'ARGON2ID' })).toEqual([expect.objectContaining({ line: 2, rule: 'a BCRYPT hash in a ARGON2ID file: one algorithm per job' })]);
    expect(await lint([HEADER.join(','), row({})], { passwordHashAlgorithm: 'BCRYPT' })).toEqual([expect.objectContaining({ line: 1, column: 'password_hash', rule: expect.stringMatching(/PasswordHashingAlgorithm is BCRYPT but the file has no password_hash column/) })]);
    await writeFile(join(dir, 'header-hash.json'), JSON.stringify({ CSVHeader: withHash }));
    const path = await file(`${[withHash.join(','), hashed(bcrypt('10'))].join('\n')}\n`);
    let printed = '';
    expect(await csv(['lint', path, '--header', join(dir, 'header-hash.json'), '--password-hash-algorithm', 'BCRYPT'], (t) => { printed += t; })).toBe(0);
    expect(printed).toMatch(/valid, 1 user/);
    await expect(csv(['lint', path, '--header', join(dir, 'header-hash.json'), '--password-hash-algorithm', 'MD5'], () => {})).rejects.toThrow(/--password-hash-algorithm takes BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256, not "MD5"/);
  });

  it('accepts a valid file, header columns in any order, escaped commas and trimmed spaces', async () => {
    const reversed = [...HEADER].reverse();
    const problems = await lint([
      reversed.join(','),
      row({ family_name: 'Lovelace\\, Countess', birthdate: '12/10/1815', updated_at: '1700000000', phone_number: '+442071838750', phone_number_verified: 'true', 'custom:legacy_id': '42', name: ' Ada ' }, reversed),
      row({ 'cognito:username': 'bob', email: 'bob@example.com' }, reversed),
    ]);
    expect(problems).toEqual([]);
  });

  it.each([
    ['a column missing from the header', () => [HEADER.slice(1).join(','), row({}).split(',').slice(1).join(',')], /this column is missing/],
    ['an unknown header column', () => [[...HEADER, 'shoe_size'].join(','), `${row({})},9`], /pool has no such column/],
    ['quoted values', () => [HEADER.join(','), row({ name: '"Ada"' })], /not quoted/],
    ['an unescaped comma', () => [HEADER.join(','), row({ family_name: 'Lovelace, Countess' })], /the line has 23 values for 22 columns/],
    ['a cognito:mfa_enabled that is not a boolean', () => [HEADER.join(','), row({ 'cognito:mfa_enabled': 'maybe' })], /must be true, false or empty/],
    ['no auto-verified attribute true', () => [HEADER.join(','), row({ email_verified: 'false' })], /does not set any of the auto verified attributes to true/],
    ['email_verified true without email', () => [HEADER.join(','), row({ email: '' })], /email_verified is true but email is empty/],
    ['a phone that is not E.164', () => [HEADER.join(','), row({ phone_number: '(206) 555-0100' })], /E.164/],
    ['phone_number_verified true without phone', () => [HEADER.join(','), row({ phone_number_verified: 'true' })], /phone_number_verified is true but phone_number is empty/],
    ['a birthdate not mm/dd/yyyy', () => [HEADER.join(','), row({ birthdate: '1815-12-10' })], /mm\/dd\/yyyy/],
    ['updated_at not POSIX seconds', () => [HEADER.join(','), row({ updated_at: '2020-01-01T00:00:00Z' })], /POSIX seconds/],
    ['a username with a space', () => [HEADER.join(','), row({ 'cognito:username': 'ada lovelace' })], /spaces or tabs/],
    ['an empty username', () => [HEADER.join(','), row({ 'cognito:username': '' })], /cognito:username is required/],
    ['a duplicate username', () => [HEADER.join(','), row({}), row({})], /duplicate username "ada"/],
    ['a line over 16,000 characters', () => [HEADER.join(','), row({ profile: 'x'.repeat(16_001) })], /16000/],
  ])('reports %s', async (_case, make, rule) => {
    const problems = await lint(make());
    expect(problems.map((p) => `${p.line} ${p.column}: ${p.rule}`).join('\n')).toMatch(rule);
    expect(problems.every((p) => p.fix.length > 0)).toBe(true);
  });

  it('applies the pool\'s MFA setting and required attributes', async () => {
    expect((await lint([HEADER.join(','), row({})], { mfa: 'ON' }))[0]!.rule).toMatch(/requires MFA/);
    expect((await lint([HEADER.join(','), row({})], { required: ['given_name'] }))[0]!.rule).toMatch(/given_name is required/);
  });

  it('reports a byte-order mark and invalid UTF-8 with their line', async () => {
    const bom = await lintCsvFile(await file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER.join(',')}\n${row({})}\n`)])), { header: HEADER });
    expect(bom.problems).toEqual([expect.objectContaining({ line: 1, rule: expect.stringMatching(/byte-order mark/) })]);
    const bad = await lintCsvFile(await file(Buffer.concat([Buffer.from(`${HEADER.join(',')}\n`), Buffer.from([0x61, 0xff, 0x62, 0x0a])])), { header: HEADER });
    expect(bad.problems).toEqual([expect.objectContaining({ line: 2, rule: 'the line is not valid UTF-8' })]);
  });

  it('reports more than 500,000 users in one file', async () => {
    const line = (i: number) => row({ 'cognito:username': `u${i}` });
    const lines = [HEADER.join(',')];
    for (let i = 0; i < 500_001; i++) lines.push(line(i));
    const result = await lintCsvFile(await file(`${lines.join('\n')}\n`), { header: HEADER });
    expect(result.users).toBe(500_001);
    expect(result.problems.map((p) => p.rule)).toEqual([expect.stringMatching(/500001 users; at most 500000/)]);
  });

  it('csv lint exits 1 with one line per problem (line, column, rule, fix), 0 when valid', async () => {
    let out = '';
    const bad = await file(`${HEADER.join(',')}\n${row({ phone_number: '555' })}\n`);
    expect(await csv(['lint', bad, '--header', join(dir, 'header.json')], (t) => { out += t; })).toBe(1);
    expect(out).toMatch(new RegExp(`${bad}:2: phone_number: .*E\\.164.*Fix: `));
    out = '';
    expect(await csv(['lint', await file(`${HEADER.join(',')}\n${row({})}\n`), '--header', join(dir, 'header.json')], (t) => { out += t; })).toBe(0);
    expect(out).toMatch(/valid, 1 user/);
  });

  it('escapes and splits values the way Cognito reads them', () => {
    expect(csvValue(' Smith, Jr. ')).toBe('Smith\\, Jr.');
    expect(csvValue('say "hi"')).toBeUndefined();
    expect(splitCsvLine('a,Smith\\, Jr.,,c')).toEqual(['a', 'Smith, Jr.', '', 'c']);
  });
});

describe('SeenSet', () => {
  it('remembers names across growth and tells repeats apart', async () => {
    const { SeenSet } = await import('../../src/csv/seen-set.js');
    const seen = new SeenSet();
    for (let i = 0; i < 200_000; i++) expect(seen.add(`user${i}`)).toBe(true);
    for (let i = 0; i < 200_000; i += 997) expect(seen.add(`user${i}`)).toBe(false);
    expect(seen.add('ünïcode')).toBe(true);
    expect(seen.add('ünïcode')).toBe(false);
  });
});
