import { createHash, timingSafeEqual } from 'node:crypto';
import { UnsupportedHashError } from '../errors.js';
import { bcryptVerifier } from './bcrypt.js';
import { decodeBase64, sameBytes } from './encoding.js';
import { RECOGNIZE, SPRING_ID, SPRING_IDS } from './formats.js';
import { checkedPbkdf2, pbkdf2Cost, pbkdf2Matches } from './pbkdf2.js';
import { checkedScrypt, scryptCost, scryptMatches } from './scrypt.js';
import { MS_PER_UNIT, type WorkEstimate, estimate } from './work.js';
import type { PasswordVerifier } from './verifier.js';

/** Options of {@link createSpringVerifier}. */
export interface SpringOptions {
  /**
   * Accept `{noop}` (NoOpPasswordEncoder: the password stored in plain text).
   * Off by default: a plaintext store is refused, with a log naming the
   * format, until you decide to migrate those users as they are.
   */
  allowPlaintext?: boolean;
}

interface Inner {
  cost(passwordBytes: number): WorkEstimate | Promise<WorkEstimate>;
  verify(password: string): Promise<boolean>;
}

const hex = (text: string, bytes: number, format: string) => {
  if (text.length !== bytes * 2 || !/^[0-9a-f]+$/i.test(text)) throw new UnsupportedHashError(format, `expected ${bytes * 2} hex characters`);
  return Buffer.from(text, 'hex');
};

// Pbkdf2PasswordEncoder keeps no parameters in the string: these are Spring's defaults for each id.
const PBKDF2 = { pbkdf2: { salt: 8, iterations: 185_000, digest: 'sha1' }, 'pbkdf2@SpringSecurity_v5_8': { salt: 16, iterations: 310_000, digest: 'sha256' } } as const;

function inner(id: string, rest: string, allowPlaintext: boolean): Inner {
  const format = `Spring {${id}}`;
  switch (id) {
    case 'bcrypt':
      return { cost: () => bcryptVerifier.cost!(rest, 72), verify: (pw) => bcryptVerifier.verify(pw, rest) };
    case 'argon2':
    case 'argon2@SpringSecurity_v5_8': {
      if (!rest.startsWith('$argon2')) throw new UnsupportedHashError(format, 'expected a $argon2id$ string');
      const argon2 = async () => (await import('./argon2.js')).argon2Verifier;
      return { cost: async (n) => (await argon2()).cost!(rest, n), verify: async (pw) => (await argon2()).verify(pw, rest) };
    }
    case 'ldap': {
      const ldap = async () => (await import('./digest.js')).ldapVerifier;
      if (!RECOGNIZE.ldap(rest)) throw new UnsupportedHashError(format, 'expected {SSHA} or {SHA} and base64');
      return { cost: async (n) => (await ldap()).cost!(rest, n), verify: async (pw) => (await ldap()).verify(pw, rest) };
    }
    case 'pbkdf2':
    case 'pbkdf2@SpringSecurity_v5_8': {
      const p = PBKDF2[id];
      const bytes = hex(rest, p.salt + 32, format);
      const h = checkedPbkdf2({ format, salt: bytes.subarray(0, p.salt), iterations: p.iterations, digest: p.digest, expected: bytes.subarray(p.salt) });
      return { cost: () => pbkdf2Cost(h), verify: (pw) => pbkdf2Matches(pw, h) };
    }
    case 'scrypt':
    case 'scrypt@SpringSecurity_v5_8': {
      // SCryptPasswordEncoder: $hex(log2 N << 16 | r << 8 | p)$base64 salt$base64 key.
      const [, params, saltText, keyText, ...more] = rest.split('$');
      const salt = saltText === undefined ? undefined : decodeBase64(saltText);
      const key = keyText === undefined ? undefined : decodeBase64(keyText);
      if (more.length || !params || !/^[0-9a-f]{1,8}$/.test(params) || !salt || !key) throw new UnsupportedHashError(format, 'expected $params$salt$key');
      const n = parseInt(params, 16);
      const h = checkedScrypt(format, salt, key, { N: 2 ** ((n >>> 16) & 0xffff), r: (n >>> 8) & 0xff, p: n & 0xff });
      return { cost: () => scryptCost(h), verify: (pw) => scryptMatches(pw, h) };
    }
    case 'sha256': {
      // StandardPasswordEncoder: hex(salt(8) | SHA-256 of salt + password, 1024 times in all).
      const bytes = hex(rest, 40, format);
      const salt = bytes.subarray(0, 8);
      return {
        cost: (n) => estimate(1024 * MS_PER_UNIT.digest + n * MS_PER_UNIT.digestByte, 0, true, 'digest'),
        verify: async (pw) => {
          let d = createHash('sha256').update(salt).update(pw, 'utf8').digest();
          for (let i = 1; i < 1024; i++) d = createHash('sha256').update(d).digest();
          return sameBytes(d, bytes.subarray(8));
        },
      };
    }
    case 'MD5':
    case 'SHA-1':
    case 'SHA-256': {
      // MessageDigestPasswordEncoder: "{salt}" + hex(digest(password + "{salt}")), the salt optional.
      const m = /^(\{[^}]*\})?([0-9a-f]+)$/.exec(rest);
      const algorithm = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256' }[id];
      const size = { MD5: 16, 'SHA-1': 20, 'SHA-256': 32 }[id];
      if (!m || m[2]!.length !== size * 2) throw new UnsupportedHashError(format, `expected an optional {salt} and ${size * 2} hex characters`);
      const salt = m[1] ?? '';
      return {
        cost: (n) => estimate(MS_PER_UNIT.digest + (n + salt.length) * MS_PER_UNIT.digestByte, 0, true, 'digest'),
        verify: async (pw) => sameBytes(createHash(algorithm).update(pw + salt, 'utf8').digest(), Buffer.from(m[2]!, 'hex')),
      };
    }
    case 'noop': {
      if (!allowPlaintext) throw new UnsupportedHashError(format, 'the password is stored in plain text; refused unless the store registers createSpringVerifier({ allowPlaintext: true })');
      // Compared as digests, so the time does not depend on where the two first differ or on their lengths.
      const stored = createHash('sha256').update(rest, 'utf8').digest();
      return { cost: () => estimate(MS_PER_UNIT.digest, 0, true, 'digest'), verify: async (pw) => timingSafeEqual(createHash('sha256').update(pw, 'utf8').digest(), stored) };
    }
    default:
      throw new UnsupportedHashError('Spring', 'unknown {id}');
  }
}

function split(encoded: string, allowPlaintext: boolean): Inner {
  const m = SPRING_ID.exec(encoded);
  if (!m) throw new UnsupportedHashError('Spring', `expected one of DelegatingPasswordEncoder's {id} prefixes (${SPRING_IDS.join(', ')})`);
  return inner(m[1]!, encoded.slice(m[0].length), allowPlaintext);
}

/**
 * Spring Security's `DelegatingPasswordEncoder` strings, recognised by their
 * `{id}`: `{bcrypt}`, `{pbkdf2}` (and `@SpringSecurity_v5_8`), `{scrypt}`,
 * `{argon2}`, `{sha256}` (StandardPasswordEncoder), `{MD5}`, `{SHA-1}`,
 * `{SHA-256}` (MessageDigestPasswordEncoder), `{ldap}`. `{noop}` (plain
 * text) is refused unless `allowPlaintext` is set. Parameters Spring keeps
 * out of the string are its defaults for that id.
 *
 * @example
 * ```ts
 * const spring = createSpringVerifier({ allowPlaintext: true }) // only if you mean it
 * createPasswordVerifier({ verifiers: [spring] })
 * ```
 */
export function createSpringVerifier(options: SpringOptions = {}): PasswordVerifier {
  const allowPlaintext = options.allowPlaintext === true;
  return {
    id: 'spring',
    recognizes: RECOGNIZE.spring,
    worker: allowPlaintext ? { factory: 'spring', options: { allowPlaintext } } : { factory: 'builtin', id: 'spring' },
    cost: (encoded, passwordBytes) => split(encoded, allowPlaintext).cost(passwordBytes),
    verify: (password, encoded) => split(encoded, allowPlaintext).verify(password),
  };
}

/**
 * The built-in Spring verifier: `{noop}` refused.
 * @example await springVerifier.verify('pw', '{bcrypt}$2a$10$…')
 */
export const springVerifier = createSpringVerifier();
