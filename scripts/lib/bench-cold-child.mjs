// One fresh instance of a built store bundle, for `bench --only cold`: the
// time its import takes (the cold load), then its first sign-in and twenty
// warm ones with the same password, as Lambda would run them one after the
// other. Answers over IPC, in milliseconds.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { makeContext } from '../../dist/runtime.mjs';

const { BENCH_BUNDLE, BENCH_LOGIN, BENCH_PASSWORD } = process.env;
process.stdout.write = (_chunk, ...rest) => {
  rest.find((r) => typeof r === 'function')?.();
  return true;
};
const t0 = performance.now();
const { handler } = await import(pathToFileURL(BENCH_BUNDLE).href);
const load = performance.now() - t0;

const event = () => ({
  version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName: BENCH_LOGIN,
  callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password: BENCH_PASSWORD }, response: {},
});
const signIn = async () => {
  const t = performance.now();
  const out = await handler(event(), makeContext({ functionName: 'bench', timeoutMs: 5000 }));
  if (!out?.response?.userAttributes) throw new Error('bench: the sign-in did not migrate');
  return performance.now() - t;
};
const first = await signIn();
const warm = [];
for (let i = 0; i < 20; i++) warm.push(await signIn());
await handler.close?.();
process.send({ load, first, warm });
process.exit(0);
