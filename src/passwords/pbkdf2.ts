import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { UnsupportedHashError } from '../errors.js';
import { decodeBase64, dollarFields, sameBytes } from './encoding.js';
import { type CostLimits, guard } from './limits.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

const derive = promisify(pbkdf2);
const DIGEST_BYTES: Record<string, number> = { sha1: 20, sha256: 32, sha512: 64 };

async function check(format: string, password: string, salt: Buffer, iterations: number, digest: string, expected: Buffer, limits: CostLimits): Promise<boolean> {
  guard(format, 'iterations', iterations, limits.pbkdf2Iterations, 'pbkdf2Iterations');
  if (expected.length === 0 || expected.length > 256) throw new UnsupportedHashError(format, 'the derived key is empty or longer than 256 bytes');
  const derived = await derive(Buffer.from(password, 'utf8'), salt, iterations, expected.length, digest);
  return sameBytes(derived, expected);
}

/**
 * Django's `pbkdf2_sha256$iterations$salt$base64` and `pbkdf2_sha1$…`
 * (the salt is used as text, the hash is standard base64).
 *
 * @example
 * ```ts
 * await djangoPbkdf2Verifier.verify('pw', 'pbkdf2_sha256$600000$salt$…', limits)
 * ```
 */
export const djangoPbkdf2Verifier: PasswordVerifier = {
  id: 'django-pbkdf2',
  recognizes: RECOGNIZE['django-pbkdf2'],
  async verify(password, encoded, limits) {
    const [algorithm, iterations, salt, hash, ...rest] = encoded.split('$');
    const digest = algorithm!.slice('pbkdf2_'.length);
    const expected = hash === undefined ? undefined : decodeBase64(hash);
    if (rest.length || !salt || !expected || !/^\d+$/.test(iterations ?? '')) {
      throw new UnsupportedHashError(`Django ${algorithm}`, 'expected algorithm$iterations$salt$base64-hash');
    }
    return check(`Django ${algorithm}`, password, Buffer.from(salt, 'utf8'), Number(iterations), digest, expected, limits);
  },
};

/**
 * Werkzeug's `pbkdf2:sha256:iterations$salt$hex` (the salt is used as text).
 *
 * @example
 * ```ts
 * await werkzeugPbkdf2Verifier.verify('pw', 'pbkdf2:sha256:600000$salt$…', limits)
 * ```
 */
export const werkzeugPbkdf2Verifier: PasswordVerifier = {
  id: 'werkzeug-pbkdf2',
  recognizes: RECOGNIZE['werkzeug-pbkdf2'],
  async verify(password, encoded, limits) {
    const [method, salt, hex, ...rest] = encoded.split('$');
    const [, digest, iterations, ...extra] = method!.split(':');
    if (rest.length || extra.length || !salt || !hex || !/^[0-9a-f]+$/i.test(hex) || hex.length % 2 || !DIGEST_BYTES[digest ?? '']) {
      throw new UnsupportedHashError('Werkzeug pbkdf2', 'expected pbkdf2:sha1|sha256|sha512:iterations$salt$hex');
    }
    if (!iterations || !/^\d+$/.test(iterations)) {
      throw new UnsupportedHashError('Werkzeug pbkdf2', 'the iteration count is missing; old Werkzeug versions left it implicit, so state it in the hash or name a verifier with the right count');
    }
    return check('Werkzeug pbkdf2', password, Buffer.from(salt, 'utf8'), Number(iterations), digest!, Buffer.from(hex, 'hex'), limits);
  },
};

/**
 * passlib's `$pbkdf2-sha256$iterations$salt$hash`, `$pbkdf2-sha512$…` and
 * `$pbkdf2$…` (SHA-1), with salt and hash in passlib's adapted base64; the
 * same layout as the PHC drafts.
 *
 * @example
 * ```ts
 * await passlibPbkdf2Verifier.verify('pw', '$pbkdf2-sha256$29000$N2bMWSvF$…', limits)
 * ```
 */
export const passlibPbkdf2Verifier: PasswordVerifier = {
  id: 'passlib-pbkdf2',
  recognizes: RECOGNIZE['passlib-pbkdf2'],
  async verify(password, encoded, limits) {
    const [scheme, iterations, salt, hash, ...rest] = dollarFields(encoded);
    const digest = scheme === 'pbkdf2' ? 'sha1' : scheme!.slice('pbkdf2-'.length);
    const saltBytes = salt === undefined ? undefined : decodeBase64(salt);
    const expected = hash === undefined ? undefined : decodeBase64(hash);
    if (rest.length || !saltBytes || !expected || !/^\d+$/.test(iterations ?? '')) {
      throw new UnsupportedHashError(`$${scheme}$`, 'expected $scheme$iterations$salt$hash in (adapted) base64');
    }
    return check(`$${scheme}$`, password, saltBytes, Number(iterations), digest, expected, limits);
  },
};
