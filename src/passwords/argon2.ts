import { UnsupportedHashError } from '../errors.js';
import { decodeBase64, dollarFields, phcParams, sameBytes } from './encoding.js';
import { MS_PER_UNIT, estimate, positiveInteger } from './work.js';
import type { PasswordVerifier } from './verifier.js';
import { RECOGNIZE } from './formats.js';

type Variant = 'argon2id' | 'argon2i' | 'argon2d';

/** Options of {@link createArgon2Verifier}. */
export interface Argon2Options {
  /** The secret key ("pepper", RFC 9106's K) the legacy system hashed with, from your secret store. */
  secret?: Uint8Array;
}

interface Argon2Params {
  format: string;
  variant: Variant;
  version: number;
  m: number;
  t: number;
  p: number;
  salt: Buffer;
  expected: Buffer;
  data: Buffer | undefined;
  /** The pure-JS engine handles what hash-wasm does not (version 16, associated data), about 5× slower. */
  pureJs: boolean;
}

/**
 * What one lane adds to one pass, in blocks: measured with hash-wasm at p=1,024
 * to 8,192 (m 8 to 64 MiB, t 1 and 3), 25 to 95 blocks' time per lane and pass,
 * over the m·t blocks; rounded up to err high. Negligible at the usual p of 1 to 8.
 */
export const ARGON2_LANE_BLOCKS = 120;

function parse(encoded: string): Argon2Params {
  const fields = dollarFields(encoded);
  const variant = fields[0] as Variant;
  if (!['argon2id', 'argon2i', 'argon2d'].includes(variant)) throw new UnsupportedHashError('argon2', 'expected $argon2id$, $argon2i$ or $argon2d$');
  // The version field is optional in the PHC grammar (absent means version 16).
  const hasVersion = fields[1]?.startsWith('v=');
  const version = hasVersion ? Number(fields[1]!.slice(2)) : 0x10;
  const [paramText, saltText, hashText, ...rest] = fields.slice(hasVersion ? 2 : 1);
  const params = paramText === undefined ? undefined : phcParams(paramText);
  const salt = saltText === undefined ? undefined : decodeBase64(saltText);
  const expected = hashText === undefined ? undefined : decodeBase64(hashText);
  const format = `$${variant}$`;
  if (rest.length || !params || !salt || !expected || (version !== 0x13 && version !== 0x10)) {
    throw new UnsupportedHashError(format, 'expected $argon2id$v=19$m=…,t=…,p=…$salt$hash');
  }
  const [m, t, p] = [params.m, params.t, params.p];
  if (typeof m !== 'number' || typeof t !== 'number' || typeof p !== 'number') {
    throw new UnsupportedHashError(format, 'the parameters need whole numbers m (KiB), t (passes) and p (lanes)');
  }
  positiveInteger(format, 't (passes)', t);
  positiveInteger(format, 'p (lanes)', p);
  positiveInteger(format, 'm (KiB)', m);
  if (p > 0xffffff) throw new UnsupportedHashError(format, 'p is above the Argon2 maximum');
  if (m < 8 * p) throw new UnsupportedHashError(format, 'm must be at least 8·p KiB');
  if (salt.length < 8 || expected.length < 4) throw new UnsupportedHashError(format, 'salt under 8 bytes or hash under 4 bytes');
  const data = typeof params.data === 'string' ? decodeBase64(params.data) : undefined;
  return { format, variant, version, m, t, p, salt, expected, data, pureJs: Boolean(data) || version === 0x10 };
}

/**
 * Argon2id, Argon2i and Argon2d in the PHC form
 * `$argon2id$v=19$m=65536,t=3,p=4$salt$hash` (standard base64, no padding).
 *
 * Computed with hash-wasm (WebAssembly, loaded on first use, no native
 * module). PHC strings that carry associated data (`data=`) or version 16
 * go through @noble/hashes, which supports both; the RFC 9106 vectors check
 * that path, and a test checks that both engines agree.
 *
 * @example
 * ```ts
 * const peppered = createArgon2Verifier({ secret: Buffer.from(pepper, 'utf8') })
 * createUserMigrationHandler({ store, verifiers: [peppered] })
 * ```
 */
export function createArgon2Verifier({ secret }: Argon2Options = {}): PasswordVerifier {
  return {
    id: 'argon2',
    recognizes: RECOGNIZE.argon2,
    worker: secret ? { factory: 'argon2', options: { secret } } : { factory: 'builtin', id: 'argon2' },
    cost(encoded) {
      const { m, t, p, pureJs } = parse(encoded);
      // Each lane adds its own work to every pass, whatever m: at p=8,192 the m·t blocks alone were 16× under.
      return estimate(t * (m + p * ARGON2_LANE_BLOCKS) * (pureJs ? MS_PER_UNIT.argon2BlockPureJs : MS_PER_UNIT.argon2Block), m * 1024, true, pureJs ? 'argon2-js' : 'argon2');
    },
    async verify(password, encoded) {
      const { variant, version, m, t, p, salt, expected, data, pureJs } = parse(encoded);
      const pw = Buffer.from(password, 'utf8');
      const engines = await import('./argon2-engines.js');
      let tag: Uint8Array;
      if (pureJs) {
        const fn = variant === 'argon2id' ? engines.nobleArgon2id : variant === 'argon2i' ? engines.nobleArgon2i : engines.nobleArgon2d;
        tag = fn(pw, salt, { t, m, p, version, dkLen: expected.length, ...(data ? { personalization: data } : {}), ...(secret ? { key: secret } : {}) });
      } else {
        const fn = variant === 'argon2id' ? engines.argon2id : variant === 'argon2i' ? engines.argon2i : engines.argon2d;
        tag = await fn({ password: pw, salt, iterations: t, parallelism: p, memorySize: m, hashLength: expected.length, outputType: 'binary', ...(secret ? { secret } : {}) });
      }
      return sameBytes(tag, expected);
    },
  };
}

/**
 * Argon2 without a secret key: the built-in verifier.
 *
 * @example
 * ```ts
 * await argon2Verifier.verify('pw', '$argon2id$v=19$m=19456,t=2,p=1$…$…')
 * ```
 */
export const argon2Verifier = createArgon2Verifier();
