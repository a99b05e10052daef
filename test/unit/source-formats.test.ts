// The hash formats of the systems people migrate from (issue 17): vectors made
// by the source's own code or an independent implementation
// (test/fixtures/make-source-vectors.py), detection of every prefix read from
// the string, the work budget, and {noop} refused by default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnsupportedHashError } from '../../src/errors.js';
import { createFirebaseScryptVerifier, type FirebaseScryptOptions } from '../../src/passwords/firebase.js';
import { createPasswordVerifier, verifyPassword } from '../../src/passwords/registry.js';
import { builtInVerifiers } from '../../src/passwords/builtins.js';
import { createSpringVerifier } from '../../src/passwords/spring.js';

interface Vector { format: string; tool: string; password: string; hash: string; options?: FirebaseScryptOptions }
const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/source-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

// Firebase needs the project's parameters; the rest are built in.
const registryFor = (v: Vector, worker = false) =>
  createPasswordVerifier({ ...(worker ? {} : { worker: false as const }), ...(v.options ? { verifiers: [createFirebaseScryptVerifier(v.options)] } : {}) });
const NAMED = new Set(['firebase-scrypt', 'aspnet-identity', 'keycloak', 'meteor']);

describe('source formats verify the vectors their own code made, and refuse a wrong password', () => {
  const cases = vectors.filter((v) => v.format !== 'spring-noop').map((v) => [`${v.format}: ${v.tool} (${[...v.password].length} characters)`, v] as const);
  it.each(cases)('%s', async (_, v) => {
    const registry = registryFor(v);
    const format = NAMED.has(v.format) ? v.format : undefined;
    expect(await registry.verify(v.password, v.hash, format)).toBe(true);
    expect(await registry.verify(`${v.password}x`, v.hash, format)).toBe(false);
    expect(await registry.verify(v.password.toUpperCase() === v.password ? v.password.toLowerCase() + '!' : v.password.toUpperCase(), v.hash, format)).toBe(false);
  });

  it('every format the issue names has vectors, both ASP.NET versions and every Spring id among them', () => {
    const formats = new Set(vectors.map((v) => v.format));
    for (const f of ['firebase-scrypt', 'wordpress', 'bcrypt-sha256', 'aspnet-identity', 'spring', 'spring-noop', 'drupal7', 'keycloak', 'meteor']) expect(formats.has(f), f).toBe(true);
    const spring = new Set(vectors.filter((v) => v.format === 'spring').map((v) => /^\{[^}]+\}/.exec(v.hash)![0]));
    expect([...spring].sort()).toEqual(['{MD5}', '{SHA-1}', '{SHA-256}', '{argon2@SpringSecurity_v5_8}', '{argon2}', '{bcrypt}', '{ldap}', '{pbkdf2@SpringSecurity_v5_8}', '{pbkdf2}', '{scrypt@SpringSecurity_v5_8}', '{scrypt}', '{sha256}']);
    const aspnet = new Set(vectors.filter((v) => v.format === 'aspnet-identity').map((v) => Buffer.from(v.hash, 'base64')[0]));
    expect([...aspnet].sort()).toEqual([0, 1]);
    expect(vectors.filter((v) => v.format === 'drupal7').some((v) => v.hash.startsWith('U$S$'))).toBe(true);
    expect(vectors.filter((v) => v.format === 'bcrypt-sha256').map((v) => v.hash.slice(0, 17))).toEqual(expect.arrayContaining(['bcrypt_sha256$$2b', '$bcrypt-sha256$v=', '$bcrypt-sha256$2b']));
  });

  it('verification runs on the worker thread too (the worker rebuilds the Firebase verifier from its options)', async () => {
    for (const v of [vectors.find((x) => x.format === 'firebase-scrypt')!, vectors.find((x) => x.hash.startsWith('{scrypt}'))!, vectors.find((x) => x.format === 'keycloak')!]) {
      const registry = registryFor(v, true);
      expect(await registry.verify(v.password, v.hash, NAMED.has(v.format) ? v.format : undefined), v.tool).toBe(true);
    }
  });
});

describe('detection from the string', () => {
  const detect = (encoded: string) => builtInVerifiers.find((v) => v.recognizes(encoded))?.id;
  it.each([
    ['$wp$2y$10$', 'wordpress'], ['bcrypt_sha256$$2b$12$', 'bcrypt-sha256'], ['$bcrypt-sha256$v=2,t=2b,r=12$', 'bcrypt-sha256'], ['$bcrypt-sha256$2b,12$', 'bcrypt-sha256'],
    ['$S$D', 'drupal7'], ['U$S$D', 'drupal7'], ['$P$B', 'phpass'],
    ['{bcrypt}$2a$10$', 'spring'], ['{pbkdf2}ab', 'spring'], ['{pbkdf2@SpringSecurity_v5_8}ab', 'spring'], ['{scrypt}$e0801$', 'spring'], ['{scrypt@SpringSecurity_v5_8}$', 'spring'],
    ['{argon2}$argon2id$', 'spring'], ['{argon2@SpringSecurity_v5_8}$argon2id$', 'spring'], [`{sha256}${'0'.repeat(80)}`, 'spring'], ['{SHA-1}{salt}ab', 'spring'], ['{SHA-256}ab', 'spring'],
    ['{ldap}{SSHA}', 'spring'], ['{noop}secret', 'spring'], [`{MD5}{salt}${'a'.repeat(32)}`, 'spring'], [`{MD5}${'b'.repeat(32)}`, 'spring'],
    // LDAP's own {MD5} is base64, not hex: still LDAP.
    ['{MD5}X03MO1qnZdYdgyfeuILPmQ==', 'ldap'], ['{SSHA}abc', 'ldap'], ['{SHA256}XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=', 'ldap'],
  ])('%s → %s', (prefix, id) => expect(detect(prefix)).toBe(id));

  it('formats whose strings look like others are read only when the store names them', () => {
    const meteor = vectors.find((v) => v.format === 'meteor')!;
    const aspnet = vectors.find((v) => v.format === 'aspnet-identity')!;
    const keycloak = vectors.find((v) => v.format === 'keycloak')!;
    expect(detect(meteor.hash)).toBe('bcrypt');
    expect(detect(aspnet.hash)).toBeUndefined();
    expect(detect(keycloak.hash)).toBeUndefined();
    for (const id of NAMED) expect(builtInVerifiers.find((v) => v.id === id)?.recognizes('anything') ?? false).toBe(false);
  });
});

describe('{noop} and plaintext', () => {
  const noop = vectors.find((v) => v.format === 'spring-noop')!;
  it('refuses {noop} by default, naming the format and the option, never the stored text', async () => {
    const err = await verifyPassword(noop.password, noop.hash).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as Error).message).toMatch(/Spring \{noop\}.*plain text.*allowPlaintext/);
    expect((err as Error).message).not.toContain(noop.password);
  });
  it('accepts it only with createSpringVerifier({ allowPlaintext: true }), on the worker thread too', async () => {
    for (const worker of [false, true]) {
      const registry = createPasswordVerifier({ ...(worker ? {} : { worker: false as const }), verifiers: [createSpringVerifier({ allowPlaintext: true })] });
      expect(await registry.verify(noop.password, noop.hash)).toBe(true);
      expect(await registry.verify(`${noop.password} `, noop.hash)).toBe(false);
    }
  });
  it('a plaintext string with no prefix is no format at all', async () => {
    await expect(verifyPassword('hunter2', 'hunter2')).rejects.toBeInstanceOf(UnsupportedHashError);
  });
});

describe('work budget: costly rows of the new formats are refused before any work', () => {
  const deadline = () => Date.now() + 3000;
  const b64 = (b: Buffer) => b.toString('base64');
  const v3 = (iterations: number) => b64(Buffer.concat([Buffer.from([1]), Buffer.from([0, 0, 0, 1]), Buffer.from([iterations >>> 24, (iterations >>> 16) & 255, (iterations >>> 8) & 255, iterations & 255]), Buffer.from([0, 0, 0, 16]), Buffer.alloc(16, 1), Buffer.alloc(32, 2)]));
  const keycloak = (iterations: number, algorithm = 'pbkdf2-sha256', params = {}) => JSON.stringify({ secretData: { value: b64(Buffer.alloc(64)), salt: b64(Buffer.alloc(16)) }, credentialData: { hashIterations: iterations, algorithm, additionalParameters: params } });
  it.each([
    ['ASP.NET Identity v3 at 2^31 iterations', v3(2 ** 31), 'aspnet-identity', /ms are left/],
    ['Keycloak PBKDF2 at a billion iterations', keycloak(1e9), 'keycloak', /ms are left/],
    ['Keycloak Argon2 with 4 GiB', keycloak(3, 'argon2', { memory: ['4194304'], type: ['id'], version: ['1.3'], parallelism: ['1'] }), 'keycloak', /MiB of memory/],
    ['Drupal 7 at 2^30', `$S$S${'a'.repeat(51)}`, undefined, /ms are left/],
    ['WordPress over bcrypt cost 31', `$wp$2y$31$${'C'.repeat(53)}`, undefined, /ms are left/],
    ['passlib bcrypt_sha256 at cost 31', `$bcrypt-sha256$v=2,t=2b,r=31$${'C'.repeat(22)}$${'C'.repeat(31)}`, undefined, /ms are left/],
    ['Spring scrypt at N=2^30', `{scrypt}$1e0801$${b64(Buffer.alloc(16))}$${b64(Buffer.alloc(32))}`, undefined, /MiB of memory/],
  ])('%s', async (_case, encoded, format, message) => {
    const started = performance.now();
    const err = await createPasswordVerifier({ worker: false }).verify('pw', encoded, format, { deadline: deadline() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedHashError);
    expect((err as UnsupportedHashError).kind).toBe('over_budget');
    expect((err as Error).message).toMatch(message);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('Firebase parameters are checked when the verifier is made, with the fix', () => {
    expect(() => createFirebaseScryptVerifier({ signerKey: 'not base64!', saltSeparator: 'Bw==', rounds: 8, memCost: 14 })).toThrow(/signer key is missing or not base64/);
    expect(() => createFirebaseScryptVerifier({ signerKey: 'AAAA', saltSeparator: 'Bw==', rounds: 9, memCost: 14 })).toThrow(/rounds must be a whole number from 1 to 8/);
  });
});

describe('Firebase hash parameters as people copy them', () => {
  const key = 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==';
  const expected = { signerKey: key, saltSeparator: 'Bw==', rounds: 8, memCost: 14 };
  it('reads the console text, its JSON (under hash_config or not) and the options shape', async () => {
    const { parseFirebaseHashConfig } = await import('../../src/passwords/firebase.js');
    expect(parseFirebaseHashConfig(`hash_config {\n  algorithm: SCRYPT,\n  base64_signer_key: ${key},\n  base64_salt_separator: Bw==,\n  rounds: 8,\n  mem_cost: 14,\n}`)).toEqual(expected);
    expect(parseFirebaseHashConfig(JSON.stringify({ hash_config: { algorithm: 'SCRYPT', base64_signer_key: key, base64_salt_separator: 'Bw==', rounds: 8, mem_cost: 14 } }))).toEqual(expected);
    expect(parseFirebaseHashConfig(JSON.stringify(expected))).toEqual(expected);
  });
  it('refuses another algorithm or a missing field, naming the setting and never the key', async () => {
    const { parseFirebaseHashConfig } = await import('../../src/passwords/firebase.js');
    expect(() => parseFirebaseHashConfig(JSON.stringify({ algorithm: 'HMAC_SHA256', base64_signer_key: key }))).toThrow(expect.objectContaining({ setting: 'FIREBASE_HASH_CONFIG', message: expect.stringMatching(/HMAC_SHA256, not SCRYPT/) }));
    const err = (() => { try { parseFirebaseHashConfig(`base64_signer_key: ${key}, rounds: 8`); } catch (e) { return e as Error; } })();
    expect(err?.message).toMatch(/lack saltSeparator, memCost/);
    expect(err?.message).not.toContain(key.slice(0, 12));
  });
  it('the deployable function reads FIREBASE_HASH_CONFIG into a verifier', async () => {
    const { handlerOptionsFromEnv } = await import('../../src/environment.js');
    const options = handlerOptionsFromEnv({ FIREBASE_HASH_CONFIG: JSON.stringify(expected) });
    expect(options.verifiers?.map((v) => v.id)).toEqual(['firebase-scrypt']);
    expect(() => handlerOptionsFromEnv({ FIREBASE_HASH_CONFIG: '{"rounds": 8}' })).toThrow(expect.objectContaining({ setting: 'FIREBASE_HASH_CONFIG' }));
  });
});

describe('Firebase hash parameters from a secret (FIREBASE_HASH_CONFIG_ARN, issue 32)', () => {
  it('verifies on the worker thread as the text form does, reads the secret once, and names the setting when it cannot', async () => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { createFirebaseScryptVerifierFrom } = await import('../../src/passwords/firebase.js');
    const { createPasswordVerifier } = await import('../../src/passwords/registry.js');
    const { firebaseVerifier } = await import('../../src/environment.js');
    const text = await readFile(join(import.meta.dirname, '..', 'fixtures', 'stage', 'firebase-hash-config.txt'), 'utf8');
    let reads = 0;
    const fromSecret = createFirebaseScryptVerifierFrom(async () => (reads++, text));
    const passwords = createPasswordVerifier({ verifiers: [fromSecret] });
    const stored = '42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==';
    expect(await passwords.verify('user1password', stored, 'firebase-scrypt')).toBe(true);
    expect(await passwords.verify('not it', stored, 'firebase-scrypt')).toBe(false);
    expect(reads).toBe(1);
    expect(fromSecret.worker).toMatchObject({ factory: 'firebase' });
    const failing = createFirebaseScryptVerifierFrom(async () => { throw Object.assign(new Error('no'), { name: 'AccessDeniedException' }); });
    await expect(createPasswordVerifier({ worker: false, verifiers: [failing] }).verify('x', stored, 'firebase-scrypt')).rejects.toMatchObject({ setting: 'FIREBASE_HASH_CONFIG_ARN', message: expect.stringMatching(/could not be read from the secret \(AccessDeniedException\)/) });
    expect(() => firebaseVerifier({ FIREBASE_HASH_CONFIG: text, FIREBASE_HASH_CONFIG_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:fb' })).toThrow(/both set/);
  });
});
