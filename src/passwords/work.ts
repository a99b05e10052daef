import { UnsupportedHashError } from '../errors.js';

/**
 * How much work one verification asks for, estimated from the stored
 * string's parameters before any of it is done.
 *
 * @example
 * ```ts
 * const estimate: WorkEstimate = { ms: 74, memoryBytes: 4096 } // bcrypt cost 10
 * ```
 */
export interface WorkEstimate {
  /** Milliseconds on one full vCPU (Lambda at 1,769 MB). */
  ms: number;
  /** Peak memory the computation needs, in bytes. */
  memoryBytes: number;
  /**
   * `false` when the work is one native call (node:crypto's PBKDF2) that
   * terminating the verification thread cannot interrupt: it is admitted
   * only with {@link UNINTERRUPTIBLE_MARGIN} to spare.
   */
  interruptible?: boolean;
  /**
   * Which speed the estimate reads, where one verifier's hashes read
   * different ones (`pbkdf2-sha512`, `argon2-js`, `sha512`): the registry
   * learns each kind's speed from real verifications (`learn.ts`).
   */
  unit?: string;
}

/**
 * How many times its estimate an uninterruptible verification must fit in the
 * time left. The deadline stops everything else; this work, once started,
 * runs to its end, so it starts only when it will end well before the deadline.
 */
export const UNINTERRUPTIBLE_MARGIN = 2;

/**
 * What the function can afford for one verification.
 *
 * @example
 * ```ts
 * const limits: WorkLimits = { ...defaultWorkLimits(), maxMemoryBytes: 512 * 2 ** 20 }
 * ```
 */
export interface WorkLimits {
  /**
   * The share of one vCPU this process gets (Lambda: memory / 1,769 MB, at
   * most 1, since a verification runs on one thread). An estimate of `ms` on
   * a full vCPU takes `ms / cpuShare` here.
   */
  cpuShare: number;
  /** Most memory one verification may take (default: half the Lambda's memory, at most 256 MiB). */
  maxMemoryBytes: number;
}

/** Lambda gives a function one full vCPU at 1,769 MB and a proportional share below. */
export const FULL_VCPU_MB = 1769;

/**
 * Limits for this process, from the Lambda's configured memory
 * (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`) when there is one.
 *
 * @example
 * ```ts
 * defaultWorkLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' }) // { cpuShare: 0.289…, maxMemoryBytes: 256 MiB }
 * ```
 */
export function defaultWorkLimits(env: Readonly<Record<string, string | undefined>> = process.env): WorkLimits {
  const mb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (!Number.isFinite(mb) || mb <= 0) return { cpuShare: 1, maxMemoryBytes: 256 * 2 ** 20 };
  return { cpuShare: Math.min(1, mb / FULL_VCPU_MB), maxMemoryBytes: Math.min(256, mb / 2) * 2 ** 20 };
}

/** The per-unit constants of {@link MS_PER_UNIT}. */
export interface UnitCosts {
  /** One bcrypt round (cost c runs 2^c of them). */
  bcryptRound: number;
  /** One HMAC iteration of PBKDF2 per output block, by digest. */
  pbkdf2: Record<string, number>;
  /** One sha-crypt round, plus a part per byte of password (each round hashes it). */
  shaCryptRound: number;
  shaCryptRoundByte: number;
  /** One phpass MD5 iteration, plus per password byte. */
  phpassRound: number;
  phpassRoundByte: number;
  /** One Drupal 7 SHA-512 iteration, plus per password byte. */
  drupalRound: number;
  drupalRoundByte: number;
  /** One scrypt N·r·p unit. */
  scryptUnit: number;
  /** One Argon2 block pass (m KiB × t), WebAssembly engine and the pure-JS one (no `v=` or `data=`). */
  argon2Block: number;
  argon2BlockPureJs: number;
  /** One digest call of a configurable digest verifier, plus per byte. */
  digest: number;
  digestByte: number;
}

/**
 * Milliseconds per unit of work on one full vCPU of the reference machine,
 * for the implementations used here (hash-wasm, node:crypto, @noble/hashes):
 * the time each took there (`npm run bench`, figure `formats`) with a quarter
 * added, so that an estimate errs high rather than low.
 */
export const BASE_MS_PER_UNIT: Readonly<UnitCosts> = Object.freeze({
  bcryptRound: 0.063,
  // PBKDF2's, with its probes' references, from pairs taken together (`npm run bench -- --only pbkdf2_reference`, 2026-12-04).
  pbkdf2: Object.freeze({ sha1: 0.000256, sha256: 0.000251, sha512: 0.000626 }),
  shaCryptRound: 0.00165,
  shaCryptRoundByte: 0.0000011,
  phpassRound: 0.0017,
  phpassRoundByte: 0.00001,
  drupalRound: 0.00162,
  drupalRoundByte: 0.000003,
  scryptUnit: 0.00029,
  argon2Block: 0.0016,
  argon2BlockPureJs: 0.0085,
  digest: 0.002,
  digestByte: 0.00001,
});

/**
 * Milliseconds per unit of work on one full vCPU of this machine: the
 * reference's {@link BASE_MS_PER_UNIT}, scaled at cold start by
 * `calibrateWork()` to what this CPU's probes took. Every estimate reads it.
 */
export const MS_PER_UNIT: UnitCosts = { ...BASE_MS_PER_UNIT, pbkdf2: { ...BASE_MS_PER_UNIT.pbkdf2 } };

/**
 * Each of scrypt's p lanes costs r·N units of its mixing, plus its own share of
 * the two PBKDF2 passes and the lane's setup. hash-wasm runs those passes in
 * JavaScript over its WebAssembly HMAC, so a lane costs more than in OpenSSL:
 * measured at N=2 and 16 (r 1 to 8, p up to 65,536), 24 to 30 units per r per
 * lane more than N alone; rounded up to err high, so a tiny N with a huge p
 * (issue 24's 1,440 ms estimate against 4,840 ms measured) is not admitted
 * on an estimate below its time. Here, not in scrypt.ts, so that estimating a
 * Firebase hash on the main thread does not load scrypt's code.
 */
export const SCRYPT_LANE_UNITS = 40;

/**
 * Builds an estimate.
 *
 * @example
 * ```ts
 * estimate(2 ** 10 * MS_PER_UNIT.bcryptRound, 4096)
 * estimate(iterations * MS_PER_UNIT.pbkdf2.sha512!, 0, false, 'pbkdf2-sha512')
 * ```
 */
export function estimate(ms: number, memoryBytes = 0, interruptible = true, unit?: string): WorkEstimate {
  return { ms, memoryBytes, ...(interruptible ? {} : { interruptible }), ...(unit ? { unit } : {}) };
}

/**
 * Throws a fast, clear {@link UnsupportedHashError} (kind `malformed`) unless
 * `value` is a positive whole number.
 *
 * @example
 * ```ts
 * positiveInteger('pbkdf2_sha256', 'iterations', iterations)
 * ```
 */
export function positiveInteger(format: string, what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new UnsupportedHashError(format, `${what} must be a positive whole number`);
  return value;
}

/**
 * Refuses a verification the function cannot afford: more memory than
 * `limits.maxMemoryBytes`, or more time (on this process's CPU share) than
 * `availableMs` (with {@link UNINTERRUPTIBLE_MARGIN} for work the deadline
 * cannot stop). Throws {@link UnsupportedHashError} of kind `over_budget`.
 *
 * @example
 * ```ts
 * admit('bcrypt', { ms: 1200, memoryBytes: 4096 }, { cpuShare: 0.58, maxMemoryBytes: 2 ** 28 }, 2800)
 * ```
 */
export function admit(format: string, work: WorkEstimate, limits: WorkLimits, availableMs: number): void {
  if (work.memoryBytes > limits.maxMemoryBytes) {
    throw new UnsupportedHashError(format, `it needs ${mib(work.memoryBytes)} of memory, over the ${mib(limits.maxMemoryBytes)} allowed (workLimits.maxMemoryBytes)`, 'over_budget');
  }
  const wallMs = work.ms / limits.cpuShare;
  if (work.interruptible === false && !(wallMs * UNINTERRUPTIBLE_MARGIN <= availableMs)) {
    throw new UnsupportedHashError(format, `it needs about ${Math.round(wallMs)} ms on this function's CPU share in one call the deadline cannot stop, so it starts only when it fits twice in the time left, and ${Math.max(0, Math.round(availableMs))} ms are left; give the function more memory (CPU) or have these users reset`, 'over_budget');
  }
  if (!(wallMs <= availableMs)) {
    throw new UnsupportedHashError(format, `it needs about ${Math.round(wallMs)} ms on this function's CPU share, and ${Math.max(0, Math.round(availableMs))} ms are left; give the function more memory (CPU) or have these users reset`, 'over_budget');
  }
}

const mib = (bytes: number) => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;
