import { type CheckResult, pass, warn } from './checks.js';
import { type Calibration, type Primitive, SCALE_BOUNDS } from './passwords/calibrate.js';

/**
 * What the cold-start probes measured on the CPU the function runs on, as
 * the self-check reports it: each primitive's scale (its probe's time over
 * the reference machine's), so that an operator on a CPU nobody here has
 * measured (Graviton) sees what the work budget assumes. A scale at the
 * upper bound is a warning: that primitive's estimates are capped there, so
 * on a CPU slower still a row could be admitted with too little time left.
 *
 * @example
 * ```ts
 * calibrationCheck(await calibrateWork(), process.arch)
 * // { id: 'verify.calibration', status: 'pass', message: 'Work estimates scaled to this CPU (x64) by its probes (7.3 ms): bcrypt 1.02, …' }
 * ```
 */
export function calibrationCheck(calibration: Calibration, arch: string): CheckResult {
  const entries = Object.entries(calibration.probes) as Array<[Primitive, Calibration['probes'][Primitive]]>;
  const scales = entries.map(([primitive, { scale }]) => `${primitive} ${scale.toFixed(2)}`).join(', ');
  const summary = `Work estimates scaled to this CPU (${arch}) by its probes (${calibration.totalMs.toFixed(1)} ms), 1 being the reference machine: ${scales}`;
  const capped = entries.filter(([, { scale }]) => scale >= SCALE_BOUNDS.max).map(([primitive]) => primitive);
  if (capped.length === 0) return pass('verify.calibration', summary);
  return warn(
    'verify.calibration',
    `${summary}. ${capped.join(', ')} took ${SCALE_BOUNDS.max}× the reference or more (or could not run), and estimates are capped there: on a CPU slower still, a row could be admitted with too little time left, and only the deadline would stop it (PBKDF2 not even that)`,
    'Give the function more memory (more CPU) and run the self-check again; if the scale stays at the cap on an idle function, report these figures with the CPU (process.arch, memory size).',
  );
}
