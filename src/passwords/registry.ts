import { UnsupportedHashError } from '../errors.js';
import { DEFAULT_DUMMY_HASH, bcryptVerifier } from './bcrypt.js';
import { type BuiltInFormat, RECOGNIZE } from './formats.js';
import { type CostLimits, defaultCostLimits } from './limits.js';
import type { PasswordVerifier } from './verifier.js';

// bcrypt is loaded at once (most legacy stores use it); every other format's
// code is loaded the first time one of its hashes is verified.
function lazy(id: BuiltInFormat, load: () => Promise<PasswordVerifier>): PasswordVerifier {
  let loading: Promise<PasswordVerifier> | undefined;
  return {
    id,
    recognizes: RECOGNIZE[id],
    async verify(password, encoded, limits) {
      loading ??= load();
      return (await loading).verify(password, encoded, limits);
    },
  };
}

/** Every format read out of the box, recognised from the stored string. */
export const builtInVerifiers: readonly PasswordVerifier[] = [
  bcryptVerifier,
  lazy('argon2', async () => (await import('./argon2.js')).argon2Verifier),
  lazy('scrypt', async () => (await import('./scrypt.js')).scryptVerifier),
  lazy('werkzeug-scrypt', async () => (await import('./scrypt.js')).werkzeugScryptVerifier),
  lazy('django-pbkdf2', async () => (await import('./pbkdf2.js')).djangoPbkdf2Verifier),
  lazy('werkzeug-pbkdf2', async () => (await import('./pbkdf2.js')).werkzeugPbkdf2Verifier),
  lazy('passlib-pbkdf2', async () => (await import('./pbkdf2.js')).passlibPbkdf2Verifier),
  lazy('sha-crypt', async () => (await import('./crypt.js')).shaCryptVerifier),
  lazy('md5-crypt', async () => (await import('./crypt.js')).md5CryptVerifier),
  lazy('phpass', async () => (await import('./crypt.js')).phpassVerifier),
  lazy('django-digest', async () => (await import('./digest.js')).djangoDigestVerifier),
  lazy('ldap', async () => (await import('./digest.js')).ldapVerifier),
];

/** How passwords are turned into bytes before hashing. */
export type Normalization = 'none' | 'NFC' | 'NFKC';

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
  /** Spends the time of one verification at the cost of the last real hash seen, and always resolves. */
  verifyDummy(password: string): Promise<void>;
  /** The registered verifiers, in lookup order. */
  readonly verifiers: readonly PasswordVerifier[];
}

/** Options of {@link createPasswordVerifier} and {@link verifyPassword}. */
export interface PasswordVerifierOptions {
  /** Extra or replacement verifiers (same id replaces); looked up before the built-in ones. */
  verifiers?: readonly PasswordVerifier[];
  /** Hash used to time unknown users until a real hash has been seen (default: bcrypt cost 10). */
  timingHash?: string;
  /**
   * Unicode normalisation applied to the password before hashing (default
   * `none`: the UTF-8 bytes as typed). Use `NFC` when the legacy system
   * normalised (many Java and .NET stacks did, and macOS keyboards send
   * decomposed accents while others send composed ones); `NFKC` when it
   * also folded compatibility forms (full-width letters, ligatures).
   */
  normalize?: Normalization;
  /** Cost limits over the defaults (see {@link CostLimits}). */
  limits?: Partial<CostLimits>;
}

/**
 * Creates the verifier registry.
 *
 * Timing: when a user is unknown the handler still verifies the password
 * against the last real hash it saw (or `timingHash` before that) and throws
 * the result away, so "no such user" costs exactly what "wrong password" costs.
 *
 * @example
 * ```ts
 * const passwords = createPasswordVerifier({ verifiers: [createDigestVerifier({ id: 'acme', algorithm: 'sha256' })] })
 * await passwords.verify('secret', '$2b$10$…')
 * ```
 */
export function createPasswordVerifier(options: PasswordVerifierOptions = {}): PasswordVerifierRegistry {
  const verifiers = [...(options.verifiers ?? []), ...builtInVerifiers];
  const byId = new Map<string, PasswordVerifier>();
  for (const v of [...verifiers].reverse()) byId.set(v.id, v);
  const limits: CostLimits = { ...defaultCostLimits(), ...options.limits };
  const normalize = options.normalize ?? 'none';
  if (!['none', 'NFC', 'NFKC'].includes(normalize)) {
    throw new UnsupportedHashError('options', `normalize must be "none", "NFC" or "NFKC", got "${String(normalize)}"`);
  }
  const prepare = (password: string) => (normalize === 'none' ? password : password.normalize(normalize));
  let timing = { encoded: options.timingHash ?? DEFAULT_DUMMY_HASH, format: undefined as string | undefined };

  function pick(encoded: string, format?: string): PasswordVerifier {
    if (format !== undefined) {
      const named = byId.get(format);
      if (!named) throw new UnsupportedHashError(format, `no verifier is registered under that name (known: ${[...byId.keys()].join(', ')})`);
      return named;
    }
    const found = verifiers.find((v) => v.recognizes(encoded));
    if (!found) throw new UnsupportedHashError(describeShape(encoded), 'no registered verifier recognises this format; name it with hashFormat or register a verifier');
    return found;
  }

  return {
    verifiers,
    async verify(password, encoded, format) {
      if (typeof encoded !== 'string' || encoded.length === 0 || encoded.length > 1024) {
        throw new UnsupportedHashError('stored hash', 'it is empty, not text, or longer than 1024 characters');
      }
      const ok = await pick(encoded, format).verify(prepare(password), encoded, limits);
      timing = { encoded, format };
      return ok;
    },
    async verifyDummy(password) {
      try {
        await pick(timing.encoded, timing.format).verify(prepare(password), timing.encoded, limits);
      } catch {
        // The dummy exists only to spend time; its result and errors are irrelevant.
      }
    },
  };
}

const shared = new Map<string, PasswordVerifierRegistry>();

/**
 * Verifies one password against one stored hash of any supported format,
 * recognised from the string (or named by `options.format`). Resolves `false`
 * for a wrong password; throws `UnsupportedHashError` (naming the format
 * problem, never the hash) for a malformed, unsupported or too costly hash.
 *
 * @example
 * ```ts
 * import { verifyPassword } from 'cognito-migrate'
 * await verifyPassword('hunter2', '$argon2id$v=19$m=19456,t=2,p=1$…') // true
 * await verifyPassword('hunter2', 'a1b2…$c3d4…', { format: 'acme-sha256', verifiers: [acme] })
 * ```
 */
export async function verifyPassword(password: string, encoded: string, options: PasswordVerifierOptions & { format?: string } = {}): Promise<boolean> {
  const { format, ...registryOptions } = options;
  const simple = !registryOptions.verifiers && !registryOptions.limits && !registryOptions.timingHash;
  const key = simple ? registryOptions.normalize ?? 'none' : undefined;
  let registry = key ? shared.get(key) : undefined;
  if (!registry) {
    registry = createPasswordVerifier(registryOptions);
    if (key) shared.set(key, registry);
  }
  return registry.verify(password, encoded, format);
}

/** Describes a hash by its visible prefix only, e.g. `$6$…`, never quoting the hash itself. */
export function describeShape(encoded: string): string {
  const prefix = /^(\$[A-Za-z0-9-]{1,16}\$|\{[A-Z0-9-]{1,10}\}|[a-z0-9_]{1,20}[$:])/.exec(encoded)?.[1];
  if (prefix) return `${prefix}…`;
  return `an unrecognised ${encoded.length}-character string`;
}
