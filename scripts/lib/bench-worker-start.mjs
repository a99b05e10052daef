// The verification worker's start-up, measured in a fresh process: from
// `new Worker` to its first answer, and the same first answer again warm.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const script = new URL(process.argv[2], 'file:///');
const t0 = performance.now();
const worker = new Worker(script);
const ask = (id) => new Promise((resolve) => {
  worker.once('message', resolve);
  worker.postMessage({ id, spec: { factory: 'builtin', id: 'bcrypt' }, password: 'x', encoded: '$2b$04$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16' });
});
await new Promise((r) => worker.once('online', r));
const online = performance.now() - t0;
await ask(1);
const firstAnswer = performance.now() - t0;
const t1 = performance.now();
await ask(2);
const warmAnswer = performance.now() - t1;
await worker.terminate();
process.stdout.write(JSON.stringify({ online, firstAnswer, warmAnswer }));
