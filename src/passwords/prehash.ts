// bcrypt over a pre-hash of the password: WordPress 6.8+, Django's and
// passlib's bcrypt_sha256, Meteor. Each computes a short ASCII key from the
// password and hands it to plain bcrypt, which is then verified as usual.
import { createHash, createHmac } from 'node:crypto';
import { UnsupportedHashError } from '../errors.js';
import { bcryptVerifier } from './bcrypt.js';
import { RECOGNIZE } from './formats.js';
import type { PasswordVerifier } from './verifier.js';

interface Prehashed {
  /** The bcrypt string to verify against. */
  bcrypt: string;
  /** The key bcrypt receives instead of the password. */
  key: (password: string) => string;
}

function prehashVerifier(id: string, recognizes: (e: string) => boolean, parse: (encoded: string) => Prehashed): PasswordVerifier {
  return {
    id,
    recognizes,
    worker: { factory: 'builtin', id },
    cost: (encoded) => bcryptVerifier.cost!(parse(encoded).bcrypt, 64),
    async verify(password, encoded) {
      const { bcrypt, key } = parse(encoded);
      return bcryptVerifier.verify(key(password), bcrypt);
    },
  };
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * WordPress 6.8+ `$wp$2y$…`: bcrypt of base64(HMAC-SHA384(key `wp-sha384`,
 * password)), as `wp_check_password` verifies it.
 *
 * @example
 * ```ts
 * await wordpressVerifier.verify('pw', '$wp$2y$10$…')
 * ```
 */
export const wordpressVerifier = prehashVerifier('wordpress', RECOGNIZE.wordpress, (encoded) => {
  const bcrypt = encoded.slice(3);
  if (!BCRYPT.test(bcrypt)) throw new UnsupportedHashError('WordPress $wp$', 'expected $wp followed by a bcrypt string');
  return { bcrypt, key: (password) => createHmac('sha384', 'wp-sha384').update(password, 'utf8').digest('base64') };
});

/**
 * bcrypt over a SHA-256 of the password: Django's `bcrypt_sha256$$2b$…` (hex
 * SHA-256), passlib's `$bcrypt-sha256$2b,12$salt$hash` (v1: base64 SHA-256)
 * and `$bcrypt-sha256$v=2,t=2b,r=12$salt$hash` (v2: base64 HMAC-SHA256 keyed
 * with the salt's text).
 *
 * @example
 * ```ts
 * await bcryptSha256Verifier.verify('pw', 'bcrypt_sha256$$2b$12$…')
 * ```
 */
export const bcryptSha256Verifier = prehashVerifier('bcrypt-sha256', RECOGNIZE['bcrypt-sha256'], (encoded) => {
  if (encoded.startsWith('bcrypt_sha256$')) {
    const bcrypt = encoded.slice('bcrypt_sha256$'.length);
    if (!BCRYPT.test(bcrypt)) throw new UnsupportedHashError('Django bcrypt_sha256', 'expected bcrypt_sha256$ followed by a bcrypt string');
    return { bcrypt, key: (password) => createHash('sha256').update(password, 'utf8').digest('hex') };
  }
  const m = /^\$bcrypt-sha256\$(?:v=2,t=(2[aby]),r=(\d{1,2})|(2[aby]),(\d{1,2}))\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/.exec(encoded);
  if (!m) throw new UnsupportedHashError('passlib $bcrypt-sha256$', 'expected $bcrypt-sha256$v=2,t=2b,r=NN$salt$hash or $bcrypt-sha256$2b,NN$salt$hash');
  const v2 = m[1] !== undefined;
  const salt = m[5]!;
  return {
    // passlib writes the cost without bcrypt's leading zero.
    bcrypt: `$${m[1] ?? m[3]}$${(m[2] ?? m[4])!.padStart(2, '0')}$${salt}${m[6]}`,
    key: (password) => (v2 ? createHmac('sha256', salt) : createHash('sha256')).update(password, 'utf8').digest('base64'),
  };
});

/**
 * Meteor's accounts-password: bcrypt over the hex SHA-256 of the password
 * (`services.password.bcrypt`). The string is a plain bcrypt one, so a store
 * names this format explicitly (`hashFormat: 'meteor'`).
 *
 * @example
 * ```ts
 * await verifyPassword('pw', '$2b$10$…', { format: 'meteor' })
 * ```
 */
export const meteorVerifier = prehashVerifier('meteor', RECOGNIZE.meteor, (encoded) => {
  if (!BCRYPT.test(encoded)) throw new UnsupportedHashError('Meteor', 'expected the bcrypt string of services.password.bcrypt');
  return { bcrypt: encoded, key: (password) => createHash('sha256').update(password, 'utf8').digest('hex') };
});
