// One fresh process: each PBKDF2 probe as a cold start runs it (BENCH_LIB's calibratePrimitive), the
// same workload through the main thread's asynchronous call (what the probes timed before they timed
// pbkdf2Sync), then right after them, at the same moment of the machine, 100,000 iterations of one
// output block as the verification thread derives them. As JSON, so that the bench can set the probe's
// reference time and the per-iteration constant from pairs taken together, and compare the two probes.
import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { calibratePrimitive, PBKDF2_PROBE } = await import(pathToFileURL(process.env.BENCH_LIB).href);
const asyncPbkdf2 = promisify(pbkdf2);
const asyncProbe = (digest) => asyncPbkdf2(PBKDF2_PROBE.password, PBKDF2_PROBE.salt, PBKDF2_PROBE.iterations, PBKDF2_PROBE.bytes[digest], digest);
const ITERATIONS = 100_000;
const out = {};
for (const [digest, bytes] of Object.entries(PBKDF2_PROBE.bytes)) {
  const { probeMs } = await calibratePrimitive(`pbkdf2-${digest}`);
  await asyncProbe(digest);
  let t = performance.now();
  await asyncProbe(digest);
  const asyncProbeMs = performance.now() - t;
  t = performance.now();
  pbkdf2Sync('a password', 'a salt of sixteen', ITERATIONS, bytes, digest);
  out[digest] = { probeMs, asyncProbeMs, perIterationMs: (performance.now() - t) / ITERATIONS };
}
process.stdout.write(JSON.stringify(out));
