// One fresh process: each PBKDF2 probe as a cold start runs it (BENCH_LIB's calibratePrimitive), then
// right after it, at the same moment of the machine, 100,000 iterations of one output block as the
// verification thread derives them. Both as JSON, so that the bench can set the probe's reference time
// and the per-iteration constant from pairs taken together.
import { pbkdf2Sync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { calibratePrimitive } = await import(pathToFileURL(process.env.BENCH_LIB).href);
const BLOCK_BYTES = { sha1: 20, sha256: 32, sha512: 64 };
const ITERATIONS = 100_000;
const out = {};
for (const [digest, bytes] of Object.entries(BLOCK_BYTES)) {
  const { probeMs } = await calibratePrimitive(`pbkdf2-${digest}`);
  const t = performance.now();
  pbkdf2Sync('a password', 'a salt of sixteen', ITERATIONS, bytes, digest);
  out[digest] = { probeMs, perIterationMs: (performance.now() - t) / ITERATIONS };
}
process.stdout.write(JSON.stringify(out));
