import { UnsupportedHashError } from '../errors.js';
import { type Pbkdf2Hash, checkedPbkdf2, pbkdf2Cost, pbkdf2Matches } from './pbkdf2.js';
import { RECOGNIZE } from './formats.js';
import type { PasswordVerifier } from './verifier.js';

const PRF = ['sha1', 'sha256', 'sha512'] as const;

function parse(encoded: string): Pbkdf2Hash {
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
  if (bytes?.[0] === 0x00 && bytes.length === 49) {
    // Version 2: PBKDF2-HMAC-SHA1, 1000 iterations, 16-byte salt, 32-byte subkey.
    return checkedPbkdf2({ format: 'ASP.NET Identity v2', salt: bytes.subarray(1, 17), iterations: 1000, digest: 'sha1', expected: bytes.subarray(17) });
  }
  if (bytes?.[0] === 0x01 && bytes.length >= 13) {
    const prf = bytes.readUInt32BE(1);
    const iterations = bytes.readUInt32BE(5);
    const saltLength = bytes.readUInt32BE(9);
    const digest = PRF[prf];
    // ASP.NET itself refuses salts and subkeys under 128 bits.
    if (digest && saltLength >= 16 && 13 + saltLength + 16 <= bytes.length) {
      return checkedPbkdf2({ format: 'ASP.NET Identity v3', salt: bytes.subarray(13, 13 + saltLength), iterations, digest, expected: bytes.subarray(13 + saltLength) });
    }
  }
  throw new UnsupportedHashError('ASP.NET Identity', 'expected base64 of a version 2 (0x00, salt, subkey) or version 3 (0x01, PRF 0–2, iterations, salt length, salt, subkey) hash');
}

/**
 * ASP.NET Identity's `PasswordHasher` output, version 2 and version 3 (the
 * first byte tells them apart): base64 of PBKDF2 with HMAC-SHA1, -SHA256 or
 * -SHA512. Its strings look like any base64, so a store names the format
 * (`hashFormat: 'aspnet-identity'`).
 *
 * @example
 * ```ts
 * await verifyPassword('pw', 'AQAAAAEAACcQAAAAE…', { format: 'aspnet-identity' })
 * ```
 */
export const aspnetIdentityVerifier: PasswordVerifier = {
  id: 'aspnet-identity',
  recognizes: RECOGNIZE['aspnet-identity'],
  worker: { factory: 'builtin', id: 'aspnet-identity' },
  cost: (encoded) => pbkdf2Cost(parse(encoded)),
  verify: (password, encoded) => pbkdf2Matches(password, parse(encoded)),
};
