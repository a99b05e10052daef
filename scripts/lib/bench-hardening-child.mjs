// Sign-in hardening figures, in a process of its own with the built bundle:
// refusal timing before any real hash, warm, and after a costly row. Answers
// over IPC with raw samples in milliseconds.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { makeContext } from '../../dist/runtime.mjs';

const { BENCH_BUNDLE, BENCH_LOGIN, BENCH_ITERATIONS } = process.env;
const iterations = Number(BENCH_ITERATIONS ?? 30);
const { handler } = await import(pathToFileURL(BENCH_BUNDLE).href);
const event = (userName, password) => ({
  version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName,
  callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password }, response: {},
});
async function time(userName, password) {
  const t = performance.now();
  await handler(event(userName, password), makeContext({ functionName: 'bench', timeoutMs: 5000 })).catch(() => {});
  return performance.now() - t;
}

const samples = { before: [], warmUnknown: [], warmWrong: [], costly: [], afterUnknown: [], afterWrong: [] };
// Before any real hash: a fresh instance answers unknown users first.
await time('warm-up-connection@example.com', 'x');
for (let i = 0; i < iterations; i++) samples.before.push(await time(`nobody-before-${i}@example.com`, 'x'));
for (let i = 0; i < iterations; i++) {
  samples.warmWrong.push(await time(BENCH_LOGIN, 'not-the-password'));
  samples.warmUnknown.push(await time(`nobody-warm-${i}@example.com`, 'x'));
}
// The costly rows of the issue: each refused before any work, timed like a wrong password.
for (const login of ['costly-argon2', 'costly-argon2-purejs', 'costly-shacrypt', 'costly-phpass']) samples.costly.push(await time(login, 'p'.repeat(256)));
for (let i = 0; i < iterations; i++) {
  samples.afterWrong.push(await time(BENCH_LOGIN, 'not-the-password'));
  samples.afterUnknown.push(await time(`nobody-after-${i}@example.com`, 'x'));
}
process.send(samples, () => process.exit(0));
