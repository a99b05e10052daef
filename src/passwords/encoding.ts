import { timingSafeEqual } from 'node:crypto';

/** The crypt(3) alphabet used by md5-crypt, sha-crypt and phpass. */
export const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Compares two byte strings in time that depends only on their lengths
 * (which are public: they follow from the format).
 *
 * @example
 * ```ts
 * sameBytes(computed, stored) // true or false
 * ```
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Compares two ASCII strings (encoded digests) in constant time.
 *
 * @example
 * ```ts
 * sameText(encode(computed), storedDigestText)
 * ```
 */
export function sameText(a: string, b: string): boolean {
  return sameBytes(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}

/**
 * Decodes standard, URL-safe, unpadded or passlib "adapted" base64
 * (where `.` stands for `+`). Returns undefined for anything else.
 *
 * @example
 * ```ts
 * decodeBase64('c2FsdA') // <Buffer 73 61 6c 74>
 * ```
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/._-]*={0,2}$/.test(text)) return undefined;
  const std = text.replace(/\./g, '+').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (std.length % 4 === 1) return undefined;
  return Buffer.from(std, 'base64');
}

/**
 * Encodes 24-bit groups of bytes the crypt(3) way: for each group of three
 * indexes, the little-endian 6-bit digits of (b[i] << 16 | b[j] << 8 | b[k]).
 *
 * @example
 * ```ts
 * cryptEncode(digest, [[0, 6, 12], [1, 7, 13]], [11], 2)
 * ```
 */
export function cryptEncode(bytes: Uint8Array, groups: ReadonlyArray<readonly [number, number, number]>, tail: readonly number[], tailChars: number): string {
  let out = '';
  const put = (value: number, chars: number) => {
    for (let n = 0; n < chars; n++) {
      out += CRYPT64[value & 0x3f];
      value >>= 6;
    }
  };
  for (const [i, j, k] of groups) put((bytes[i]! << 16) | (bytes[j]! << 8) | bytes[k]!, 4);
  let value = 0;
  for (const index of tail) value = (value << 8) | bytes[index]!;
  put(value, tailChars);
  return out;
}

/**
 * Splits `$id$a$b$c` into `['id', 'a', 'b', 'c']`.
 *
 * @example
 * ```ts
 * dollarFields('$pbkdf2-sha256$29000$c2FsdA$aGFzaA') // ['pbkdf2-sha256', '29000', 'c2FsdA', 'aGFzaA']
 * ```
 */
export function dollarFields(encoded: string): string[] {
  return encoded.split('$').slice(1);
}

/**
 * Parses `k=v,k=v` parameter lists of PHC strings into numbers (or raw text for non-numbers).
 *
 * @example
 * ```ts
 * phcParams('m=65536,t=3,p=4') // { m: 65536, t: 3, p: 4 }
 * ```
 */
export function phcParams(text: string): Record<string, number | string> | undefined {
  const out: Record<string, number | string> = {};
  for (const pair of text.split(',')) {
    const match = /^([a-z][a-z0-9-]*)=([A-Za-z0-9+/.=-]+)$/i.exec(pair);
    if (!match) return undefined;
    out[match[1]!] = /^\d+$/.test(match[2]!) ? Number(match[2]) : match[2]!;
  }
  return out;
}

/**
 * Decodes salt or digest text in a configured encoding; undefined when the text is not in it.
 *
 * @example
 * ```ts
 * decodeText('a1b2', 'hex') // <Buffer a1 b2>
 * ```
 */
export function decodeText(text: string, encoding: 'hex' | 'base64' | 'utf8'): Buffer | undefined {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  if (encoding === 'base64') return decodeBase64(text);
  return /^([0-9a-f]{2})*$/i.test(text) ? Buffer.from(text, 'hex') : undefined;
}
