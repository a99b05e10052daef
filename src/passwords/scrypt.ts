import { scrypt } from 'node:crypto';
import { UnsupportedHashError } from '../errors.js';
import { decodeBase64, decodeText, dollarFields, phcParams, sameBytes } from './encoding.js';
import { type CostLimits, guard } from './limits.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, keyLength: number, { N, r, p }: ScryptParams, maxmem: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, keyLength, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

async function check(format: string, password: string, salt: Buffer, expected: Buffer, params: ScryptParams, limits: CostLimits): Promise<boolean> {
  const { N, r, p } = params;
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) throw new UnsupportedHashError(format, 'N must be a power of two greater than 1');
  guard(format, 'r', r, 64, 'parallelism');
  guard(format, 'p', p, limits.parallelism, 'parallelism');
  const memory = 128 * N * r;
  guard(format, 'memory (128·N·r bytes)', memory, limits.memoryBytes, 'memoryBytes');
  if (expected.length === 0 || expected.length > 256) throw new UnsupportedHashError(format, 'the derived key is empty or longer than 256 bytes');
  // node:crypto refuses work above maxmem; give it exactly what the limit allows.
  const key = await derive(password, salt, expected.length, params, limits.memoryBytes + 128 * r * p + 2 ** 20);
  return sameBytes(key, expected);
}

/**
 * scrypt in passlib's form `$scrypt$ln=16,r=8,p=1$salt$hash` (adapted base64),
 * also read in the PHC style with standard base64 or `n=` instead of `ln=`.
 *
 * @example
 * ```ts
 * await scryptVerifier.verify('pw', '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$…', limits)
 * ```
 */
export const scryptVerifier: PasswordVerifier = {
  id: 'scrypt',
  recognizes: RECOGNIZE.scrypt,
  async verify(password, encoded, limits) {
    const [, paramText, salt, hash, ...rest] = dollarFields(encoded);
    const params = paramText === undefined ? undefined : phcParams(paramText);
    const saltBytes = salt === undefined ? undefined : decodeBase64(salt);
    const expected = hash === undefined ? undefined : decodeBase64(hash);
    if (rest.length || !params || !saltBytes || !expected) throw new UnsupportedHashError('$scrypt$', 'expected $scrypt$ln=…,r=…,p=…$salt$hash');
    const ln = params.ln;
    const N = typeof ln === 'number' ? (ln > 40 ? Infinity : 2 ** ln) : Number(params.n ?? params.N);
    return check('$scrypt$', password, saltBytes, expected, { N, r: Number(params.r), p: Number(params.p) }, limits);
  },
};

/**
 * Werkzeug 3's default `scrypt:N:r:p$salt$hex` (the salt is used as text; 64-byte key).
 *
 * @example
 * ```ts
 * await werkzeugScryptVerifier.verify('pw', 'scrypt:32768:8:1$salt$…', limits)
 * ```
 */
export const werkzeugScryptVerifier: PasswordVerifier = {
  id: 'werkzeug-scrypt',
  recognizes: RECOGNIZE['werkzeug-scrypt'],
  async verify(password, encoded, limits) {
    const [method, salt, hex, ...rest] = encoded.split('$');
    const [, N, r, p, ...extra] = method!.split(':');
    if (rest.length || extra.length || !salt || !hex || !/^[0-9a-f]+$/i.test(hex) || hex.length % 2 || ![N, r, p].every((x) => /^\d+$/.test(x ?? ''))) {
      throw new UnsupportedHashError('Werkzeug scrypt', 'expected scrypt:N:r:p$salt$hex');
    }
    return check('Werkzeug scrypt', password, Buffer.from(salt, 'utf8'), Buffer.from(hex, 'hex'), { N: Number(N), r: Number(r), p: Number(p) }, limits);
  },
};

/** Options of {@link createScryptVerifier}. */
export interface RawScryptOptions {
  /** Format name a store gives as `hashFormat`. */
  id: string;
  N: number;
  r: number;
  p: number;
  /** Splits the stored string into salt and hash (default: `salt$hash`). */
  split?: (encoded: string) => { salt: string; hash: string } | undefined;
  /** How salt and hash are written (default `hex`); `utf8` uses the salt text as is. */
  saltEncoding?: 'hex' | 'base64' | 'utf8';
  hashEncoding?: 'hex' | 'base64';
}

/**
 * scrypt with fixed parameters for site-specific layouts (salt and hash in
 * their own encodings, parameters known out of band). Recognised only when a
 * store names it through `hashFormat`.
 *
 * @example
 * ```ts
 * const legacyScrypt = createScryptVerifier({ id: 'acme-scrypt', N: 16384, r: 8, p: 1 })
 * // store returns passwordHash 'a1b2…$c3d4…' with hashFormat 'acme-scrypt'
 * ```
 */
export function createScryptVerifier(options: RawScryptOptions): PasswordVerifier {
  const split = options.split ?? ((e: string) => {
    const [salt, hash, ...rest] = e.split('$');
    return rest.length || !salt || !hash ? undefined : { salt, hash };
  });
  return {
    id: options.id,
    recognizes: () => false,
    async verify(password, encoded, limits) {
      const parts = split(encoded);
      const salt = parts && decodeText(parts.salt, options.saltEncoding ?? 'hex');
      const hash = parts && decodeText(parts.hash, options.hashEncoding ?? 'hex');
      if (!salt || !hash || hash.length === 0) throw new UnsupportedHashError(options.id, 'the salt or hash is missing or not in the configured encoding');
      return check(options.id, password, salt, hash, options, limits);
    },
  };
}
