import { UnsupportedHashError } from '../errors.js';
import { decodeBase64, decodeText, dollarFields, phcParams, sameBytes } from './encoding.js';
import { MS_PER_UNIT, SCRYPT_LANE_UNITS, type WorkEstimate, estimate, positiveInteger } from './work.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

interface ScryptHash extends ScryptParams {
  format: string;
  salt: Buffer;
  expected: Buffer;
}

function checked(format: string, salt: Buffer, expected: Buffer, { N, r, p }: ScryptParams): ScryptHash {
  if (!Number.isSafeInteger(N) || N < 2 || N > 2 ** 40 || !Number.isInteger(Math.log2(N))) {
    throw new UnsupportedHashError(format, 'N must be a power of two greater than 1');
  }
  positiveInteger(format, 'r', r);
  positiveInteger(format, 'p', p);
  if (expected.length === 0 || expected.length > 256) throw new UnsupportedHashError(format, 'the derived key is empty or longer than 256 bytes');
  return { format, salt, expected, N, r, p };
}

const memoryOf = ({ N, r, p }: ScryptParams) => 128 * N * r + 128 * r * p;
const costOf = (h: ScryptHash): WorkEstimate => estimate(h.r * h.p * (h.N + SCRYPT_LANE_UNITS) * MS_PER_UNIT.scryptUnit, memoryOf(h), true, 'scrypt');

/**
 * scrypt's derived key. WebAssembly (hash-wasm), not node:crypto: OpenSSL's
 * scrypt runs on libuv's threadpool, where terminating the worker thread at
 * the deadline does not stop it (issue 24 saw 850 MiB and a busy core after
 * the answer, and another sign-in slowed from 12 to 283 ms). WebAssembly runs
 * on the worker's own thread, and `Worker.terminate()` interrupts it.
 *
 * @example
 * ```ts
 * const key = await scryptKey('pw', salt, { N: 16384, r: 8, p: 1 }, 32)
 * ```
 */
export async function scryptKey(password: string, salt: Uint8Array, { N, r, p }: ScryptParams, length: number): Promise<Buffer> {
  const { wasmScrypt } = await import('./scrypt-engine.js');
  const key = await wasmScrypt({ password: Buffer.from(password, 'utf8'), salt, costFactor: N, blockSize: r, parallelism: p, hashLength: length, outputType: 'binary' });
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}

async function derive(password: string, h: ScryptHash): Promise<boolean> {
  let key: Buffer;
  try {
    key = await scryptKey(password, h.salt, h, h.expected.length);
  } catch {
    // hash-wasm's own message may quote a parameter; the format and a plain reason are enough.
    throw new UnsupportedHashError(h.format, 'the scrypt engine refused the parameters');
  }
  return sameBytes(key, h.expected);
}

function parsePasslib(encoded: string): ScryptHash {
  const [, paramText, salt, hash, ...rest] = dollarFields(encoded);
  const params = paramText === undefined ? undefined : phcParams(paramText);
  const saltBytes = salt === undefined ? undefined : decodeBase64(salt);
  const expected = hash === undefined ? undefined : decodeBase64(hash);
  if (rest.length || !params || !saltBytes || !expected) throw new UnsupportedHashError('$scrypt$', 'expected $scrypt$ln=…,r=…,p=…$salt$hash');
  const ln = params.ln;
  const N = typeof ln === 'number' ? (ln > 40 ? Infinity : 2 ** ln) : Number(params.n ?? params.N);
  return checked('$scrypt$', saltBytes, expected, { N, r: Number(params.r), p: Number(params.p) });
}

/**
 * scrypt in passlib's form `$scrypt$ln=16,r=8,p=1$salt$hash` (adapted base64),
 * also read in the PHC style with standard base64 or `n=` instead of `ln=`.
 *
 * @example
 * ```ts
 * await scryptVerifier.verify('pw', '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$…')
 * ```
 */
export const scryptVerifier: PasswordVerifier = {
  id: 'scrypt',
  recognizes: RECOGNIZE.scrypt,
  worker: { factory: 'builtin', id: 'scrypt' },
  cost: (encoded) => costOf(parsePasslib(encoded)),
  verify: (password, encoded) => derive(password, parsePasslib(encoded)),
};

function parseWerkzeug(encoded: string): ScryptHash {
  const [method, salt, hex, ...rest] = encoded.split('$');
  const [, N, r, p, ...extra] = method!.split(':');
  if (rest.length || extra.length || !salt || !hex || !/^[0-9a-f]+$/i.test(hex) || hex.length % 2 || ![N, r, p].every((x) => /^\d{1,15}$/.test(x ?? ''))) {
    throw new UnsupportedHashError('Werkzeug scrypt', 'expected scrypt:N:r:p$salt$hex');
  }
  return checked('Werkzeug scrypt', Buffer.from(salt, 'utf8'), Buffer.from(hex, 'hex'), { N: Number(N), r: Number(r), p: Number(p) });
}

/**
 * Werkzeug 3's default `scrypt:N:r:p$salt$hex` (the salt is used as text; 64-byte key).
 *
 * @example
 * ```ts
 * await werkzeugScryptVerifier.verify('pw', 'scrypt:32768:8:1$salt$…')
 * ```
 */
export const werkzeugScryptVerifier: PasswordVerifier = {
  id: 'werkzeug-scrypt',
  recognizes: RECOGNIZE['werkzeug-scrypt'],
  worker: { factory: 'builtin', id: 'werkzeug-scrypt' },
  cost: (encoded) => costOf(parseWerkzeug(encoded)),
  verify: (password, encoded) => derive(password, parseWerkzeug(encoded)),
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
  const parse = (encoded: string): ScryptHash => {
    const parts = split(encoded);
    const salt = parts && decodeText(parts.salt, options.saltEncoding ?? 'hex');
    const hash = parts && decodeText(parts.hash, options.hashEncoding ?? 'hex');
    if (!salt || !hash || hash.length === 0) throw new UnsupportedHashError(options.id, 'the salt or hash is missing or not in the configured encoding');
    return checked(options.id, salt, hash, options);
  };
  const { split: custom, ...plain } = options;
  return {
    id: options.id,
    recognizes: () => false,
    primitives: ['scrypt'],
    // A custom split function cannot cross to the worker thread, so this one runs where it is called.
    ...(custom ? {} : { worker: { factory: 'scrypt', options: { ...plain } } }),
    cost: (encoded) => costOf(parse(encoded)),
    verify: (password, encoded) => derive(password, parse(encoded)),
  };
}

// For formats that wrap scrypt in their own layouts (Spring).
export { type ScryptHash, checked as checkedScrypt, costOf as scryptCost, derive as scryptMatches };
