// Re-encodes legacy hashes into the layouts of Cognito's hash import. The
// layouts are written in one place each (toPbkdf2Layout, toScryptLayout) because
// they are taken from REFERENCE.md §1's reading of the developer guide, which
// could not be checked against the guide itself here: if the guide says
// otherwise, these two functions and their tests are what changes.
import { scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeBase64 } from '../passwords/encoding.js';
import { verifyPassword } from '../passwords/registry.js';

const scrypt = promisify(scryptCallback) as (password: Buffer, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** The re-encodings `csv export` can apply; `pbkdf2` is on by default, `scrypt` only when asked for. */
export type HashConversion = 'pbkdf2' | 'scrypt';

/**
 * The conversions applied when none are named: PBKDF2 only (see the README on why scrypt is opt-in).
 * @example importability(hash, { conversions: DEFAULT_CONVERSIONS })
 */
export const DEFAULT_CONVERSIONS: readonly HashConversion[] = ['pbkdf2'];

/** A legacy hash taken apart, ready to be written in a published layout. */
export type ParsedLegacyHash =
  | { kind: 'pbkdf2'; source: string; iterations: number; salt: Buffer; key: Buffer }
  | { kind: 'scrypt'; source: string; N: number; r: number; p: number; salt: Buffer; key: Buffer };

/** passlib's adapted base64: standard base64 without padding, `.` for `+`. */
const ab64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');

/**
 * The PBKDF2_SHA256 layout: `$pbkdf2-sha256$<iterations>$<salt>$<hash>`, salt
 * and hash in passlib's adapted base64 (passlib's own layout, which REFERENCE.md
 * §1 gives as the published one).
 *
 * @example
 * ```ts
 * toPbkdf2Layout(600000, salt, key) // '$pbkdf2-sha256$600000$c2FsdA$…'
 * ```
 */
export function toPbkdf2Layout(iterations: number, salt: Buffer, key: Buffer): string {
  return `$pbkdf2-sha256$${iterations}$${ab64(salt)}$${ab64(key)}`;
}

/**
 * The SCRYPT layout: `$scrypt$<N>$<r>$<p>$<salt hex>$<hash hex>`, N, r, p,
 * salt and hash as separate fields with hex salt and hash (REFERENCE.md §1).
 *
 * @example
 * ```ts
 * toScryptLayout(32768, 8, 1, salt, key) // '$scrypt$32768$8$1$73616c74$…'
 * ```
 */
export function toScryptLayout(N: number, r: number, p: number, salt: Buffer, key: Buffer): string {
  return `$scrypt$${N}$${r}$${p}$${salt.toString('hex')}$${key.toString('hex')}`;
}

const SCRYPT_LAYOUT = /^\$scrypt\$(\d{1,10})\$(\d{1,10})\$(\d{1,10})\$((?:[0-9a-f]{2})+)\$((?:[0-9a-f]{2})+)$/;

/**
 * Reads a hash already in the published SCRYPT layout: its parameters, salt and key.
 *
 * @example
 * ```ts
 * parseScryptLayout('$scrypt$32768$8$1$73616c74$…') // { N: 32768, r: 8, p: 1, salt, key }
 * ```
 */
export function parseScryptLayout(hash: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const m = SCRYPT_LAYOUT.exec(hash);
  if (!m) return undefined;
  return { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt: Buffer.from(m[4]!, 'hex'), key: Buffer.from(m[5]!, 'hex') };
}

const DJANGO = /^pbkdf2_sha256\$(\d{1,10})\$([^$]+)\$([A-Za-z0-9+/]+={0,2})$/;
const WERKZEUG_PBKDF2 = /^pbkdf2:sha256:(\d{1,10})\$([^$]+)\$((?:[0-9a-f]{2})+)$/;
const WERKZEUG_SCRYPT = /^scrypt:(\d{1,10}):(\d{1,10}):(\d{1,10})\$([^$]+)\$((?:[0-9a-f]{2})+)$/;
const PASSLIB_SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,10}),p=(\d{1,10})\$([A-Za-z0-9./+]*)\$([A-Za-z0-9./+]+)$/;

/**
 * Takes apart a legacy hash that a conversion can re-encode: Django
 * `pbkdf2_sha256$`, Werkzeug `pbkdf2:sha256:` and `scrypt:`, passlib `$scrypt$ln=`.
 * Undefined for anything else. Salts that the legacy code used as text are
 * kept as their UTF-8 bytes, which is what the key was derived from.
 *
 * @example
 * ```ts
 * parseConvertible('pbkdf2_sha256$600000$salt$…') // { kind: 'pbkdf2', source: 'Django pbkdf2_sha256', iterations: 600000, … }
 * ```
 */
export function parseConvertible(hash: string): ParsedLegacyHash | undefined {
  let m = DJANGO.exec(hash);
  if (m) return { kind: 'pbkdf2', source: 'Django pbkdf2_sha256', iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'utf8'), key: Buffer.from(m[3]!, 'base64') };
  m = WERKZEUG_PBKDF2.exec(hash);
  if (m) return { kind: 'pbkdf2', source: 'Werkzeug pbkdf2:sha256', iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'utf8'), key: Buffer.from(m[3]!, 'hex') };
  m = WERKZEUG_SCRYPT.exec(hash);
  if (m) return { kind: 'scrypt', source: 'Werkzeug scrypt', N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt: Buffer.from(m[4]!, 'utf8'), key: Buffer.from(m[5]!, 'hex') };
  m = PASSLIB_SCRYPT.exec(hash);
  if (m) {
    const salt = decodeBase64(m[4]!);
    const key = decodeBase64(m[5]!);
    if (!salt || !key || Number(m[1]) > 40) return undefined;
    return { kind: 'scrypt', source: 'passlib scrypt', N: 2 ** Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt, key };
  }
  return undefined;
}

/**
 * Writes a parsed legacy hash in its published layout.
 *
 * @example
 * ```ts
 * const parsed = parseConvertible(djangoHash); if (parsed) toPublishedLayout(parsed) // '$pbkdf2-sha256$…'
 * ```
 */
export function toPublishedLayout(parsed: ParsedLegacyHash): string {
  return parsed.kind === 'pbkdf2' ? toPbkdf2Layout(parsed.iterations, parsed.salt, parsed.key) : toScryptLayout(parsed.N, parsed.r, parsed.p, parsed.salt, parsed.key);
}

/**
 * Checks a password against a hash in one of the published import layouts, as
 * Cognito would on the imported user's first sign-in: the proof that a
 * conversion kept what the legacy hash knew. For tests and for checking a
 * sample before an import; never on the sign-in path.
 *
 * @example
 * ```ts
 * await verifyImportHash('pw', 'SCRYPT', '$scrypt$32768$8$1$…') // true
 * ```
 */
export async function verifyImportHash(password: string, algorithm: 'BCRYPT' | 'SCRYPT' | 'ARGON2ID' | 'PBKDF2_SHA256', hash: string): Promise<boolean> {
  if (algorithm === 'SCRYPT') {
    const parsed = parseScryptLayout(hash);
    if (!parsed) return false;
    const key = await scrypt(Buffer.from(password, 'utf8'), parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: 132 * parsed.N * parsed.r * parsed.p + 2 ** 20 });
    return timingSafeEqual(key, parsed.key);
  }
  const prefix = { BCRYPT: /^\$2[abxy]\$/, ARGON2ID: /^\$argon2id\$/, PBKDF2_SHA256: /^\$pbkdf2-sha256\$/ }[algorithm];
  return prefix.test(hash) && verifyPassword(password, hash);
}
