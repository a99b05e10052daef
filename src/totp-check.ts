// The TOTP check itself (RFC 6238; see totp.ts for the settings and the
// sources): base32 and hex secrets, the code of a time step, and the match
// within ±1 step. Loaded on the first row that has a secret, not at every
// cold start.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TOTP_SKEW, type TotpParameters } from './totp.js';

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
