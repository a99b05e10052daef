import { createHash, createHmac } from 'node:crypto';
import { UnsupportedHashError } from '../errors.js';
import { decodeBase64, decodeText, sameBytes } from './encoding.js';
import { MS_PER_UNIT, estimate, positiveInteger } from './work.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const digestOf = (algorithm: string, ...parts: Buffer[]) => {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * Django's legacy salted digests `sha1$salt$hex` and `md5$salt$hex`
 * (digest of salt + password; an empty salt is the unsalted variant).
 *
 * @example
 * ```ts
 * await djangoDigestVerifier.verify('pw', 'sha1$a1976$…')
 * ```
 */
export const djangoDigestVerifier: PasswordVerifier = {
  id: 'django-digest',
  recognizes: RECOGNIZE['django-digest'],
  worker: { factory: 'builtin', id: 'django-digest' },
  cost: (encoded, passwordBytes) => (parseDjango(encoded), estimate(MS_PER_UNIT.digest + (encoded.length + passwordBytes) * MS_PER_UNIT.digestByte)),
  async verify(password, encoded) {
    const { algorithm, salt, hex } = parseDjango(encoded);
    return sameBytes(digestOf(algorithm, utf8(salt), utf8(password)), Buffer.from(hex, 'hex'));
  },
};

function parseDjango(encoded: string) {
  const [algorithm, salt, hex, ...rest] = encoded.split('$');
  if (algorithm !== 'sha1' && algorithm !== 'md5') throw new UnsupportedHashError('Django digest', 'expected sha1$ or md5$');
  const size = algorithm === 'sha1' ? 40 : 32;
  if (rest.length || salt === undefined || !hex || hex.length !== size || !/^[0-9a-f]+$/i.test(hex)) {
    throw new UnsupportedHashError(`Django ${algorithm}$`, `expected ${algorithm}$salt$${size}-hex-digit digest`);
  }
  return { algorithm, salt, hex };
}

const LDAP_SCHEMES: Record<string, { algorithm: string; size: number; salted: boolean }> = {
  SHA: { algorithm: 'sha1', size: 20, salted: false },
  SSHA: { algorithm: 'sha1', size: 20, salted: true },
  MD5: { algorithm: 'md5', size: 16, salted: false },
  SMD5: { algorithm: 'md5', size: 16, salted: true },
  SHA256: { algorithm: 'sha256', size: 32, salted: false },
  SSHA256: { algorithm: 'sha256', size: 32, salted: true },
  SHA512: { algorithm: 'sha512', size: 64, salted: false },
  SSHA512: { algorithm: 'sha512', size: 64, salted: true },
};

/**
 * LDAP (RFC 2307-style) `{SSHA}`, `{SHA}`, `{SMD5}`, `{MD5}` and the SHA-2
 * variants: base64 of digest(password + salt) followed by the salt.
 *
 * @example
 * ```ts
 * await ldapVerifier.verify('pw', '{SSHA}…')
 * ```
 */
export const ldapVerifier: PasswordVerifier = {
  id: 'ldap',
  recognizes: RECOGNIZE.ldap,
  worker: { factory: 'builtin', id: 'ldap' },
  cost: (encoded, passwordBytes) => (parseLdap(encoded), estimate(MS_PER_UNIT.digest + (encoded.length + passwordBytes) * MS_PER_UNIT.digestByte)),
  async verify(password, encoded) {
    const { spec, bytes } = parseLdap(encoded);
    const salt = bytes.subarray(spec.size);
    return sameBytes(digestOf(spec.algorithm, utf8(password), salt), bytes.subarray(0, spec.size));
  },
};

function parseLdap(encoded: string) {
  const close = encoded.indexOf('}');
  const scheme = encoded.slice(1, close).toUpperCase();
  const spec = Object.hasOwn(LDAP_SCHEMES, scheme) ? LDAP_SCHEMES[scheme] : undefined;
  const bytes = decodeBase64(encoded.slice(close + 1));
  if (!spec || !bytes || bytes.length < spec.size || (!spec.salted && bytes.length !== spec.size)) {
    throw new UnsupportedHashError(spec ? `LDAP {${scheme}}` : 'LDAP', 'the base64 payload is not a digest (plus salt) of the right length');
  }
  return { spec, bytes };
}

/** Options of {@link createDigestVerifier}. */
export interface DigestOptions {
  /** Format name a store gives as `hashFormat` (and the name in errors). */
  id: string;
  /** Any node:crypto hash: `md5`, `sha1`, `sha256`, `sha512`, … */
  algorithm: string;
  /** What is hashed (default `salt+password`). */
  order?: 'salt+password' | 'password+salt' | 'password';
  /** Digest text encoding (default `hex`). */
  encoding?: 'hex' | 'base64';
  /** How the salt is written in the stored string (default `utf8`, used as is). */
  saltEncoding?: 'utf8' | 'hex' | 'base64';
  /** Splits the stored string (default `salt$digest`, or just the digest for order `password`). */
  split?: (encoded: string) => { salt: string; digest: string } | undefined;
  /** A site-wide secret: appended to the password, or, with `hmac`, the HMAC key. */
  pepper?: string;
  /** Use HMAC(pepper, …) instead of a plain digest. */
  hmac?: boolean;
  /** Apply the digest this many times (digest of the previous digest), default 1. */
  iterations?: number;
  /** Recognise stored strings that start with this prefix (default: only by `hashFormat`). */
  prefix?: string;
}

/**
 * A configurable salted digest for site-specific layouts: algorithm, order of
 * salt and password, encodings, optional pepper (from a secret) or HMAC.
 *
 * @example
 * ```ts
 * // legacy PHP app: sha256(salt . password . PEPPER) stored as "salt:hexdigest"
 * const acme = createDigestVerifier({
 *   id: 'acme-sha256', algorithm: 'sha256', pepper: process.env.LEGACY_PEPPER,
 *   split: (e) => { const [salt, digest] = e.split(':'); return salt && digest ? { salt, digest } : undefined },
 * })
 * ```
 */
export function createDigestVerifier(options: DigestOptions): PasswordVerifier {
  const order = options.order ?? 'salt+password';
  const iterations = options.iterations ?? 1;
  try {
    createHash(options.algorithm);
  } catch {
    throw new UnsupportedHashError(options.id, `node:crypto has no hash "${options.algorithm}"`);
  }
  if (options.hmac && !options.pepper) throw new UnsupportedHashError(options.id, 'hmac needs a pepper to use as the key');
  const split = options.split ?? ((e: string) => {
    if (order === 'password') return { salt: '', digest: e };
    const cut = e.lastIndexOf('$');
    return cut < 0 ? undefined : { salt: e.slice(0, cut), digest: e.slice(cut + 1) };
  });
  positiveInteger(options.id, 'iterations', iterations);
  const parse = (encoded: string) => {
    const body = options.prefix && encoded.startsWith(options.prefix) ? encoded.slice(options.prefix.length) : encoded;
    const parts = split(body);
    const expected = parts && decodeText(parts.digest, options.encoding ?? 'hex');
    const salt = parts && decodeText(parts.salt, options.saltEncoding ?? 'utf8');
    if (!expected?.length || !salt) throw new UnsupportedHashError(options.id, 'the stored string does not split into salt and digest in the configured encodings');
    return { expected, salt };
  };
  const { split: custom, ...plain } = options;
  return {
    id: options.id,
    primitives: ['md5-chain'],
    recognizes: (e) => options.prefix !== undefined && e.startsWith(options.prefix),
    ...(custom ? {} : { worker: { factory: 'digest', options: { ...plain } } }),
    cost: (encoded, passwordBytes) => (parse(encoded), estimate(iterations * (MS_PER_UNIT.digest + (encoded.length + passwordBytes) * MS_PER_UNIT.digestByte))),
    async verify(password, encoded) {
      const { expected, salt } = parse(encoded);
      const pw = options.pepper && !options.hmac ? utf8(password + options.pepper) : utf8(password);
      const input = order === 'salt+password' ? [salt, pw] : order === 'password+salt' ? [pw, salt] : [pw];
      const once = (parts: Buffer[]) => {
        const h = options.hmac ? createHmac(options.algorithm, options.pepper!) : createHash(options.algorithm);
        for (const p of parts) h.update(p);
        return h.digest();
      };
      let digest = once(input);
      for (let i = 1; i < iterations; i++) digest = once([digest]);
      return sameBytes(digest, expected);
    },
  };
}

/**
 * Wraps your own check as a verifier, for formats nothing here reads.
 *
 * @example
 * ```ts
 * const legacy = customVerifier('acme-v1', async (password, encoded) => acmeCheck(password, encoded))
 * ```
 */
export function customVerifier(id: string, verify: (password: string, encoded: string) => Promise<boolean>, recognizes: (encoded: string) => boolean = () => false): PasswordVerifier {
  return { id, recognizes, verify: (password, encoded) => verify(password, encoded) };
}
