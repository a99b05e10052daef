// The legacy second factor, checked at the migration: a time-based one-time
// password (TOTP, RFC 6238) from the user's authenticator app, against the
// secret the legacy store kept. Cognito has no API to take a TOTP secret over,
// so the migration checks the old factor once and the person enrols a new one
// in Cognito (the answer marks them, see `TOTP_MARK_ATTRIBUTE`).
//
// RFC 6238 §4: T = floor((now - T0) / X), T0 = 0, X = the period (30 s); the
// code is HOTP (RFC 4226 §5.3) of T as an 8-byte big-endian counter under
// HMAC-SHA-1, -256 or -512, dynamically truncated to 6 or 8 digits. §5.2: a
// verifier accepts a step or so either side for clock drift and network delay;
// here ±1 step. §5.2 also asks that a code not be accepted twice: a store with
// a last-step column keeps the step each success used.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from './errors.js';

/** How a row's TOTP secret is kept and used. */
export interface TotpParameters {
  /** `base32` (RFC 4648, what authenticator apps and most libraries keep) or `hex` (django-otp's `TOTPDevice.key`). */
  encoding: 'base32' | 'hex';
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: 6 | 8;
  /** Seconds a code lasts (RFC 6238's X). */
  period: number;
}

/** RFC 6238's defaults: base32, SHA-1, 6 digits, 30 s. */
export const TOTP_DEFAULTS: TotpParameters = { encoding: 'base32', algorithm: 'SHA1', digits: 6, period: 30 };

/** The ClientMetadata key under which the app sends the code (sign-in and ForgotPassword alike). */
export const TOTP_CODE_KEY = 'legacy_totp_code';

/** The steps either side of now a code may come from (RFC 6238 §5.2). */
export const TOTP_SKEW = 1;

/**
 * A secret's bytes from its stored text; undefined when the text is not valid
 * in that encoding (a row the check must refuse, never guess at).
 *
 * @example
 * ```ts
 * decodeSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'base32') // the 20 bytes of '12345678901234567890'
 * ```
 */
export function decodeSecret(text: string, encoding: TotpParameters['encoding']): Buffer | undefined {
  const clean = text.replace(/[\s-]/g, '');
  if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(clean) ? Buffer.from(clean, 'hex') : undefined;
  const b32 = clean.toUpperCase().replace(/=+$/, '');
  if (!/^[A-Z2-7]+$/.test(b32)) return undefined;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of b32) {
    value = ((value << 5) | BASE32.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out.length ? Buffer.from(out) : undefined;
}

/**
 * Bytes as RFC 4648 base32, unpadded: how authenticator apps take a secret.
 * @example encodeBase32(Buffer.from('12345678901234567890')) // 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
 */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The code for one time step (RFC 6238 §4, HOTP's truncation from RFC 4226 §5.3).
 *
 * @example
 * ```ts
 * totpAt(Buffer.from('12345678901234567890'), 1, { ...TOTP_DEFAULTS, digits: 8 }) // '94287082' (RFC 6238 Appendix B, T = 59 s)
 * ```
 */
export function totpAt(secret: Buffer, step: number, p: Pick<TotpParameters, 'algorithm' | 'digits'>): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(p.algorithm.toLowerCase(), secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** p.digits).padStart(p.digits, '0');
}

/**
 * The time step a code matches, within ±{@link TOTP_SKEW} steps of `now`, or
 * undefined. Every candidate is compared, in constant time, whatever matched.
 *
 * @example
 * ```ts
 * const step = matchTotp(secret, '287082', TOTP_DEFAULTS, Date.now())
 * ```
 */
export function matchTotp(secret: Buffer, code: string, p: TotpParameters, now: number): number | undefined {
  if (typeof code !== 'string' || code.length !== p.digits || !/^\d+$/.test(code)) return undefined;
  const current = Math.floor(now / 1000 / p.period);
  let matched: number | undefined;
  for (let step = current - TOTP_SKEW; step <= current + TOTP_SKEW; step++) {
    if (step >= 0 && timingSafeEqual(Buffer.from(totpAt(secret, step, p)), Buffer.from(code)) && matched === undefined) matched = step;
  }
  return matched;
}

/**
 * A row's TOTP parameters: its own where it names them (the store's columns),
 * the handler's settings otherwise. A value out of range is a data problem:
 * undefined, and the row is refused rather than checked with a guess.
 *
 * @example
 * ```ts
 * totpParameters({ secret: 'JBSWY3DPEHPK3PXP', digits: 8 }, TOTP_DEFAULTS) // { …TOTP_DEFAULTS, digits: 8 }
 * ```
 */
export function totpParameters(row: { algorithm?: unknown; digits?: unknown; period?: unknown }, defaults: TotpParameters): TotpParameters | undefined {
  const algorithm = row.algorithm === undefined || row.algorithm === null || row.algorithm === '' ? defaults.algorithm : String(row.algorithm).toUpperCase().replace(/^HMAC-?|-/g, '');
  const digits = row.digits === undefined || row.digits === null || row.digits === '' ? defaults.digits : Number(row.digits);
  const period = row.period === undefined || row.period === null || row.period === '' ? defaults.period : Number(row.period);
  if (!['SHA1', 'SHA256', 'SHA512'].includes(algorithm) || (digits !== 6 && digits !== 8) || !Number.isInteger(period) || period < 1 || period > 300) return undefined;
  return { encoding: defaults.encoding, algorithm: algorithm as TotpParameters['algorithm'], digits, period };
}

/**
 * The handler's TOTP settings, checked (`TOTP_ENCODING`, `TOTP_ALGORITHM`,
 * `TOTP_DIGITS`, `TOTP_PERIOD`); a bad value is a `ConfigurationError` naming it.
 *
 * @example
 * ```ts
 * totpSettings({ encoding: 'hex' }, 'createUserMigrationHandler') // django-otp's keys
 * ```
 */
export function totpSettings(given: Partial<TotpParameters> | undefined, where: string): TotpParameters {
  const s = { ...TOTP_DEFAULTS, ...given };
  if (s.encoding !== 'base32' && s.encoding !== 'hex') throw new ConfigurationError('totp.encoding', `${where}: "totp.encoding" (TOTP_ENCODING) must be "base32" or "hex"`, 'base32 for most libraries and authenticator exports, hex for django-otp.');
  if (!totpParameters(s, s)) {
    throw new ConfigurationError('totp', `${where}: the TOTP settings must be an algorithm of SHA1, SHA256 or SHA512 (TOTP_ALGORITHM), 6 or 8 digits (TOTP_DIGITS) and a period of 1 to 300 s (TOTP_PERIOD)`, 'Leave them out for RFC 6238\'s defaults: SHA1, 6 digits, 30 s.');
  }
  return s;
}
