// One fresh process for `bench --only cold`: how long its first JSON POST to a local API takes after one of the HTTP
// store's possible start steps (BENCH_WARM: none, a data: URL, or a HEAD to the API), and the next one. Answers over
// IPC, in milliseconds.
import { performance } from 'node:perf_hooks';

const { BENCH_URL, BENCH_WARM } = process.env;
if (BENCH_WARM === 'data') await fetch('data:,').then((r) => r.arrayBuffer());
if (BENCH_WARM === 'head') await fetch(BENCH_URL, { method: 'HEAD' }).then((r) => r.arrayBuffer());
const post = async () => {
  const t = performance.now();
  await fetch(new URL('/auth/verify', BENCH_URL), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then((r) => r.arrayBuffer());
  return performance.now() - t;
};
const first = await post();
const second = await post();
process.send({ first, second });
process.exit(0);
