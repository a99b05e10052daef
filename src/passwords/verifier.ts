import type { CostLimits } from './limits.js';

/**
 * A password verifier reads one hash format. The registry
 * ({@link createPasswordVerifier}) picks the verifier from the stored string
 * or from an explicit format name.
 *
 * @example
 * ```ts
 * const mine: PasswordVerifier = {
 *   id: 'my-legacy',
 *   recognizes: (encoded) => encoded.startsWith('{MINE}'),
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
   * Resolves `true` for the right password and `false` for a wrong one,
   * comparing in constant time. Throws `UnsupportedHashError` for a malformed
   * hash or one whose cost exceeds `limits`.
   */
  verify(password: string, encoded: string, limits: CostLimits): Promise<boolean>;
}
