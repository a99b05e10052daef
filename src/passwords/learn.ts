/**
 * What real verifications teach the work estimates. The cold-start probes
 * (`calibrate.ts`) time about a millisecond of each primitive once; a shared
 * host's speed then moves by up to 2x within seconds (issue 24's bench put
 * single cold starts at 0.67 of the time they predicted). Every verification
 * after them is a larger probe of the very code and parameters being
 * estimated, at the machine's current speed, so the estimates follow those.
 */

/** How the estimates learn from the verifications they estimated. */
export const LEARNING = Object.freeze({
  /** The most recent verifications of a kind that count. */
  window: 3,
  /** Fewer than this many recent verifications of a kind teach nothing: one pause is not a speed. */
  minObservations: 2,
  /** Older than this (ms), a verification teaches nothing: a stale learned speed falls back to the probes'. */
  maxAgeMs: 60_000,
  /** Shorter than this (ms), a verification teaches nothing: the call's own overhead is most of it. */
  minMs: 5,
  /** The margin a learned estimate keeps over the time verifications took: a quarter, as the constants keep. */
  margin: 1.25,
  /**
   * The factor's bounds. The floor keeps an estimate at half its probe-based value whatever a
   * verification that ended early (a verifier that returns at once for some input) would teach, so
   * that PBKDF2's twice-its-estimate margin still holds; the ceiling keeps a host stalled twice in
   * three verifications from refusing every hash a quarter of the budget would have admitted.
   */
  bounds: Object.freeze({ min: 0.5, max: 4 }),
});

/**
 * Per kind of verification (a verifier and the primitive its estimate reads),
 * the factor its estimates are multiplied by: 1 until it has been timed.
 *
 * @example
 * ```ts
 * const speeds = createSpeedLog()
 * speeds.record('sha-crypt sha512', 40, 64)
 * speeds.record('sha-crypt sha512', 40, 60)
 * speeds.factor('sha-crypt sha512') // 1.875: 1.25 × the lower median of 64/40 and 60/40
 * ```
 */
export interface SpeedLog {
  /** The factor estimates of this kind are multiplied by, within {@link LEARNING}'s bounds. */
  factor(kind: string): number;
  /**
   * Records a verification of this kind: its estimate before any factor
   * (`estimatedMs`) and the time it took (`tookMs`), both on one full vCPU.
   */
  record(kind: string, estimatedMs: number, tookMs: number): void;
}

/**
 * Creates an empty {@link SpeedLog} (one per registry).
 *
 * @example
 * ```ts
 * const speeds = createSpeedLog(() => performance.now())
 * ```
 */
export function createSpeedLog(now: () => number = Date.now): SpeedLog {
  const seen = new Map<string, Array<{ at: number; ratio: number }>>();
  const fresh = (kind: string) => {
    const limit = now() - LEARNING.maxAgeMs;
    return (seen.get(kind) ?? []).filter((o) => o.at >= limit);
  };
  return {
    factor(kind) {
      const recent = fresh(kind);
      if (recent.length < LEARNING.minObservations) return 1;
      // The lower median: of two, the faster; of three, the middle. One pause moves nothing.
      const ratios = recent.map((o) => o.ratio).sort((a, b) => a - b);
      const ratio = ratios[Math.floor((ratios.length - 1) / 2)]!;
      return Math.min(LEARNING.bounds.max, Math.max(LEARNING.bounds.min, LEARNING.margin * ratio));
    },
    record(kind, estimatedMs, tookMs) {
      if (!(tookMs >= LEARNING.minMs) || !(estimatedMs > 0) || !Number.isFinite(tookMs)) return;
      seen.set(kind, [...fresh(kind), { at: now(), ratio: tookMs / estimatedMs }].slice(-LEARNING.window));
    },
  };
}
