import type { Primitive } from './calibrate.js';
import type { WorkEstimate } from './work.js';

/**
 * How the verification worker rebuilds a verifier on its own thread: the
 * built-in one of that id, or a factory with options that survive
 * `postMessage` (no functions).
 */
export type WorkerSpec =
  | { factory: 'builtin'; id: string }
  | { factory: 'argon2'; options: { secret?: Uint8Array } }
  | { factory: 'scrypt'; options: Record<string, unknown> }
  | { factory: 'digest'; options: Record<string, unknown> }
  | { factory: 'firebase'; options: Record<string, unknown> }
  | { factory: 'spring'; options: { allowPlaintext?: boolean } };

/**
 * A password verifier reads one hash format. The registry
 * ({@link createPasswordVerifier}) picks the verifier from the stored string
 * or from an explicit format name, asks it what the verification will cost,
 * refuses what the function cannot afford, and only then verifies.
 *
 * @example
 * ```ts
 * const mine: PasswordVerifier = {
 *   id: 'my-legacy',
 *   recognizes: (encoded) => encoded.startsWith('{MINE}'),
 *   cost: () => ({ ms: 1, memoryBytes: 0 }),
 *   verify: async (password, encoded) => myLegacyCheck(password, encoded),
 * }
 * ```
 */
export interface PasswordVerifier {
  /** Format name a store can give explicitly as `LegacyUser.hashFormat`, e.g. `bcrypt`. */
  readonly id: string;
  /** True when the stored string is in this verifier's format. Must be cheap. */
  recognizes(encoded: string): boolean;
  /**
   * Parses the stored string and estimates the work verifying it takes,
   * without doing any. Throws `UnsupportedHashError` for a malformed hash.
   * Without it, a verifier counts as cheap and runs unchecked: only give
   * verifiers without `cost` a bounded amount of work.
   */
  cost?(encoded: string, passwordBytes: number): WorkEstimate | Promise<WorkEstimate>;
  /**
   * Resolves `true` for the right password and `false` for a wrong one,
   * comparing in constant time. Throws `UnsupportedHashError` for a
   * malformed hash.
   */
  verify(password: string, encoded: string): Promise<boolean>;
  /** How the verification worker rebuilds this verifier; without it, it runs on the calling thread. */
  readonly worker?: WorkerSpec;
  /** The primitives whose calibrated constants `cost` reads (built-in formats are known by id). */
  readonly primitives?: readonly Primitive[];
}
