import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { UnsupportedHashError } from '../errors.js';
import { decodeBase64, dollarFields, sameBytes } from './encoding.js';
import { MS_PER_UNIT, type WorkEstimate, estimate, positiveInteger } from './work.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

// On the verification thread the derivation runs on that thread, not on libuv's four-thread pool,
// which DNS lookups and file reads share with the whole process.
const derive = isMainThread
  ? promisify(pbkdf2)
  : async (password: Buffer, salt: Buffer, iterations: number, length: number, digest: string) => pbkdf2Sync(password, salt, iterations, length, digest);
const PASSLIB_SCHEMES = ['pbkdf2', 'pbkdf2-sha1', 'pbkdf2-sha256', 'pbkdf2-sha512'];
const DIGEST_BYTES: Record<string, number> = { sha1: 20, sha256: 32, sha512: 64 };

interface Pbkdf2Hash {
  format: string;
  salt: Buffer;
  iterations: number;
  digest: string;
  expected: Buffer;
}

function checked(h: Pbkdf2Hash): Pbkdf2Hash {
  positiveInteger(h.format, 'iterations', h.iterations);
  if (!DIGEST_BYTES[h.digest]) throw new UnsupportedHashError(h.format, 'the digest must be sha1, sha256 or sha512');
  if (h.expected.length === 0 || h.expected.length > 256) throw new UnsupportedHashError(h.format, 'the derived key is empty or longer than 256 bytes');
  return h;
}

// PBKDF2 runs the whole iteration count once per digest-sized block of output, in one OpenSSL
// call that terminating the thread cannot interrupt (hash-wasm's PBKDF2, which it could, is ten times slower).
const costOf = (h: Pbkdf2Hash): WorkEstimate =>
  estimate(h.iterations * Math.ceil(h.expected.length / DIGEST_BYTES[h.digest]!) * MS_PER_UNIT.pbkdf2[h.digest]!, 0, false, `pbkdf2-${h.digest}`);

async function check(password: string, h: Pbkdf2Hash): Promise<boolean> {
  const derived = await derive(Buffer.from(password, 'utf8'), h.salt, h.iterations, h.expected.length, h.digest);
  return sameBytes(derived, h.expected);
}

/**
 * Django's `pbkdf2_sha256$iterations$salt$base64` and `pbkdf2_sha1$…`
 * (the salt is used as text, the hash is standard base64).
 *
 * @example
 * ```ts
 * await djangoPbkdf2Verifier.verify('pw', 'pbkdf2_sha256$600000$salt$…')
 * ```
 */
export const djangoPbkdf2Verifier: PasswordVerifier = {
  id: 'django-pbkdf2',
  recognizes: RECOGNIZE['django-pbkdf2'],
  worker: { factory: 'builtin', id: 'django-pbkdf2' },
  cost: (encoded) => costOf(parseDjango(encoded)),
  verify: (password, encoded) => check(password, parseDjango(encoded)),
};

function parseDjango(encoded: string): Pbkdf2Hash {
  const [algorithm, iterations, salt, hash, ...rest] = encoded.split('$');
  const digest = algorithm!.slice('pbkdf2_'.length);
  const expected = hash === undefined ? undefined : decodeBase64(hash);
  const format = `Django ${algorithm === 'pbkdf2_sha1' ? algorithm : 'pbkdf2_sha256'}`;
  if (rest.length || !salt || !expected || !/^\d{1,15}$/.test(iterations ?? '')) {
    throw new UnsupportedHashError(format, 'expected algorithm$iterations$salt$base64-hash');
  }
  return checked({ format, salt: Buffer.from(salt, 'utf8'), iterations: Number(iterations), digest, expected });
}

/**
 * Werkzeug's `pbkdf2:sha256:iterations$salt$hex` (the salt is used as text).
 *
 * @example
 * ```ts
 * await werkzeugPbkdf2Verifier.verify('pw', 'pbkdf2:sha256:600000$salt$…')
 * ```
 */
export const werkzeugPbkdf2Verifier: PasswordVerifier = {
  id: 'werkzeug-pbkdf2',
  recognizes: RECOGNIZE['werkzeug-pbkdf2'],
  worker: { factory: 'builtin', id: 'werkzeug-pbkdf2' },
  cost: (encoded) => costOf(parseWerkzeug(encoded)),
  verify: (password, encoded) => check(password, parseWerkzeug(encoded)),
};

function parseWerkzeug(encoded: string): Pbkdf2Hash {
  const [method, salt, hex, ...rest] = encoded.split('$');
  const [, digest, iterations, ...extra] = method!.split(':');
  if (rest.length || extra.length || !salt || !hex || !/^[0-9a-f]+$/i.test(hex) || hex.length % 2 || !DIGEST_BYTES[digest ?? '']) {
    throw new UnsupportedHashError('Werkzeug pbkdf2', 'expected pbkdf2:sha1|sha256|sha512:iterations$salt$hex');
  }
  if (!iterations || !/^\d{1,15}$/.test(iterations)) {
    throw new UnsupportedHashError('Werkzeug pbkdf2', 'the iteration count is missing; old Werkzeug versions left it implicit, so state it in the hash or name a verifier with the right count');
  }
  return checked({ format: 'Werkzeug pbkdf2', salt: Buffer.from(salt, 'utf8'), iterations: Number(iterations), digest: digest!, expected: Buffer.from(hex, 'hex') });
}

/**
 * passlib's `$pbkdf2-sha256$iterations$salt$hash`, `$pbkdf2-sha512$…` and
 * `$pbkdf2$…` (SHA-1), with salt and hash in passlib's adapted base64; the
 * same layout as the PHC drafts.
 *
 * @example
 * ```ts
 * await passlibPbkdf2Verifier.verify('pw', '$pbkdf2-sha256$29000$N2bMWSvF$…')
 * ```
 */
export const passlibPbkdf2Verifier: PasswordVerifier = {
  id: 'passlib-pbkdf2',
  recognizes: RECOGNIZE['passlib-pbkdf2'],
  worker: { factory: 'builtin', id: 'passlib-pbkdf2' },
  cost: (encoded) => costOf(parsePasslib(encoded)),
  verify: (password, encoded) => check(password, parsePasslib(encoded)),
};

function parsePasslib(encoded: string): Pbkdf2Hash {
  const [scheme, iterations, salt, hash, ...rest] = dollarFields(encoded);
  const digest = scheme === 'pbkdf2' ? 'sha1' : scheme!.slice('pbkdf2-'.length);
  const saltBytes = salt === undefined ? undefined : decodeBase64(salt);
  const expected = hash === undefined ? undefined : decodeBase64(hash);
  // The format name comes from a fixed list: a hash named by hashFormat may start with anything.
  const format = PASSLIB_SCHEMES.includes(scheme ?? '') ? `$${scheme}$` : 'passlib pbkdf2';
  if (rest.length || !saltBytes || !expected || !/^\d{1,15}$/.test(iterations ?? '')) {
    throw new UnsupportedHashError(format, 'expected $scheme$iterations$salt$hash in (adapted) base64');
  }
  return checked({ format, salt: saltBytes, iterations: Number(iterations), digest, expected });
}

// For formats that wrap PBKDF2 in their own layouts (ASP.NET Identity, Spring, Keycloak).
export { type Pbkdf2Hash, checked as checkedPbkdf2, costOf as pbkdf2Cost, check as pbkdf2Matches };
