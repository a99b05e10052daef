import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Calibration, PRIMITIVES_BY_FORMAT, type Primitive, REFERENCE_PROBE_MS, SCALE_BOUNDS, calibratePrimitive, scaleTo } from '../../src/passwords/calibrate.js';
import { builtInVerifiers, createPasswordVerifier } from '../../src/passwords/registry.js';
import { calibrationCheck } from '../../src/calibration-check.js';
import { createUserMigrationHandler } from '../../src/index.js';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { captureLogger, countMetrics } from '../support/fakes.js';
import { BASE_MS_PER_UNIT, MS_PER_UNIT } from '../../src/passwords/work.js';

const SCRYPT_17 = `$scrypt$ln=17,r=8,p=1$c2FsdHNhbHQ$${'A'.repeat(43)}`;

describe('calibration: the estimates follow this CPU', () => {
  afterEach(async () => {
    // Back to what this process measured, for the tests after these.
    for (const primitive of Object.keys(REFERENCE_PROBE_MS) as Primitive[]) scaleTo(primitive, (await calibratePrimitive(primitive)).probeMs);
  });

  it('a primitive is probed the first time one of its hashes is estimated, once a process, and its constants scaled by probe / reference', async () => {
    const passwords = createPasswordVerifier({ worker: false });
    await passwords.cost(SCRYPT_17);
    const first = await calibratePrimitive('scrypt');
    expect(await calibratePrimitive('scrypt')).toBe(first);
    expect(Number.isFinite(first.probeMs) && first.probeMs > 0).toBe(true);
    expect(first.scale).toBeCloseTo(Math.min(SCALE_BOUNDS.max, Math.max(SCALE_BOUNDS.min, first.probeMs / REFERENCE_PROBE_MS.scrypt)), 10);
    expect(MS_PER_UNIT.scryptUnit).toBeCloseTo(BASE_MS_PER_UNIT.scryptUnit * first.scale, 12);
  });

  it('on a CPU twice as slow for scrypt, a row that fitted the time left on the reference\'s estimate is refused before any work', async () => {
    const passwords = createPasswordVerifier({ worker: false });
    scaleTo('scrypt', REFERENCE_PROBE_MS.scrypt);
    const atReference = (await passwords.cost(SCRYPT_17)).ms / passwords.limits.cpuShare;
    const deadline = () => Date.now() + Math.round(atReference * 1.5);
    // Admitted at the reference speed (and verified: the wrong password), refused at half of it.
    expect(await passwords.verify('pw', SCRYPT_17, undefined, { deadline: deadline() })).toBe(false);
    expect(scaleTo('scrypt', REFERENCE_PROBE_MS.scrypt * 2)).toBe(2);
    expect((await passwords.cost(SCRYPT_17)).ms / passwords.limits.cpuShare).toBeCloseTo(atReference * 2, 6);
    const refused = await passwords.verify('pw', SCRYPT_17, undefined, { deadline: deadline() }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'over_budget' });
  });

  it('a scale stays within its bounds: a pause in a probe cannot make every estimate many times too high, nor a failed probe too low', () => {
    expect(scaleTo('bcrypt', REFERENCE_PROBE_MS.bcrypt * 50)).toBe(SCALE_BOUNDS.max);
    expect(scaleTo('bcrypt', REFERENCE_PROBE_MS.bcrypt / 50)).toBe(SCALE_BOUNDS.min);
    expect(scaleTo('bcrypt', Number.POSITIVE_INFINITY)).toBe(SCALE_BOUNDS.max);
    expect(scaleTo('bcrypt', Number.NaN)).toBe(SCALE_BOUNDS.max);
  });

  it('every built-in format names the primitives its estimate reads, and each of those scales a constant', () => {
    for (const v of builtInVerifiers) expect(PRIMITIVES_BY_FORMAT[v.id], v.id).toBeDefined();
    for (const primitive of Object.keys(REFERENCE_PROBE_MS) as Primitive[]) {
      const before = JSON.stringify(MS_PER_UNIT);
      scaleTo(primitive, REFERENCE_PROBE_MS[primitive] * 1.37);
      expect(JSON.stringify(MS_PER_UNIT), primitive).not.toBe(before);
    }
  });

  it('on a slow phase a probe runs twice only while the total, with room kept for the probes not yet run, fits the 15 ms budget (every probe retried took it to 18.5 ms)', async () => {
    /** A fresh copy of the module (its own probes and constants) on a clock where every timed run takes `ms`: each looks like a pause. */
    async function calibrateOnClock(ms: number) {
      vi.resetModules();
      let t = 0;
      vi.doMock('node:perf_hooks', () => ({ performance: { now: () => (t += ms) } }));
      try {
        const fresh = await import('../../src/passwords/calibrate.js');
        expect(fresh.PROBE_BUDGET_MS).toBe(15);
        return await fresh.calibrateWork();
      } finally {
        vi.doUnmock('node:perf_hooks');
        vi.resetModules();
      }
    }
    const others = Object.entries(REFERENCE_PROBE_MS).filter(([p]) => p !== 'bcrypt').reduce((sum, [, ms]) => sum + ms, 0);
    // 5 ms: bcrypt's retry fits (5 + 5 + the others' references, about 4.5 ms); after it none does.
    expect(5 + 5 + others).toBeLessThanOrEqual(15);
    const at5 = await calibrateOnClock(5);
    expect(at5.probes.bcrypt.spentMs).toBe(10);
    for (const primitive of Object.keys(at5.probes) as Primitive[]) if (primitive !== 'bcrypt') expect(at5.probes[primitive].spentMs, primitive).toBe(5);
    // 6 ms: not even bcrypt's fits once the others' first runs are counted (12 ms alone would have fitted).
    expect(6 + 6 + others).toBeGreaterThan(15);
    const at6 = await calibrateOnClock(6);
    for (const primitive of Object.keys(at6.probes) as Primitive[]) expect(at6.probes[primitive].spentMs, primitive).toBe(6);
    expect(at6.totalMs).toBe(6 * Object.keys(at6.probes).length);
  });

  it('the self-check reports what the probes measured on this CPU, and warns when a primitive\'s estimates are capped (a CPU slower than the model reaches)', async () => {
    const handler = createUserMigrationHandler({ store: createMemoryStore([]), verifyWorker: false, logger: captureLogger().logger, metrics: countMetrics().metrics });
    const report = (await handler({ 'cognito-migrate': 'self-check' })) as { checks: Array<{ id: string; status: string; message: string }> };
    const check = report.checks.find((c) => c.id === 'verify.calibration')!;
    expect(check.message).toContain(`(${process.arch})`);
    for (const primitive of Object.keys(REFERENCE_PROBE_MS)) expect(check.message).toMatch(new RegExp(`${primitive} \\d+\\.\\d\\d`));
    const probes = Object.fromEntries(Object.keys(REFERENCE_PROBE_MS).map((p) => [p, { probeMs: 1, scale: 1.1, spentMs: 1 }])) as Calibration['probes'];
    expect(calibrationCheck({ probes, totalMs: 9 }, 'arm64')).toMatchObject({ status: 'pass' });
    const slow = calibrationCheck({ probes: { ...probes, scrypt: { probeMs: Infinity, scale: SCALE_BOUNDS.max, spentMs: 0 } }, totalMs: 9 }, 'arm64');
    expect(slow).toMatchObject({ status: 'warn' });
    expect(slow.message).toMatch(/scrypt took 3× the reference or more/);
    expect(slow.fix).toMatch(/more memory/);
  });
});
