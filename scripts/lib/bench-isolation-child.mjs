// A costly verify that outruns its estimate, next to a normal sign-in in the
// same process: the library as built for the bench (dist/bench/lib.mjs), a
// memory store, and a CPU share set far too high so the estimate is too low.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { BENCH_LIB, BENCH_NORMAL_HASH, BENCH_ITERATIONS } = process.env;
const { createUserMigrationHandler, createMemoryStore } = await import(pathToFileURL(BENCH_LIB).href);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const store = createMemoryStore([
  { username: 'costly', id: '1', passwordHash: `$6$rounds=999999$saltsalt$${'a'.repeat(86)}`, fields: {} },
  { username: 'normal', id: '2', passwordHash: BENCH_NORMAL_HASH, fields: {} },
]);
const handler = createUserMigrationHandler({ store, timeoutMs: 1500, workLimits: { cpuShare: 1000 }, logger: silent, metrics: { count() {} } });
const event = (userName, password) => ({
  version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName,
  callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password }, response: {},
});
async function time(userName, password) {
  const t = performance.now();
  await handler(event(userName, password), { getRemainingTimeInMillis: () => 5000 }).catch(() => {});
  return performance.now() - t;
}
const iterations = Number(BENCH_ITERATIONS ?? 5);
const samples = { alone: [], concurrent: [], costly: [] };
for (let i = 0; i < 5; i++) await time('normal', 'wrong');
for (let i = 0; i < iterations; i++) {
  // The replacement for the thread terminated last round starts meanwhile; let it finish first.
  await new Promise((r) => setTimeout(r, 300));
  samples.alone.push(await time('normal', 'wrong'));
  const costly = time('costly', 'p'.repeat(256));
  await new Promise((r) => setTimeout(r, 50));
  samples.concurrent.push(await time('normal', 'wrong'));
  samples.costly.push(await costly);
}
process.send(samples, () => process.exit(0));
