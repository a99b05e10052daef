import { UnsupportedHashError } from '../errors.js';
import { MS_PER_UNIT, estimate } from './work.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

// $2a$/$2b$/$2y$ differ only in how old implementations handled edge cases;
// bcryptjs computes all three the same way, as OpenBSD's $2b$ does.
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

function parseCost(encoded: string): number {
  const match = BCRYPT.exec(encoded);
  if (!match) {
    if (encoded.startsWith('$2x$')) {
      throw new UnsupportedHashError('bcrypt $2x$', 'the pre-2011 buggy variant cannot be verified safely; have these users reset their password');
    }
    throw new UnsupportedHashError('bcrypt', 'expected $2a$, $2b$ or $2y$, a two-digit cost and 53 characters of salt and hash');
  }
  const cost = Number(match[1]);
  if (cost < 4 || cost > 31) throw new UnsupportedHashError('bcrypt', `cost ${cost} is outside bcrypt's range 4..31`);
  return cost;
}

/**
 * bcrypt (`$2a$`, `$2b$`, `$2y$`) through hash-wasm's WebAssembly bcrypt, the
 * fastest implementation without a native module (`npm run bench`, figure
 * `bcrypt_engines`: bcryptjs, hash-wasm and the native @node-rs/bcrypt side by
 * side). bcryptjs stays for the empty password, which hash-wasm refuses.
 *
 * **72 bytes.** bcrypt only ever read the first 72 bytes of the UTF-8 password,
 * so the legacy system accepted any password whose first 72 bytes match. This
 * verifier agrees with it (it hands bcrypt those 72 bytes); refusing longer
 * passwords would lock out users whose legacy login works.
 *
 * **`$2x$`** is the pre-2011 crypt_blowfish variant with the sign-extension bug
 * on 8-bit characters; no pure-JS implementation reproduces it, so it is
 * refused with {@link UnsupportedHashError} and the user must reset.
 *
 * @example
 * ```ts
 * await bcryptVerifier.verify('hunter2', '$2b$10$…') // true or false
 * ```
 */
export const bcryptVerifier: PasswordVerifier = {
  id: 'bcrypt',
  recognizes: RECOGNIZE.bcrypt,
  worker: { factory: 'builtin', id: 'bcrypt' },
  cost: (encoded) => estimate(2 ** parseCost(encoded) * MS_PER_UNIT.bcryptRound, 4096, true, 'bcrypt'),
  async verify(password, encoded) {
    parseCost(encoded);
    const bytes = Buffer.from(password, 'utf8').subarray(0, 72);
    // Loaded on first verify: with verification in a worker thread, the main thread never needs them.
    if (bytes.length === 0) return (await import('bcryptjs')).default.compare(password, encoded);
    const { bcryptVerify } = await import('./bcrypt-engine.js');
    // $2a$, $2b$ and $2y$ are the same computation for the passwords bcrypt reads.
    return bcryptVerify({ password: bytes, hash: encoded.replace(/^\$2[ay]\$/, '$2b$') });
  },
};

/** A bcrypt cost-10 hash of a random, discarded password: the default timing hash. */
export const DEFAULT_TIMING_HASH = '$2b$10$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16';
