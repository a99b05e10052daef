// cognito-migrate stage against real PostgreSQL, with sample exports in each
// source's documented shape (test/fixtures/stage/make-stage-fixtures.py).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../adapters/postgres/store.js';
import { createFirebaseScryptVerifier, parseFirebaseHashConfig } from '../../src/passwords/firebase.js';
import { createPasswordVerifier } from '../../src/passwords/registry.js';
import { arrayItems } from '../../scripts/stage/json-items.js';
import { stage } from '../../scripts/stage/index.js';
import { databaseUrl, sql } from '../support/database.js';
import { STAGED_TOTP_COLUMNS } from '../../adapters/postgres/stage.js';
import { PUBLIC_MESSAGES, createUserMigrationHandler } from '../../src/index.js';
import { TOTP_DEFAULTS } from '../../src/totp.js';
import { encodeBase32, totpAt } from '../../src/totp-check.js';
import { captureLogger, countMetrics, lambdaContext, migrationEvent } from '../support/fakes.js';

const FIXTURES = new URL('../fixtures/stage/', import.meta.url).pathname;
const fixture = (name: string) => join(FIXTURES, name);
let schema: string;
let dir: string;

beforeAll(async () => {
  schema = `stage_${randomBytes(4).toString('hex')}`;
  dir = await mkdtemp(join(tmpdir(), 'stage-'));
  process.env.DATABASE_URL = databaseUrl();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]) {
  let out = '';
  const code = await stage([...argv, '--json'], (t) => { out += t; });
  return { code, summary: JSON.parse(out) };
}

async function signIn(table: string, login: string, password: string) {
  const store = createPostgresStore({ connectionString: databaseUrl(), table });
  const ctx = { remainingMs: () => 3000, deadline: Date.now() + 3000 } as never;
  const user = await store.findUser({ login, matchEmail: true, caseInsensitive: false } as never, ctx);
  await store.close();
  if (!user?.passwordHash) return { user, ok: false };
  const passwords = createPasswordVerifier({ worker: false, verifiers: [createFirebaseScryptVerifier(parseFirebaseHashConfig(await readFile(fixture('firebase-hash-config.txt'), 'utf8')))] });
  return { user, ok: await passwords.verify(password, user.passwordHash, user.hashFormat) };
}

describe('cognito-migrate stage', () => {
  it('auth0: both export shapes, every record counted by reason, hashes verify from the table', async () => {
    const table = `${schema}.auth0`;
    const { code, summary } = await run(['auth0', fixture('auth0.ndjson'), '--table', table]);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ read: 7, staged: 4, withHash: 2, withoutHash: 2, skipped: 3 });
    expect(summary.reasons).toEqual({
      'not staged: no user id': 1,
      'not staged: an earlier record has the same id': 1,
      'not staged: a record is not valid JSON': 1,
      'staged without a hash: the export has none (a federated or passwordless user; they can reset)': 1,
      'staged without its hash: an unrecognised format: no registered verifier recognises this format; name it with hashFormat or register a verifier': 1,
    });
    const rows = await sql(`SELECT id, username, email, email_verified, phone_number, phone_number_verified, enabled, password_format, source FROM ${table} ORDER BY id`);
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: '60425dc43519d90068f82973', username: 'ada@auth0.example', email_verified: true, enabled: true, source: 'auth0' }),
      expect.objectContaining({ id: 'auth0|5f7c8ec7c33c6c004bbafe82', username: 'grace', phone_number: '+12065550123', phone_number_verified: true, enabled: false }),
    ]));
    expect(await signIn(table, 'ada@auth0.example', 'ada-password')).toMatchObject({ ok: true });
    expect(await signIn(table, 'ada@auth0.example', 'ada-passwort')).toMatchObject({ ok: false });
    expect(await signIn(table, 'grace', 'grace-password')).toMatchObject({ ok: true, user: { enabled: false } });
  });

  it('firebase: the published sample users verify with the project\'s parameters; MFA phone, provider-only and disabled users staged as such', async () => {
    const table = `${schema}.firebase`;
    const { summary } = await run(['firebase', fixture('firebase-users.json'), '--table', table, '--hash-config', fixture('firebase-hash-config.txt')]);
    expect(summary).toMatchObject({ read: 4, staged: 4, withHash: 3, withoutHash: 1, skipped: 0 });
    const [hunter] = await sql(`SELECT phone_number, phone_number_verified, sms_mfa, password_format FROM ${table} WHERE id = 'fb-user-2'`);
    expect(hunter).toEqual({ phone_number: '+12065550100', phone_number_verified: true, sms_mfa: true, password_format: 'firebase-scrypt' });
    expect(await signIn(table, 'user1@firebase.example', 'user1password')).toMatchObject({ ok: true });
    expect(await signIn(table, 'hunter@firebase.example', 'hunter2')).toMatchObject({ ok: true });
    expect(await signIn(table, 'hunter@firebase.example', 'hunter3')).toMatchObject({ ok: false });
    expect(await signIn(table, 'disabled@firebase.example', 'user1password')).toMatchObject({ user: { enabled: false } });
    await expect(stage(['firebase', fixture('firebase-users.json'), '--table', table], () => {})).rejects.toThrow(/stage firebase needs --hash-config FILE/);
  });

  it('keycloak: PBKDF2 and Argon2 credentials verify; the TOTP credential kept, and its user migrates with a code (issue 36); federated users without a hash', async () => {
    const table = `${schema}.keycloak`;
    const { summary } = await run(['keycloak', fixture('keycloak-realm.json'), '--table', table]);
    expect(summary).toMatchObject({ read: 4, staged: 4, withHash: 3, withoutHash: 1, withTotp: 1 });
    expect(summary.reasons['staged, but a TOTP credential, kept: the user migrates with a code from their authenticator, then enrols one in Cognito']).toBe(1);
    // Keycloak's TimeBasedOTP keys its HMAC with the secret text's bytes (no secretEncoding): staged as their base32.
    expect(await sql(`SELECT otp_secret, otp_algorithm, otp_digits, otp_period FROM ${table} WHERE username = 'margaret'`)).toEqual([{ otp_secret: encodeBase32(Buffer.from('JBSWY3DPEHPK3PXP')), otp_algorithm: 'SHA1', otp_digits: 6, otp_period: 30 }]);
    const store = createPostgresStore({ connectionString: databaseUrl(), table, columns: STAGED_TOTP_COLUMNS });
    try {
      const log = captureLogger();
      const handler = createUserMigrationHandler({ store, matchEmail: true, verifyWorker: false, logger: log.logger, metrics: countMetrics().metrics });
      const event = (code?: string) => {
        const e = migrationEvent('margaret@keycloak.example', 'margaret-password');
        if (code) (e.request as Record<string, unknown>).validationData = { legacy_totp_code: code };
        return e;
      };
      await expect(handler(event(), lambdaContext())).rejects.toThrow(PUBLIC_MESSAGES.rejected);
      const code = totpAt(Buffer.from('JBSWY3DPEHPK3PXP'), Math.floor(Date.now() / 30_000), TOTP_DEFAULTS);
      expect((await handler(event(code), lambdaContext())).response.userAttributes).toMatchObject({ 'custom:legacy_mfa': 'totp' });
      expect(log.text()).not.toContain('JBSWY3DPEHPK3PXP');
    } finally {
      await store.close();
    }
    expect(await signIn(table, 'linus', 'linus-password')).toMatchObject({ ok: true });
    expect(await signIn(table, 'margaret@keycloak.example', 'margaret-password')).toMatchObject({ ok: true, user: { hashFormat: 'keycloak' } });
    expect(await signIn(table, 'linus', 'margaret-password')).toMatchObject({ ok: false });
  });

  it('staging again replaces rows instead of doubling them; the text output counts and never quotes a value', async () => {
    const table = `${schema}.again`;
    for (let i = 0; i < 2; i++) await run(['auth0', fixture('auth0.ndjson'), '--table', table]);
    expect(await sql(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 4 }]);
    let out = '';
    expect(await stage(['keycloak', fixture('keycloak-realm.json'), '--table', table], (t) => { out += t; })).toBe(0);
    expect(out).toMatch(/4 records read from .*keycloak-realm.json: 4 staged into .*again \(3 with their password hash, 1 without\), 0 not staged/);
    expect(out).toMatch(/Next: point the trigger at the table: PG_TABLE=/);
    const realm = await readFile(fixture('keycloak-realm.json'), 'utf8');
    for (const secret of realm.match(/\\"value\\": \\"([^\\]+)\\"/g) ?? []) expect(out).not.toContain(secret.slice(12, 30));
  });

  it('keeps social and enterprise identities of all three sources, named as the pool names its providers (issue 33)', async () => {
    const table = `${schema}.identities`;
    const read = async (source: string, file: string, more: string[] = []) => {
      const { summary } = await run([source, fixture(file), '--table', table, ...more]);
      return summary;
    };
    expect(await read('auth0', 'auth0.ndjson')).toMatchObject({ withIdentities: 1, identities: { Google: 1 } });
    await read('firebase', 'firebase-users.json', ['--hash-config', fixture('firebase-hash-config.txt')]);
    // Keycloak's alias "github" is no default: the map names it as the pool's OIDC provider.
    expect(await read('keycloak', 'keycloak-realm.json', ['--provider-map', '{"github":"GitHubOIDC"}'])).toMatchObject({ withIdentities: 1, identities: { GitHubOIDC: 1 } });
    const rows = await sql<{ id: string; identities: unknown }>(`SELECT id, identities FROM ${table} WHERE identities IS NOT NULL ORDER BY id`);
    expect(rows).toEqual([
      { id: 'fb-user-3', identities: [{ provider: 'Google', sub: '1234' }] },
      { id: 'google-oauth2|1234567890', identities: [{ provider: 'Google', sub: '1234567890' }] },
      { id: 'kc-3', identities: [{ provider: 'GitHubOIDC', sub: '1' }] },
    ]);
    // Users with a password only carry none.
    expect(await sql(`SELECT count(*)::int AS n FROM ${table} WHERE identities IS NULL AND password_hash IS NOT NULL`)).not.toEqual([{ n: 0 }]);
    await expect(stage(['auth0', fixture('auth0.ndjson'), '--table', table, '--provider-map', '["Google"]'], () => {})).rejects.toThrow(/--provider-map \(or PROVIDER_MAP\) must be a JSON object/);
  });

  it('two Auth0 users sharing an email: neither is staged, so neither password can take the other\'s login; counted by reason', async () => {
    const file = join(dir, 'shared-email.ndjson');
    const bcrypt = (await import('bcryptjs')).default;
    const users = [
      { user_id: 'auth0|first', email: 'Shared@auth0.example', email_verified: true, passwordHash: await bcrypt.hash('first-password', 4) },
      { user_id: 'auth0|second', email: 'shared@auth0.example', email_verified: false, passwordHash: await bcrypt.hash('second-password', 4) },
      { user_id: 'auth0|third', username: 'shared@auth0.example', email: 'third@auth0.example', passwordHash: await bcrypt.hash('third-password', 4) },
      { user_id: 'auth0|alone', email: 'alone@auth0.example', email_verified: true, passwordHash: await bcrypt.hash('alone-password', 4) },
    ];
    await writeFile(file, users.map((u) => JSON.stringify(u)).join('\n'));
    const table = `${schema}.shared`;
    const { summary } = await run(['auth0', file, '--table', table]);
    expect(summary).toMatchObject({ read: 4, staged: 1, skipped: 3 });
    expect(summary.reasons).toEqual({ 'not staged: another record has the same login (username or email, ignoring case), so neither is staged': 3 });
    expect(await sql(`SELECT id FROM ${table}`)).toEqual([{ id: 'auth0|alone' }]);
    expect(await signIn(table, 'shared@auth0.example', 'first-password')).toMatchObject({ user: undefined, ok: false });
    expect(await signIn(table, 'alone@auth0.example', 'alone-password')).toMatchObject({ ok: true });
  });

  it('attack: blocked and disabled flags fail closed in every spelling; a null entry is a malformed record, counted with its position', async () => {
    const auth0 = join(dir, 'flags.ndjson');
    await writeFile(auth0, [
      { user_id: 'a|blocked-text', email: 'a1@x.example', blocked: 'true' }, { user_id: 'a|blocked-one', email: 'a2@x.example', blocked: 1 },
      { user_id: 'a|blocked-null', email: 'a3@x.example', blocked: null }, { user_id: 'a|open-text', email: 'a4@x.example', blocked: 'false' },
      { user_id: 'a|open', email: 'a5@x.example' },
    ].map((r) => JSON.stringify(r)).join('\n'));
    const table = `${schema}.flags`;
    const { summary } = await run(['auth0', auth0, '--table', table]);
    expect(summary).toMatchObject({ read: 5, staged: 5 });
    expect(summary.reasons).toEqual({ 'staged, but its "blocked" flag could not be read, so it is staged disabled': 1, 'staged without a hash: the export has none (a federated or passwordless user; they can reset)': 5 });
    expect(Object.fromEntries((await sql<{ id: string; enabled: boolean }>(`SELECT id, enabled FROM ${table}`)).map((r) => [r.id, r.enabled]))).toEqual({
      'a|blocked-text': false, 'a|blocked-one': false, 'a|blocked-null': false, 'a|open-text': true, 'a|open': true,
    });

    const firebase = join(dir, 'flags-firebase.json');
    await writeFile(firebase, JSON.stringify({ users: [
      { localId: 'f1', email: 'f1@x.example', disabled: 'true' }, { localId: 'f2', email: 'f2@x.example', disabled: 1 },
      { localId: 'f3', email: 'f3@x.example', mfaInfo: [null] }, { localId: 'f4', email: 'f4@x.example', disabled: false },
    ] }));
    const fb = await run(['firebase', firebase, '--table', `${schema}.flags_fb`, '--hash-config', fixture('firebase-hash-config.txt')]);
    expect(fb.summary).toMatchObject({ read: 4, staged: 3, skipped: 1, positions: { 'not staged: a malformed record: "mfaInfo" holds an entry that is not an object': [3] } });
    expect(Object.fromEntries((await sql<{ id: string; enabled: boolean }>(`SELECT id, enabled FROM ${schema}.flags_fb`)).map((r) => [r.id, r.enabled]))).toEqual({ f1: false, f2: false, f4: true });

    const keycloak = join(dir, 'flags-keycloak.json');
    await writeFile(keycloak, JSON.stringify({ realm: 'r', users: [
      { id: 'k1', username: 'k1', enabled: 'false' }, { id: 'k2', username: 'k2', credentials: [null] }, { id: 'k3', username: 'k3', enabled: true },
    ] }));
    let out = '';
    expect(await stage(['keycloak', keycloak, '--table', `${schema}.flags_kc`], (t) => { out += t; })).toBe(0);
    expect(out).toMatch(/1 +not staged: a malformed record: "credentials" holds an entry that is not an object \(record 2\)/);
    expect(Object.fromEntries((await sql<{ id: string; enabled: boolean }>(`SELECT id, enabled FROM ${schema}.flags_kc`)).map((r) => [r.id, r.enabled]))).toEqual({ k1: false, k3: true });
  });

  it('a file cut short stages nothing (one transaction) and says what is wrong', async () => {
    const cut = join(dir, 'cut.json');
    const whole = await readFile(fixture('keycloak-realm.json'), 'utf8');
    await writeFile(cut, whole.slice(0, whole.indexOf('"kc-3"')));
    const table = `${schema}.cut`;
    await expect(stage(['keycloak', cut, '--table', table], () => {})).rejects.toThrow(/the "users" array is not closed: the file is cut short; nothing was staged/);
    expect(await sql(`SELECT to_regclass('${table}') AS t`)).toEqual([{ t: null }]);
    await expect(stage(['okta', cut, '--table', table], () => {})).rejects.toThrow(/auth0, firebase or keycloak, not "okta"/);
    await expect(stage(['auth0', join(dir, 'missing.ndjson'), '--table', table], () => {})).rejects.toThrow(/cannot read .*missing.ndjson \(ENOENT\)/);
    const urlFile = join(dir, 'mysql-url.txt');
    await writeFile(urlFile, 'mysql://app:pw@127.0.0.1:3306/legacy');
    await expect(stage(['auth0', fixture('auth0.ndjson'), '--table', table, '--database-url-file', urlFile], () => {})).rejects.toThrow(/stage writes to PostgreSQL/);
  });
});

describe('arrayItems: the users of a JSON export, one at a time', () => {
  const chunked = async function* (text: string, size: number) { for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size); };
  it('finds the top-level array in any formatting and across any chunk boundary, strings with braces and escapes included', async () => {
    const doc = JSON.stringify({ realm: 'users', note: '{"users": [1]}', users: [{ a: '}]"\\' }, { b: [{ c: 1 }], d: 'x' }], after: [{ z: 1 }] }, null, 1);
    for (const size of [1, 2, 3, 7, 64, 10_000]) {
      const items = [];
      for await (const text of arrayItems(chunked(doc, size), 'users')) items.push(JSON.parse(text));
      expect(items, `chunks of ${size}`).toEqual([{ a: '}]"\\' }, { b: [{ c: 1 }], d: 'x' }]);
    }
  });
  it('says when the array is missing', async () => {
    await expect((async () => { for await (const _ of arrayItems(chunked('{"accounts": []}', 4), 'users')); })()).rejects.toThrow(/no top-level "users" array/);
  });
});
