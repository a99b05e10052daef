import { UnsupportedHashError } from '../errors.js';

/**
 * The most work one stored hash may ask for. A row with parameters beyond
 * these is refused at once instead of stalling the function past Cognito's
 * 5-second limit (a poisoned or corrupted row, or a cost nobody can afford).
 *
 * @example
 * ```ts
 * const limits: CostLimits = { ...defaultCostLimits(), bcryptCost: 13 }
 * ```
 */
export interface CostLimits {
  /** Highest bcrypt cost (default 15: about 2.3 s on a full vCPU). */
  bcryptCost: number;
  /** Most PBKDF2 iterations (default 5,000,000; OWASP asks 600,000 for SHA-256). */
  pbkdf2Iterations: number;
  /** Most sha256-crypt/sha512-crypt rounds (default 1,000,000: about 2.2 s on a full vCPU; passlib's default is 656,000). */
  shaCryptRounds: number;
  /** Highest phpass log2 iteration count (default 20; WordPress uses 8). */
  phpassLog2: number;
  /** Most memory scrypt or Argon2 may use, in bytes (default: half the Lambda's memory, at most 256 MiB). */
  memoryBytes: number;
  /** Most Argon2 passes (default 64). */
  argon2Passes: number;
  /** Most scrypt/Argon2 parallelism (default 16). */
  parallelism: number;
}

/**
 * Limits for this process: the memory cap follows the Lambda's configured
 * memory (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`) when there is one.
 *
 * @example
 * ```ts
 * defaultCostLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' }).memoryBytes // 64 MiB
 * ```
 */
export function defaultCostLimits(env: Readonly<Record<string, string | undefined>> = process.env): CostLimits {
  const lambdaMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const memoryBytes = Number.isFinite(lambdaMb) && lambdaMb > 0 ? Math.min(256, lambdaMb / 2) * 2 ** 20 : 256 * 2 ** 20;
  return { bcryptCost: 15, pbkdf2Iterations: 5_000_000, shaCryptRounds: 1_000_000, phpassLog2: 20, memoryBytes, argon2Passes: 64, parallelism: 16 };
}

/**
 * Throws a fast, clear {@link UnsupportedHashError} when `value` exceeds `max`
 * or is not a positive whole number.
 *
 * @example
 * ```ts
 * guard('pbkdf2_sha256', 'iterations', iterations, limits.pbkdf2Iterations, 'pbkdf2Iterations')
 * ```
 */
export function guard(format: string, what: string, value: number, max: number, limitName: keyof CostLimits): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new UnsupportedHashError(format, `${what} must be a positive whole number`);
  if (value > max) {
    throw new UnsupportedHashError(format, `${what} ${value} exceeds the limit ${max} (limits.${limitName}); raise the limit if this cost is real and the function has the time`);
  }
}
