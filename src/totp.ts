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
// a last-step column keeps the step each success used. The settings live
// here; the check itself (totp-check.ts) loads on the first row with a secret.
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
