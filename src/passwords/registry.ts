import { UnsupportedHashError } from '../errors.js';
import { DEFAULT_DUMMY_HASH, bcryptVerifier } from './bcrypt.js';
import type { PasswordVerifier } from './verifier.js';

/** The verifiers every handler starts with; later formats are appended here. */
export const builtInVerifiers: readonly PasswordVerifier[] = [bcryptVerifier];

/**
 * Verifies passwords against stored hashes of any registered format, and keeps
 * the unknown-user path as slow as a wrong password.
 *
 * @example
 * ```ts
 * const passwords = createPasswordVerifier()
 * if (!(await passwords.verify(password, user.passwordHash))) throw new AuthenticationFailedError('wrong_password')
 * ```
 */
export interface PasswordVerifierRegistry {
  /** Verifies with the verifier named by `format`, or the one that recognises `encoded`. */
  verify(password: string, encoded: string, format?: string): Promise<boolean>;
  /** Spends the time of one verification of the last seen cost, and always resolves. */
  verifyDummy(password: string): Promise<void>;
  /** The registered verifiers, in lookup order. */
  readonly verifiers: readonly PasswordVerifier[];
}

/** Options of {@link createPasswordVerifier}. */
export interface PasswordVerifierOptions {
  /** Extra or replacement verifiers; looked up before the built-in ones. */
  verifiers?: readonly PasswordVerifier[];
  /**
   * Hash used to time unknown users until a real hash has been seen. Give one
   * with the cost most of your users have (default: bcrypt cost 10).
   */
  timingHash?: string;
}

/**
 * Creates the verifier registry.
 *
 * Timing: when a user is unknown the handler still verifies the password
 * against a dummy hash, so that "no such user" costs what "wrong password"
 * costs. The dummy follows the cost of the real hashes seen so far: the first
 * time a new cost appears, a dummy of that cost is made in the background.
 *
 * @example
 * ```ts
 * const passwords = createPasswordVerifier({ verifiers: [myLegacyMd5Verifier] })
 * await passwords.verify('secret', '$2b$10$…')
 * ```
 */
export function createPasswordVerifier(options: PasswordVerifierOptions = {}): PasswordVerifierRegistry {
  const verifiers = [...(options.verifiers ?? []), ...builtInVerifiers];
  const byId = new Map<string, PasswordVerifier>();
  for (const v of [...verifiers].reverse()) byId.set(v.id, v);

  let dummy = options.timingHash ?? DEFAULT_DUMMY_HASH;
  const making = new Set<string>();

  function pick(encoded: string, format?: string): PasswordVerifier {
    if (format !== undefined) {
      const named = byId.get(format);
      if (!named) {
        throw new UnsupportedHashError(format, `no verifier is registered under that name (known: ${[...byId.keys()].join(', ')})`);
      }
      return named;
    }
    const found = verifiers.find((v) => v.recognizes(encoded));
    if (!found) throw new UnsupportedHashError(describeShape(encoded), 'no registered verifier recognises this format; name it with hashFormat or register a verifier');
    return found;
  }

  let dummyKey = verifiers.find((v) => v.recognizes(dummy))?.costKey?.(dummy);

  function followCost(verifier: PasswordVerifier, encoded: string): void {
    if (!verifier.costKey || !verifier.makeDummy) return;
    const key = verifier.costKey(encoded);
    if (key === dummyKey || making.has(key)) return;
    making.add(key);
    verifier.makeDummy(encoded).then(
      (made) => {
        dummy = made;
        dummyKey = key;
      },
      () => making.delete(key),
    );
  }

  return {
    verifiers,
    async verify(password, encoded, format) {
      const verifier = pick(encoded, format);
      const ok = await verifier.verify(password, encoded);
      followCost(verifier, encoded);
      return ok;
    },
    async verifyDummy(password) {
      try {
        await pick(dummy).verify(password, dummy);
      } catch {
        // The dummy exists only to spend time; its result and errors are irrelevant.
      }
    },
  };
}

/** Describes a hash by its visible prefix only, e.g. `$6$…`, never quoting the hash itself. */
export function describeShape(encoded: string): string {
  const prefix = /^(\$[A-Za-z0-9-]{1,16}\$|\{[A-Z0-9-]{1,10}\}|[a-z0-9_]{1,20}\$)/.exec(encoded)?.[1];
  if (prefix) return `${prefix}…`;
  return `an unrecognised ${encoded.length}-character string`;
}
