import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { LEARNING, createSpeedLog } from '../../src/passwords/learn.js';
import { verifyPool } from '../../src/passwords/pool.js';
import { createPasswordVerifier } from '../../src/passwords/registry.js';
import type { PasswordVerifier } from '../../src/passwords/verifier.js';

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

/** Keeps the calling thread busy for `ms`: a verification's real work. */
function spin(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * A verifier whose estimate is `claimMs` and whose verification takes `takeMs`, on the calling
 * thread: an estimate wrong by a known factor, as a probe timed on a fast moment makes one.
 */
function misjudged(claimMs: number, takeMs: number): PasswordVerifier {
  return {
    id: 'misjudged',
    recognizes: (encoded) => encoded.startsWith('{MISJUDGED}'),
    cost: () => ({ ms: claimMs, memoryBytes: 0 }),
    verify: async () => { spin(takeMs); return false; },
  };
}

describe('learning: the estimates follow what verifications of the same kind took', () => {
  it('a kind is estimated as probed until two recent verifications of it were timed; then at a quarter over the lower median of what they took', () => {
    const t = clock();
    const speeds = createSpeedLog(t.now);
    expect(speeds.factor('sha-crypt sha512')).toBe(1);
    speeds.record('sha-crypt sha512', 40, 80);
    // One verification is not a speed: it may have met a pause.
    expect(speeds.factor('sha-crypt sha512')).toBe(1);
    speeds.record('sha-crypt sha512', 40, 60);
    // Of two, the faster: one pause moves nothing.
    expect(speeds.factor('sha-crypt sha512')).toBeCloseTo(LEARNING.margin * 1.5, 10);
    speeds.record('sha-crypt sha512', 40, 400);
    expect(speeds.factor('sha-crypt sha512')).toBeCloseTo(LEARNING.margin * 2, 10);
    // Other kinds keep their own.
    expect(speeds.factor('sha-crypt sha256')).toBe(1);
  });

  it('only the last few and the last minute count, and a verification too short to time teaches nothing', () => {
    const t = clock();
    const speeds = createSpeedLog(t.now);
    for (const took of [200, 200, 40, 40]) speeds.record('bcrypt bcrypt', 40, took);
    // The window holds the last three: 200, 40, 40.
    expect(speeds.factor('bcrypt bcrypt')).toBeCloseTo(LEARNING.margin, 10);
    t.advance(LEARNING.maxAgeMs + 1);
    expect(speeds.factor('bcrypt bcrypt')).toBe(1);
    speeds.record('ldap digest', 0.01, LEARNING.minMs / 2);
    speeds.record('ldap digest', 0.01, LEARNING.minMs / 2);
    expect(speeds.factor('ldap digest')).toBe(1);
  });

  it('the factor stays within its bounds: verifications that end at once cannot halve an estimate twice, nor stalls quadruple it twice', () => {
    const speeds = createSpeedLog();
    for (let i = 0; i < 3; i++) speeds.record('fast', 1000, 5);
    for (let i = 0; i < 3; i++) speeds.record('stalled', 5, 5000);
    expect(speeds.factor('fast')).toBe(LEARNING.bounds.min);
    expect(speeds.factor('stalled')).toBe(LEARNING.bounds.max);
  });

  it('a row whose estimate a fast-moment calibration put too low is refused up front once two of its kind were timed, not run past its deadline', async () => {
    // Estimated at 30 ms, takes 90: admitted with 60 ms left, it would run 30 ms past them (on the calling thread, where nothing stops it).
    const registry = createPasswordVerifier({ verifiers: [misjudged(30, 90)], limits: { cpuShare: 1 } });
    const row = '{MISJUDGED}row';
    expect((await registry.cost(row)).ms).toBe(30);
    expect(await registry.verify('pw', row)).toBe(false);
    expect(await registry.verify('pw', row)).toBe(false);
    expect((await registry.cost(row)).ms).toBeGreaterThanOrEqual(90);
    const started = performance.now();
    const refused = await registry.verify('pw', row, undefined, { deadline: Date.now() + 60 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'over_budget' });
    expect(performance.now() - started).toBeLessThan(60);
  });

  it('a verification that answers at once (a verifier that returns early for some input) cannot lower another row\'s estimate below half its probed value', async () => {
    const registry = createPasswordVerifier({ verifiers: [misjudged(100, LEARNING.minMs + 1)], limits: { cpuShare: 1 } });
    for (let i = 0; i < 3; i++) await registry.verify('pw', '{MISJUDGED}early');
    expect((await registry.cost('{MISJUDGED}other')).ms).toBe(100 * LEARNING.bounds.min);
  });

  it('a verification stopped at its deadline teaches that its kind is slower than estimated: the third such row is refused up front', async () => {
    const hanging = new URL('../fixtures/never-answering-worker.mjs', import.meta.url);
    const slow: PasswordVerifier = { ...misjudged(20, 0), id: 'slow-on-thread', recognizes: (e) => e.startsWith('{SLOW}'), worker: { factory: 'builtin', id: 'bcrypt' } };
    const registry = createPasswordVerifier({ verifiers: [slow], worker: hanging, limits: { cpuShare: 1 } });
    // On the thread, where the deadline can stop it (a fresh registry's first cheap hash would run inline).
    await registry.whenIsolated();
    for (let i = 0; i < 2; i++) {
      await expect(registry.verify('pw', '{SLOW}row', undefined, { deadline: Date.now() + 60 })).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    }
    const started = performance.now();
    await expect(registry.verify('pw', '{SLOW}row', undefined, { deadline: Date.now() + 60 })).rejects.toMatchObject({ kind: 'over_budget' });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('a built-in format learns from its verifications on the worker thread: the estimate becomes a quarter over the thread\'s own time, and other kinds keep theirs', async () => {
    const registry = createPasswordVerifier({ limits: { cpuShare: 1 } });
    await registry.whenIsolated();
    // What the thread reports for each verification: its own time, without the messages or a wait for the CPU.
    const pool = verifyPool()!;
    const run = pool.run;
    const reported: number[] = [];
    pool.run = async (...args) => {
      const answer = await run(...args);
      reported.push(answer.ms);
      return answer;
    };
    try {
      const sha512 = `$6$rounds=40000$saltsalt$${'a'.repeat(86)}`;
      const sha256 = `$5$rounds=40000$saltsalt$${'a'.repeat(43)}`;
      const bcrypt = '$2b$10$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
      const sha256Before = (await registry.cost(sha256)).ms;
      const sha512Before = (await registry.cost(sha512, undefined, 5)).ms;
      const bcryptBefore = (await registry.cost(bcrypt)).ms;
      for (let i = 0; i < 2; i++) expect(await registry.verify('wrong', sha512)).toBe(false);
      expect(reported).toHaveLength(2);
      // Within the factor's bounds: a probe paused on a busy machine can put the probed estimate so high that the floor holds it.
      const expected = Math.min(LEARNING.bounds.max * sha512Before, Math.max(LEARNING.bounds.min * sha512Before, LEARNING.margin * Math.min(...reported)));
      expect((await registry.cost(sha512, undefined, 5)).ms).toBeCloseTo(expected, 6);
      expect((await registry.cost(sha256)).ms).toBe(sha256Before);
      expect((await registry.cost(bcrypt)).ms).toBe(bcryptBefore);
    } finally {
      pool.run = run;
    }
  });
});
