/**
 * A password verifier reads one hash format. The registry
 * ({@link createPasswordVerifier}) picks the verifier from the stored string
 * or from an explicit format name.
 *
 * @example
 * ```ts
 * const md5crypt: PasswordVerifier = {
 *   id: 'md5-crypt',
 *   recognizes: (encoded) => encoded.startsWith('$1$'),
 *   verify: async (password, encoded) => md5crypt(password, encoded) === encoded,
 * }
 * ```
 */
export interface PasswordVerifier {
  /** Format name a store can give explicitly as `LegacyUser.hashFormat`, e.g. `bcrypt`. */
  readonly id: string;
  /** True when the stored string is in this verifier's format. Must be cheap. */
  recognizes(encoded: string): boolean;
  /**
   * Resolves `true` for the right password and `false` for a wrong one, comparing
   * in constant time. Throws `UnsupportedHashError` for a malformed hash.
   */
  verify(password: string, encoded: string): Promise<boolean>;
  /** Identifies the cost parameters (`bcrypt:12`), so unknown users can be made to cost the same. */
  costKey?(encoded: string): string;
  /** Makes a hash of a random password with the same cost parameters as `encoded`. */
  makeDummy?(encoded: string): Promise<string>;
}
