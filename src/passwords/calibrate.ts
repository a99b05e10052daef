/**
 * Calibrates the work estimates to the CPU this process runs on. The first
 * time a primitive's work is estimated, it verifies one small known workload
 * through the same code a sign-in uses on the verification thread; the ratio
 * of its time to the time the same probe took on the reference machine scales
 * that primitive's constants in {@link MS_PER_UNIT}. Done per primitive, a
 * cold start pays only for the code its first sign-in needs (bcrypt's probe,
 * for the default timing hash). Issue 24 found estimates 0.58 of the measured
 * time on an AMD EPYC where they had been set on another CPU; Graviton's
 * WebAssembly and OpenSSL speeds differ again. An instance's own
 * verifications then refine the estimates (`learn.ts`).
 */
import { performance } from 'node:perf_hooks';
import { BASE_MS_PER_UNIT, MS_PER_UNIT } from './work.js';

/** The primitives timed at cold start, each standing for the constants its code shares. */
export type Primitive = 'bcrypt' | 'pbkdf2-sha1' | 'pbkdf2-sha256' | 'pbkdf2-sha512' | 'scrypt' | 'argon2' | 'argon2-js' | 'sha-crypt' | 'md5-chain';

const B64_32 = 'A'.repeat(43);

type Probe = () => Promise<unknown>;

/**
 * The PBKDF2 probes' workload: one output block of each digest (`npm run bench -- --only
 * pbkdf2_reference` runs the same one through the asynchronous call, to compare).
 *
 * @example
 * ```ts
 * pbkdf2Sync(PBKDF2_PROBE.password, PBKDF2_PROBE.salt, PBKDF2_PROBE.iterations, PBKDF2_PROBE.bytes.sha256, 'sha256')
 * ```
 */
export const PBKDF2_PROBE = Object.freeze({ password: 'probe', salt: 'probesalt', iterations: 1000, bytes: Object.freeze({ sha1: 20, sha256: 32, sha512: 64 }) });

async function pbkdf2Probe(digest: keyof typeof PBKDF2_PROBE.bytes): Promise<Probe> {
  const { pbkdf2Sync } = await import('node:crypto');
  const { password, salt, iterations, bytes } = PBKDF2_PROBE;
  return async () => pbkdf2Sync(password, salt, iterations, bytes[digest], digest);
}

/**
 * One small workload per primitive, run through the verifier a sign-in uses
 * (a wrong password; the answer is thrown away), or for PBKDF2 the
 * derivation that verifier runs on the verification thread. Loading returns the probe,
 * so that the load is not timed.
 */
const PROBES: Record<Primitive, () => Promise<Probe>> = {
  bcrypt: async () => {
    const { bcryptVerifier } = await import('./bcrypt.js');
    return () => bcryptVerifier.verify('probe', '$2b$04$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16');
  },
  // The derivation as the verification thread runs it (pbkdf2Sync): the main thread's asynchronous call
  // adds a hop through libuv's threadpool whose wake-up time does not follow the CPU's speed, and
  // followed a derivation right after it less steadily (`npm run bench -- --only pbkdf2_reference`).
  'pbkdf2-sha1': () => pbkdf2Probe('sha1'),
  'pbkdf2-sha256': () => pbkdf2Probe('sha256'),
  'pbkdf2-sha512': () => pbkdf2Probe('sha512'),
  scrypt: async () => {
    const { scryptVerifier } = await import('./scrypt.js');
    return () => scryptVerifier.verify('probe', `$scrypt$ln=7,r=8,p=1$cHJvYmVzYWx0$${B64_32}`);
  },
  argon2: async () => {
    const { argon2Verifier } = await import('./argon2.js');
    return () => argon2Verifier.verify('probe', '$argon2id$v=19$m=256,t=1,p=1$cHJvYmVzYWx0$AAAAAAAAAAAAAAAAAAAAAA');
  },
  'argon2-js': async () => {
    const { argon2Verifier } = await import('./argon2.js');
    return () => argon2Verifier.verify('probe', '$argon2id$m=8,t=1,p=1$cHJvYmVzYWx0$AAAAAAAAAAAAAAAAAAAAAA');
  },
  'sha-crypt': async () => {
    const { shaCrypt } = await import('./crypt.js');
    const password = Buffer.from('probe');
    const salt = Buffer.from('probesalt');
    return async () => shaCrypt('sha256', password, salt, 250);
  },
  'md5-chain': async () => {
    const { phpassVerifier } = await import('./crypt.js');
    return () => phpassVerifier.verify('probe', `$P$5probesal${'a'.repeat(22)}`);
  },
};

/**
 * The primitives each built-in format's estimate reads. A verifier from a
 * factory names its own (`PasswordVerifier.primitives`); one with neither is
 * estimated by its own `cost`, uncalibrated.
 */
export const PRIMITIVES_BY_FORMAT: Readonly<Record<string, readonly Primitive[]>> = {
  bcrypt: ['bcrypt'], wordpress: ['bcrypt'], 'bcrypt-sha256': ['bcrypt'], meteor: ['bcrypt'],
  argon2: ['argon2', 'argon2-js'],
  scrypt: ['scrypt'], 'werkzeug-scrypt': ['scrypt'], 'firebase-scrypt': ['scrypt'],
  'django-pbkdf2': ['pbkdf2-sha1', 'pbkdf2-sha256'], 'werkzeug-pbkdf2': ['pbkdf2-sha1', 'pbkdf2-sha256', 'pbkdf2-sha512'],
  'passlib-pbkdf2': ['pbkdf2-sha1', 'pbkdf2-sha256', 'pbkdf2-sha512'], 'aspnet-identity': ['pbkdf2-sha1', 'pbkdf2-sha256', 'pbkdf2-sha512'],
  keycloak: ['pbkdf2-sha1', 'pbkdf2-sha256', 'pbkdf2-sha512', 'argon2'],
  'sha-crypt': ['sha-crypt'], 'md5-crypt': ['md5-chain'], phpass: ['md5-chain'], drupal7: ['md5-chain'],
  'django-digest': ['md5-chain'], ldap: ['md5-chain'],
  spring: ['bcrypt', 'pbkdf2-sha1', 'pbkdf2-sha256', 'scrypt', 'argon2', 'md5-chain'],
};

/**
 * Each probe's time on the reference machine (an AMD EPYC, Node 20), measured
 * as a process measures its own: in a fresh process, the run after the ones
 * that load the code (`UNTIMED_RUNS`). An undisturbed run (the 10th percentile over 21
 * processes): a disturbance only ever slows a probe, so it can only make
 * estimates higher, never lower. `npm run bench -- --only calibration` measures them
 * again and prints this table.
 */
export const REFERENCE_PROBE_MS: Record<Primitive, number> = {
  bcrypt: 1.03,
  // Set with BASE_MS_PER_UNIT.pbkdf2 from pairs of a probe and a derivation right after it
  // (`npm run bench -- --only pbkdf2_reference`), not as the 10th percentile of probes alone.
  'pbkdf2-sha1': 0.22,
  'pbkdf2-sha256': 0.222,
  'pbkdf2-sha512': 0.527,
  scrypt: 0.65,
  argon2: 1.27,
  'argon2-js': 1.08,
  'sha-crypt': 0.49,
  'md5-chain': 0.27,
};

/** The constants of {@link MS_PER_UNIT} each primitive's probe scales. */
const SCALES: Record<Primitive, (scale: number) => void> = {
  bcrypt: (s) => { MS_PER_UNIT.bcryptRound = BASE_MS_PER_UNIT.bcryptRound * s; },
  'pbkdf2-sha1': (s) => { MS_PER_UNIT.pbkdf2.sha1 = BASE_MS_PER_UNIT.pbkdf2.sha1! * s; },
  'pbkdf2-sha256': (s) => { MS_PER_UNIT.pbkdf2.sha256 = BASE_MS_PER_UNIT.pbkdf2.sha256! * s; },
  'pbkdf2-sha512': (s) => { MS_PER_UNIT.pbkdf2.sha512 = BASE_MS_PER_UNIT.pbkdf2.sha512! * s; },
  scrypt: (s) => { MS_PER_UNIT.scryptUnit = BASE_MS_PER_UNIT.scryptUnit * s; },
  argon2: (s) => { MS_PER_UNIT.argon2Block = BASE_MS_PER_UNIT.argon2Block * s; },
  'argon2-js': (s) => { MS_PER_UNIT.argon2BlockPureJs = BASE_MS_PER_UNIT.argon2BlockPureJs * s; },
  'sha-crypt': (s) => {
    MS_PER_UNIT.shaCryptRound = BASE_MS_PER_UNIT.shaCryptRound * s;
    MS_PER_UNIT.shaCryptRoundByte = BASE_MS_PER_UNIT.shaCryptRoundByte * s;
  },
  // phpass, md5-crypt, Drupal 7 and the digest verifiers: a JavaScript loop of node:crypto digests.
  'md5-chain': (s) => {
    for (const key of ['phpassRound', 'phpassRoundByte', 'drupalRound', 'drupalRoundByte', 'digest', 'digestByte'] as const) MS_PER_UNIT[key] = BASE_MS_PER_UNIT[key] * s;
  },
};

/**
 * A probe's scale is kept within these bounds: a machine more than twice as
 * fast keeps some of the reference's margin, and a probe slowed by a pause
 * (a garbage collection, another thread starting) cannot make every estimate
 * many times too high and refuse ordinary hashes.
 */
export const SCALE_BOUNDS = { min: 0.5, max: 3 } as const;

/**
 * What calibration measured.
 *
 * @example
 * ```ts
 * const { probes } = await calibrateWork()
 * probes.bcrypt // { probeMs: 1.1, scale: 1.02, spentMs: 3.4 }
 * ```
 */
export interface Calibration {
  /**
   * Per primitive: its probe's best time here (ms), the factor its constants
   * were scaled by (probe here / reference, within {@link SCALE_BOUNDS}), and
   * the time its timed runs took (not the untimed runs, which load the code).
   */
  probes: Record<Primitive, { probeMs: number; scale: number; spentMs: number }>;
  /** The time all the probes' timed runs took, in ms (loading their code not counted). */
  totalMs: number;
}

const calibrated = new Map<Primitive, Promise<Calibration['probes'][Primitive]>>();

/**
 * Times one primitive's probe (one run after one that loads and compiles
 * its code, and another when that one looks like a pause) and scales its constants in {@link MS_PER_UNIT}. Once a process:
 * later calls get the same result.
 *
 * @example
 * ```ts
 * await calibratePrimitive('bcrypt') // { probeMs: 1.1, scale: 1.02, spentMs: 3.4 }
 * ```
 */
export function calibratePrimitive(primitive: Primitive): Promise<Calibration['probes'][Primitive]> {
  let done = calibrated.get(primitive);
  if (!done) {
    done = measure(primitive);
    calibrated.set(primitive, done);
  }
  return done;
}

/**
 * Calibrates the primitives a verifier's estimate reads.
 *
 * @example
 * ```ts
 * await calibrateFor(PRIMITIVES_BY_FORMAT['sha-crypt'] ?? [])
 * ```
 */
export async function calibrateFor(primitives: readonly Primitive[]): Promise<void> {
  await Promise.all(primitives.map(calibratePrimitive));
}

/**
 * Calibrates every primitive (what a process that verifies every format
 * would do over its first sign-ins), and says what each measured and cost.
 *
 * @example
 * ```ts
 * const { probes, totalMs } = await calibrateWork()
 * probes.scrypt.scale // 1.07: scrypt estimates 7 % above the reference's
 * ```
 */
export async function calibrateWork(): Promise<Calibration> {
  const probes = {} as Calibration['probes'];
  // One after another, as first sign-ins of each kind would come.
  for (const primitive of Object.keys(PROBES) as Primitive[]) probes[primitive] = await calibratePrimitive(primitive);
  return { probes, totalMs: Object.values(probes).reduce((sum, p) => sum + p.spentMs, 0) };
}

/**
 * Untimed runs before the timed one, where one is not enough to reach the speed the constants
 * hold: hash-wasm's bcrypt ran its second call at 5 to 8 ms and its third at 1.1 to 1.3 (V8 moves
 * the WebAssembly to its optimising tier meanwhile), so every bcrypt probe was timed twice. The
 * pure-JavaScript Argon2's second call, still between JIT tiers, took 3 to 7 ms in one run of three.
 */
const UNTIMED_RUNS: Partial<Record<Primitive, number>> = { bcrypt: 2, 'argon2-js': 2 };

/** A first probe this many times the reference's is taken for a pause and run once more. */
const PAUSE_RATIO = 2.5;

/**
 * The most a process's timed probes may take together (issue 24's cap). A probe is run once more
 * only while the runs so far, that one (as long as its first) and the reference times of the probes
 * not yet run all fit: on a phase of this shared machine where every probe ran 1.4 to 2 times its
 * reference, the retries took the whole to 18.5 ms.
 * Without its retry a probe slowed by a pause keeps its high scale: estimates err high, and the
 * instance's own verifications then bring them down (`learn.ts`).
 */
export const PROBE_BUDGET_MS = 15;

let probesSpentMs = 0;

/** The reference times of the probes this process has not started: room kept for their first runs. */
const unprobedReferenceMs = () =>
  (Object.keys(REFERENCE_PROBE_MS) as Primitive[]).reduce((sum, p) => (calibrated.has(p) ? sum : sum + REFERENCE_PROBE_MS[p]), 0);

async function measure(primitive: Primitive): Promise<Calibration['probes'][Primitive]> {
  let probeMs = Infinity;
  let spentMs = 0;
  try {
    const probe = await PROBES[primitive]();
    // Untimed: compiles the WebAssembly, or warms the JavaScript, as any first verification would.
    for (let i = 0; i < (UNTIMED_RUNS[primitive] ?? 1); i++) await probe();
    // A second timed run only when the first looks like a pause (a collection, another thread starting),
    // not a slower CPU: at 1.5× the reference a slow phase of a shared machine re-ran every probe and
    // took the total to 28 ms, over the 15 ms budget. The best of the two counts.
    for (let i = 0; i < 2 && !(probeMs <= REFERENCE_PROBE_MS[primitive] * PAUSE_RATIO); i++) {
      if (i > 0 && probesSpentMs + probeMs + unprobedReferenceMs() > PROBE_BUDGET_MS) break;
      const t = performance.now();
      await probe();
      const ms = performance.now() - t;
      spentMs += ms;
      probesSpentMs += ms;
      probeMs = Math.min(probeMs, ms);
    }
  } catch {
    // A probe that cannot run leaves the constants at their highest scale: estimates err high.
  }
  return { probeMs, scale: scaleTo(primitive, probeMs), spentMs };
}

/**
 * Scales a primitive's constants for a probe time (as {@link calibratePrimitive}
 * measured it, or any other: for tests) and returns the scale.
 *
 * @example
 * ```ts
 * scaleTo('scrypt', REFERENCE_PROBE_MS.scrypt * 2) // 2: scrypt estimates doubled
 * ```
 */
export function scaleTo(primitive: Primitive, probeMs: number): number {
  const ratio = probeMs / REFERENCE_PROBE_MS[primitive];
  const scale = Number.isFinite(ratio) ? Math.min(SCALE_BOUNDS.max, Math.max(SCALE_BOUNDS.min, ratio)) : SCALE_BOUNDS.max;
  SCALES[primitive](scale);
  return scale;
}
