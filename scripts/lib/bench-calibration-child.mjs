// A fresh process's calibration, as a function's would run over its first sign-ins: the verifiers
// as the bench built them (BENCH_LIB). First bcrypt alone (what a first sign-in with the default
// timing hash pays), then every other primitive; the probes' times and the wall time, as JSON.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { calibratePrimitive, calibrateWork } = await import(pathToFileURL(process.env.BENCH_LIB).href);
const t0 = performance.now();
await calibratePrimitive('bcrypt');
const bcryptWallMs = performance.now() - t0;
const result = await calibrateWork();
process.stdout.write(JSON.stringify({ ...result, bcryptWallMs, wallMs: performance.now() - t0 }));
