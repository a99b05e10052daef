import { performance } from 'node:perf_hooks';
import { DeadlineExceededError, UnsupportedHashError } from '../errors.js';
import { DEFAULT_TIMING_HASH } from './bcrypt.js';
import { builtInVerifiers } from './builtins.js';
import { PRIMITIVES_BY_FORMAT, calibrateFor } from './calibrate.js';
import { createSpeedLog } from './learn.js';
import { type VerifyPool, verifyPool } from './pool.js';
import type { PasswordVerifier } from './verifier.js';
import { UNINTERRUPTIBLE_MARGIN, type WorkEstimate, type WorkLimits, admit, defaultWorkLimits } from './work.js';

export { builtInVerifiers } from './builtins.js';

/** How passwords are turned into bytes before hashing. */
export type Normalization = 'none' | 'NFC' | 'NFKC';

/** Per-call limits of {@link PasswordVerifierRegistry.check}. */
export interface VerifyOptions {
  /** Epoch ms by which the answer is needed: a hash that cannot finish by then is refused, and a verification still running then is stopped. */
  deadline?: number;
  /** Aborts the verification (the handler's deadline signal). */
  signal?: AbortSignal;
}

/**
 * Verifies passwords against stored hashes of any registered format: first
 * estimates the work, refuses what the function cannot afford, then verifies
 * on a worker thread that the deadline can stop.
 *
 * @example
 * ```ts
 * const passwords = createPasswordVerifier()
 * if (!(await passwords.verify(password, user.passwordHash))) throw new AuthenticationFailedError('wrong_password')
 * ```
 */
export interface PasswordVerifierRegistry {
  /** Verifies with the verifier named by `format`, or the one that recognises `encoded`. */
  verify(password: string, encoded: string, format?: string, options?: VerifyOptions): Promise<boolean>;
  /** As `verify`, and says how much work the verification was estimated at. */
  check(password: string, encoded: string, format?: string, options?: VerifyOptions): Promise<{ ok: boolean; work: WorkEstimate }>;
  /**
   * The estimated work of verifying `encoded`, without doing it (as the probes scaled it, then as
   * this registry's recent verifications of the same kind took); throws `UnsupportedHashError` for a malformed hash.
   */
  cost(encoded: string, format?: string, passwordBytes?: number): Promise<WorkEstimate>;
  /** Verifies the configured timing hash and discards the result: the time every refusal costs. */
  verifyTimingHash(password: string, options?: VerifyOptions): Promise<void>;
  /** The timing hash's estimated work (known once `ready` resolves). */
  timingWork(): Promise<WorkEstimate>;
  /** The registered verifiers, in lookup order. */
  readonly verifiers: readonly PasswordVerifier[];
  /** The limits verifications are admitted against. */
  readonly limits: WorkLimits;
  /** Whether verifications run on worker threads (false when no worker script was found, or `worker: false`). */
  readonly isolated: boolean;
  /** Resolves once the first worker thread has loaded its code (at once when not isolated); until then cheap hashes are verified on the calling thread. */
  whenIsolated(): Promise<void>;
}

/** Options of {@link createPasswordVerifier}. */
export interface PasswordVerifierOptions {
  /** Extra or replacement verifiers (same id replaces); looked up before the built-in ones. */
  verifiers?: readonly PasswordVerifier[];
  /**
   * The hash every refusal is timed against (unknown user, disabled, no or
   * unreadable hash, …). Default: bcrypt cost 10. Set it to a hash of a
   * random password with the legacy hashes' usual format and cost: the
   * self-check says which. Never taken from the store.
   */
  timingHash?: string;
  /**
   * Unicode normalisation applied to the password before hashing (default
   * `none`: the UTF-8 bytes as typed). Use `NFC` when the legacy system
   * normalised (many Java and .NET stacks did, and macOS keyboards send
   * decomposed accents while others send composed ones); `NFKC` when it
   * also folded compatibility forms (full-width letters, ligatures).
   */
  normalize?: Normalization;
  /** Limits over the defaults (see {@link WorkLimits}). */
  limits?: Partial<WorkLimits>;
  /** The verification worker script, or `false` to verify on the calling thread (default: found beside the code). */
  worker?: URL | string | false;
}

/**
 * The costliest verification (estimated wall time) that may run on the calling thread while the
 * first worker thread starts: bcrypt cost 11 at a full vCPU, cost 10 at the template's 1,024 MB.
 */
export const INLINE_MAX_MS = 200;

// Without a deadline (scripts, `verifyPassword`), a verification may take this long.
const NO_DEADLINE_MS = 10_000;

/**
 * Creates the verifier registry.
 *
 * @example
 * ```ts
 * const passwords = createPasswordVerifier({ verifiers: [createDigestVerifier({ id: 'acme', algorithm: 'sha256' })] })
 * await passwords.verify('secret', '$2b$10$…', undefined, { deadline: Date.now() + 3000 })
 * ```
 */
export function createPasswordVerifier(options: PasswordVerifierOptions = {}): PasswordVerifierRegistry {
  // Long on purpose: its methods share one state (the verifiers, the limits, the thread pool, the speed log), and the
  // one long step, `check`, is the order a verification must keep: pick, estimate, admit, then verify where it can be stopped.
  const verifiers = [...(options.verifiers ?? []), ...builtInVerifiers];
  const byId = new Map<string, PasswordVerifier>();
  for (const v of [...verifiers].reverse()) byId.set(v.id, v);
  const { limits, normalize } = checkedOptions(options);
  const prepare = (password: string) => (normalize === 'none' ? password : password.normalize(normalize));
  const pool: VerifyPool | undefined = options.worker === false ? undefined : verifyPool(options.worker);
  const timingHash = options.timingHash ?? DEFAULT_TIMING_HASH;

  const pick = (encoded: string, format?: string) => pickVerifier(verifiers, byId, encoded, format);

  // What this registry's verifications took, per kind: the estimates follow the machine's speed of the last minute.
  const speeds = createSpeedLog();
  const kindOf = (verifier: PasswordVerifier, work: WorkEstimate) => `${verifier.id} ${work.unit ?? ''}`;

  /** The estimate as the probes scaled the constants, before anything learned. */
  async function probedCost(verifier: PasswordVerifier, encoded: string, passwordBytes: number): Promise<WorkEstimate> {
    // Estimates read the constants as this CPU's probes scaled them (once a process, on a primitive's first use).
    await calibrateFor(verifier.primitives ?? PRIMITIVES_BY_FORMAT[verifier.id] ?? []);
    return (await verifier.cost?.(encoded, passwordBytes)) ?? { ms: 0, memoryBytes: 0 };
  }

  const learned = (verifier: PasswordVerifier, work: WorkEstimate): WorkEstimate => ({ ...work, ms: work.ms * speeds.factor(kindOf(verifier, work)) });
  const costOf = async (verifier: PasswordVerifier, encoded: string, passwordBytes: number) => learned(verifier, await probedCost(verifier, encoded, passwordBytes));

  /**
   * Whether a verification may run on the calling thread until the first worker thread has
   * started (a fresh instance's first sign-in; the thread starts after it): only cheap work that
   * ends well before the deadline, since nothing can stop it there. Waiting for a thread instead
   * cost the first sign-in 55 to 80 ms (issue 24); a costly hash still waits, and keeps its deadline stop.
   */
  function runsInline(work: WorkEstimate, until: number): boolean {
    const wallMs = work.ms / limits.cpuShare;
    return wallMs <= INLINE_MAX_MS && wallMs * UNINTERRUPTIBLE_MARGIN <= until - Date.now();
  }

  async function check(password: string, encoded: string, format?: string, { deadline, signal }: VerifyOptions = {}) {
    const verifier = pick(encoded, format);
    const prepared = prepare(password);
    const probed = await probedCost(verifier, encoded, Buffer.byteLength(prepared, 'utf8'));
    const work = learned(verifier, probed);
    const until = deadline ?? Date.now() + NO_DEADLINE_MS;
    admit(verifier.id, work, limits, until - Date.now());
    // Times are recorded on one full vCPU's scale, as estimates are.
    const learn = (ms: number) => speeds.record(kindOf(verifier, probed), probed.ms, ms * limits.cpuShare);
    if (pool && verifier.worker && !(runsInline(work, until) && !pool.hasStarted())) {
      const started = performance.now();
      try {
        const { ok, ms } = await pool.run(verifier.worker, prepared, encoded, { deadline: until, ...(signal ? { signal } : {}) });
        learn(ms);
        return { ok, work };
      } catch (err) {
        // A verification stopped at its deadline took at least this long: that teaches only when it
        // outran the estimate it was admitted with (one stopped early for another reason says nothing).
        const ms = performance.now() - started;
        if (err instanceof DeadlineExceededError && ms * limits.cpuShare > work.ms) learn(ms);
        throw err;
      }
    }
    const started = performance.now();
    try {
      const ok = await verifier.verify(prepared, encoded);
      learn(performance.now() - started);
      return { ok, work };
    } finally {
      // The first thread starts once the first inline verification is done, not at cold start:
      // loading it beside a fresh instance's first sign-in took that sign-in's CPU (+20 ms on two
      // cores; at 1,024 MB's 0.58 vCPU it would take all of the thread's ~30 ms of loading).
      pool?.warm();
    }
  }

  let timing: Promise<WorkEstimate> | undefined;
  const timingWork = () => (timing ??= costOf(pick(timingHash), timingHash, 16));

  return {
    verifiers,
    limits,
    isolated: pool !== undefined,
    whenIsolated: async () => pool?.whenReady(),
    check,
    verify: async (password, encoded, format, opts) => (await check(password, encoded, format, opts)).ok,
    cost: async (encoded, format, passwordBytes = 16) => costOf(pick(encoded, format), encoded, passwordBytes),
    timingWork,
    async verifyTimingHash(password, opts) {
      try {
        await check(password, timingHash, undefined, opts);
      } catch (err) {
        // Only the time matters; but a deadline is still a deadline.
        if (!(err instanceof UnsupportedHashError)) throw err;
      }
    },
  };
}

/** The registry's limits and normalisation, checked: a bad value is an `UnsupportedHashError` naming the option. */
function checkedOptions(options: PasswordVerifierOptions): { limits: WorkLimits; normalize: Normalization } {
  const limits: WorkLimits = { ...defaultWorkLimits(), ...options.limits };
  if (!(limits.cpuShare > 0) || !(limits.maxMemoryBytes > 0)) {
    throw new UnsupportedHashError('options', 'limits.cpuShare and limits.maxMemoryBytes must be positive numbers');
  }
  const normalize = options.normalize ?? 'none';
  if (!['none', 'NFC', 'NFKC'].includes(normalize)) {
    throw new UnsupportedHashError('options', `normalize must be "none", "NFC" or "NFKC", got "${String(normalize)}"`);
  }
  return { limits, normalize };
}

/** The verifier for a stored hash: the one the store named, else the first that recognises it; never quotes the hash. */
function pickVerifier(verifiers: readonly PasswordVerifier[], byId: ReadonlyMap<string, PasswordVerifier>, encoded: string, format?: string): PasswordVerifier {
  if (typeof encoded !== 'string' || encoded.length === 0 || encoded.length > 1024) {
    throw new UnsupportedHashError('stored hash', 'it is empty, not text, or longer than 1024 characters');
  }
  if (format !== undefined) {
    const named = byId.get(format);
    if (!named) throw new UnsupportedHashError('hashFormat', `no verifier is registered under the format the store named (known: ${[...byId.keys()].join(', ')})`);
    return named;
  }
  const found = verifiers.find((v) => v.recognizes(encoded));
  if (!found) throw new UnsupportedHashError(describeShape(encoded), 'no registered verifier recognises this format; name it with hashFormat or register a verifier');
  return found;
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
export async function verifyPassword(password: string, encoded: string, options: PasswordVerifierOptions & { format?: string; deadline?: number } = {}): Promise<boolean> {
  const { format, deadline, ...registryOptions } = options;
  const simple = !registryOptions.verifiers && !registryOptions.limits && !registryOptions.timingHash && registryOptions.worker === undefined;
  const key = simple ? registryOptions.normalize ?? 'none' : undefined;
  let registry = key ? shared.get(key) : undefined;
  if (!registry) {
    registry = createPasswordVerifier(registryOptions);
    if (key) shared.set(key, registry);
  }
  return registry.verify(password, encoded, format, deadline === undefined ? {} : { deadline });
}

const KNOWN_PREFIXES = [
  '$2a$', '$2b$', '$2x$', '$2y$', '$argon2id$', '$argon2i$', '$argon2d$', '$scrypt$', 'scrypt:', 'pbkdf2_sha256$', 'pbkdf2_sha1$', 'pbkdf2:',
  '$pbkdf2-sha256$', '$pbkdf2-sha512$', '$pbkdf2-sha1$', '$pbkdf2$', '$1$', '$apr1$', '$5$', '$6$', '$P$', '$H$', 'sha1$', 'md5$',
  '$y$', '$7$', '$sha1$', '$md5$', '$S$', 'U$S$', '$wp$', 'bcrypt_sha256$', '$bcrypt-sha256$', '{SSHA}', '{SHA}', '{MD5}', '{SMD5}', '{CRYPT}',
  '{bcrypt}', '{noop}', '{pbkdf2}', '{scrypt}', '{argon2}', '{sha256}', '{SHA-1}', '{SHA-256}', '{ldap}',
];

/**
 * Describes a stored string by a known format prefix and its length only,
 * e.g. `$6$… (106 characters)`: never any of its own characters, which may
 * be a salt, or a plaintext password where the legacy store kept one.
 *
 * @example
 * ```ts
 * describeShape('hunter2') // 'an unrecognised 7-character string'
 * ```
 */
export function describeShape(encoded: string): string {
  const prefix = KNOWN_PREFIXES.find((p) => encoded.startsWith(p));
  return prefix ? `${prefix}… (${encoded.length} characters)` : `an unrecognised ${encoded.length}-character string`;
}
