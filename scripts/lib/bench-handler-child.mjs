// Measures the warm handler of a built bundle in a process of its own (so its
// log lines go nowhere near the report). Environment: the function's settings.
// Answers over IPC with raw samples in milliseconds.
import { bcryptVerify } from 'hash-wasm';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { makeContext } from '../../dist/runtime.mjs';

const { BENCH_BUNDLE, BENCH_LOGIN, BENCH_PASSWORD, BENCH_HASH, BENCH_ITERATIONS } = process.env;
const iterations = Number(BENCH_ITERATIONS ?? 200);
// The handler's own log record carries its time accounting (storeMs, verifyMs, overheadMs); read it off stdout.
const records = [];
process.stdout.write = (chunk, ...rest) => {
  for (const line of String(chunk).split('\n')) if (line.includes('"overheadMs"')) records.push(JSON.parse(line));
  const done = rest.find((r) => typeof r === 'function');
  done?.();
  return true;
};
const { handler } = await import(pathToFileURL(BENCH_BUNDLE).href);

// The bare verification the handler's verifier does: hash-wasm's bcrypt over the first 72 bytes.
const compare = () => bcryptVerify({ password: Buffer.from(BENCH_PASSWORD).subarray(0, 72), hash: BENCH_HASH });

const event = (userName, password) => ({
  version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName,
  callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password }, response: {},
});
const context = () => makeContext({ functionName: 'bench', timeoutMs: 5000 });
async function time(fn) {
  const t = performance.now();
  await fn().catch(() => {});
  return performance.now() - t;
}

// Warm-up: connection opened, JIT warm, dummy hash of the real cost made.
for (let i = 0; i < 10; i++) {
  await handler(event(BENCH_LOGIN, BENCH_PASSWORD), context());
  await handler(event(BENCH_LOGIN, 'wrong'), context()).catch(() => {});
  await compare();
}
await new Promise((r) => setTimeout(r, 200));

const samples = { handler: [], compare: [], wrong: [], unknown: [], overhead: [], store: [] };
for (let i = 0; i < iterations; i++) {
  // Interleaved, so drift in machine speed hits every series alike.
  const seen = records.length;
  samples.handler.push(await time(() => handler(event(BENCH_LOGIN, BENCH_PASSWORD), context())));
  const record = records[seen];
  if (record) {
    samples.overhead.push(record.overheadMs);
    samples.store.push(record.storeMs);
  }
  samples.compare.push(await time(compare));
  samples.wrong.push(await time(() => handler(event(BENCH_LOGIN, 'not-the-password'), context())));
  samples.unknown.push(await time(() => handler(event(`nobody-${i}@example.com`, BENCH_PASSWORD), context())));
}
process.send(samples, () => process.exit(0));
