import { createHash } from 'node:crypto';
import { UnsupportedHashError } from '../errors.js';
import { CRYPT64, cryptEncode, sameText } from './encoding.js';
import { MS_PER_UNIT, estimate } from './work.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

const md5 = (...parts: Buffer[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * The alternating rounds md5-crypt introduced and sha-crypt kept: each round
 * hashes the previous digest with the password (and, on some rounds, the salt)
 * in an order that depends on the round number.
 */
function alternate(algorithm: string, rounds: number, password: Buffer, salt: Buffer, digest: Buffer): Buffer {
  let c = digest;
  for (let i = 0; i < rounds; i++) {
    const round = createHash(algorithm);
    round.update(i & 1 ? password : c);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(password);
    round.update(i & 1 ? c : password);
    c = round.digest();
  }
  return c;
}

/** md5-crypt as FreeBSD, glibc (`$1$`) and Apache (`$apr1$`) compute it; only the magic differs. */
function md5Crypt(password: Buffer, magic: string, salt: Buffer): Buffer {
  const magicBytes = Buffer.from(magic, 'latin1');
  const mixed = md5(password, salt, password);
  const ctx = createHash('md5').update(password).update(magicBytes).update(salt);
  for (let left = password.length; left > 0; left -= 16) ctx.update(mixed.subarray(0, Math.min(16, left)));
  for (let i = password.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.from([0]) : password.subarray(0, 1));
  return alternate('md5', 1000, password, salt, ctx.digest());
}

const MD5_GROUPS = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]] as const;

/**
 * md5-crypt `$1$salt$hash` and Apache's `$apr1$salt$hash` (htpasswd -m).
 *
 * @example
 * ```ts
 * await md5CryptVerifier.verify('pw', '$apr1$…$…')
 * ```
 */
export const md5CryptVerifier: PasswordVerifier = {
  id: 'md5-crypt',
  recognizes: RECOGNIZE['md5-crypt'],
  worker: { factory: 'builtin', id: 'md5-crypt' },
  cost(encoded, passwordBytes) {
    parseMd5Crypt(encoded);
    return estimate(1000 * (MS_PER_UNIT.phpassRound + 2 * passwordBytes * MS_PER_UNIT.phpassRoundByte));
  },
  async verify(password, encoded) {
    const { magic, salt, hash } = parseMd5Crypt(encoded);
    const digest = md5Crypt(Buffer.from(password, 'utf8'), magic, Buffer.from(salt, 'latin1'));
    return sameText(cryptEncode(digest, MD5_GROUPS, [11], 2), hash);
  },
};

function parseMd5Crypt(encoded: string) {
  const magic = encoded.startsWith('$1$') ? '$1$' : '$apr1$';
  const [salt, hash, ...rest] = encoded.slice(magic.length).split('$');
  if (rest.length || salt === undefined || salt.length > 8 || hash === undefined || hash.length !== 22) {
    throw new UnsupportedHashError(magic, 'expected a salt of up to 8 characters and a 22-character hash');
  }
  return { magic, salt, hash };
}

const SHA256_GROUPS = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]] as const;
const SHA512_GROUPS = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
] as const;

/** Ulrich Drepper's SHA-crypt, the algorithm behind glibc's `$5$` and `$6$`. */
/** The sha-crypt digest (glibc's algorithm), exported for the calibration probe, which runs fewer rounds than a hash may. */
export function shaCrypt(algorithm: 'sha256' | 'sha512', password: Buffer, salt: Buffer, rounds: number): Buffer {
  const size = algorithm === 'sha256' ? 32 : 64;
  const hash = () => createHash(algorithm);
  const b = hash().update(password).update(salt).update(password).digest();
  const a = hash().update(password).update(salt);
  let left = password.length;
  for (; left > size; left -= size) a.update(b);
  a.update(b.subarray(0, left));
  for (let i = password.length; i > 0; i >>= 1) a.update(i & 1 ? b : password);
  const c = a.digest();
  const dp = hash();
  for (let i = 0; i < password.length; i++) dp.update(password);
  const p = repeat(dp.digest(), password.length);
  const ds = hash();
  for (let i = 0; i < 16 + c[0]!; i++) ds.update(salt);
  return alternate(algorithm, rounds, p, repeat(ds.digest(), salt.length), c);
}

function repeat(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = block[i % block.length]!;
  return out;
}

/**
 * sha256-crypt `$5$` and sha512-crypt `$6$`, with or without `rounds=N$`
 * (default 5000; glibc clamps to 1000..999999999, and so does this).
 *
 * @example
 * ```ts
 * await shaCryptVerifier.verify('pw', '$6$rounds=656000$salt$…')
 * ```
 */
export const shaCryptVerifier: PasswordVerifier = {
  id: 'sha-crypt',
  recognizes: RECOGNIZE['sha-crypt'],
  worker: { factory: 'builtin', id: 'sha-crypt' },
  cost(encoded, passwordBytes) {
    const { rounds, salt, sha512 } = parseShaCrypt(encoded);
    // Each round hashes the password once or twice (and the salt on some); the setup hashes it password-length times.
    const perRound = MS_PER_UNIT.shaCryptRound + (2 * passwordBytes + salt.length + (sha512 ? 64 : 32)) * MS_PER_UNIT.shaCryptRoundByte;
    return estimate(rounds * perRound + passwordBytes * passwordBytes * MS_PER_UNIT.shaCryptRoundByte, 0, true, sha512 ? 'sha512' : 'sha256');
  },
  async verify(password, encoded) {
    const { rounds, salt, hash, sha512 } = parseShaCrypt(encoded);
    const digest = shaCrypt(sha512 ? 'sha512' : 'sha256', Buffer.from(password, 'utf8'), Buffer.from(salt, 'latin1'), rounds);
    const text = sha512 ? cryptEncode(digest, SHA512_GROUPS, [63], 2) : cryptEncode(digest, SHA256_GROUPS, [31, 30], 3);
    return sameText(text, hash);
  },
};

function parseShaCrypt(encoded: string) {
  const sha512 = encoded.startsWith('$6$');
  const format = sha512 ? 'sha512-crypt $6$' : 'sha256-crypt $5$';
  let rest = encoded.slice(3);
  let rounds = 5000;
  const explicit = /^rounds=(\d{1,10})\$/.exec(rest);
  if (explicit) {
    rounds = Math.min(999_999_999, Math.max(1000, Number(explicit[1])));
    rest = rest.slice(explicit[0].length);
  }
  const cut = rest.lastIndexOf('$');
  const salt = rest.slice(0, cut).slice(0, 16);
  const hash = rest.slice(cut + 1);
  if (cut < 0 || hash.length !== (sha512 ? 86 : 43) || /[^./0-9A-Za-z]/.test(hash)) {
    throw new UnsupportedHashError(format, `expected [rounds=N$]salt$hash with a ${sha512 ? 86 : 43}-character hash`);
  }
  return { sha512, rounds, salt, hash };
}

/** phpass's base64 (little-endian, unlike crypt's grouped encoding). */
function phpassEncode(input: Buffer): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    let value = input[i++]!;
    out += CRYPT64[value & 0x3f];
    if (i < input.length) value |= input[i]! << 8;
    out += CRYPT64[(value >> 6) & 0x3f];
    if (i++ >= input.length) break;
    if (i < input.length) value |= input[i]! << 16;
    out += CRYPT64[(value >> 12) & 0x3f];
    if (i++ >= input.length) break;
    out += CRYPT64[(value >> 18) & 0x3f];
  }
  return out;
}

/**
 * phpass portable hashes: `$P$` (WordPress) and `$H$` (phpBB), iterated MD5.
 *
 * @example
 * ```ts
 * await phpassVerifier.verify('pw', '$P$B…')
 * ```
 */
export const phpassVerifier: PasswordVerifier = {
  id: 'phpass',
  recognizes: RECOGNIZE.phpass,
  worker: { factory: 'builtin', id: 'phpass' },
  cost: (encoded, passwordBytes) => estimate(2 ** parsePhpass(encoded) * (MS_PER_UNIT.phpassRound + passwordBytes * MS_PER_UNIT.phpassRoundByte)),
  async verify(password, encoded) {
    const log2 = parsePhpass(encoded);
    const salt = Buffer.from(encoded.slice(4, 12), 'latin1');
    const pw = Buffer.from(password, 'utf8');
    let digest = md5(salt, pw);
    for (let count = 2 ** log2; count > 0; count--) digest = md5(digest, pw);
    return sameText(phpassEncode(digest), encoded.slice(12));
  },
};

function parsePhpass(encoded: string): number {
  const format = encoded.startsWith('$H$') ? 'phpass $H$' : 'phpass $P$';
  if (encoded.length !== 34) throw new UnsupportedHashError(format, 'expected 34 characters: $P$, a cost character, 8 of salt, 22 of hash');
  const log2 = CRYPT64.indexOf(encoded[3]!);
  if (log2 < 7 || log2 > 30) throw new UnsupportedHashError(format, 'the cost character is outside phpass range 7..30');
  return log2;
}

/**
 * Drupal 7's `$S$` (phpass's structure with SHA-512, cut to 55 characters)
 * and `U$S$`, the hashes Drupal's update 7000 made of old MD5 hashes (the
 * `$S$` of the password's hex MD5).
 *
 * @example
 * ```ts
 * await drupal7Verifier.verify('pw', '$S$D…')
 * ```
 */
export const drupal7Verifier: PasswordVerifier = {
  id: 'drupal7',
  recognizes: RECOGNIZE.drupal7,
  worker: { factory: 'builtin', id: 'drupal7' },
  cost: (encoded, passwordBytes) => estimate(2 ** parseDrupal(encoded).log2 * (MS_PER_UNIT.drupalRound + passwordBytes * MS_PER_UNIT.drupalRoundByte)),
  async verify(password, encoded) {
    const { log2, setting, hash, md5First } = parseDrupal(encoded);
    const pw = Buffer.from(md5First ? createHash('md5').update(password, 'utf8').digest('hex') : password, 'utf8');
    let digest = createHash('sha512').update(setting.slice(4, 12), 'latin1').update(pw).digest();
    for (let count = 2 ** log2; count > 0; count--) digest = createHash('sha512').update(digest).update(pw).digest();
    return sameText(phpassEncode(digest).slice(0, hash.length), hash);
  },
};

function parseDrupal(encoded: string) {
  const md5First = encoded.startsWith('U$S$');
  const body = md5First ? encoded.slice(1) : encoded;
  const format = md5First ? 'Drupal 7 U$S$' : 'Drupal 7 $S$';
  if (body.length !== 55 || !/^\$S\$[./0-9A-Za-z]{52}$/.test(body)) throw new UnsupportedHashError(format, 'expected 55 characters: $S$, a cost character, 8 of salt, 43 of hash');
  const log2 = CRYPT64.indexOf(body[3]!);
  if (log2 < 7 || log2 > 30) throw new UnsupportedHashError(format, 'the cost character is outside Drupal\'s range 7..30');
  return { log2, setting: body.slice(0, 12), hash: body.slice(12), md5First };
}
