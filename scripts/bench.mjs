#!/usr/bin/env node
// npm run bench [-- --quick]: measures the figures of BENCHMARKS.md on real
// PostgreSQL (DATABASE_URL or embedded) and writes bench/results.json.
// Timings that have a floor are reported as ratios within this one run.
import bcrypt from 'bcryptjs';
import { build } from 'esbuild';
import { execFile, fork } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { startLambdaServer } from './lib/lambda-server.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { DEMO_ATTRIBUTE_MAP, seedLegacyUsers } from './lib/seed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
// --only hardening: one section, measured again and written over its part of bench/results.json.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const run = promisify(execFile);
const N = quick
  ? { coldLoads: 7, latency: 60, burst: 60, concurrency: 10, compare: 30, exportUsers: 50_000, exportPairs: 1, load: 200, ledgerRows: 500_000, ledgerRuns: 1, completeUsers: [5_000, 20_000] }
  : { coldLoads: 21, latency: 300, burst: 400, concurrency: 10, compare: 100, exportUsers: 500_000, exportPairs: 5, load: 1000, ledgerRows: 10_000_000, ledgerRuns: 3, completeUsers: [20_000, 100_000] };

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const round = (x, digits = 3) => Number(x.toFixed(digits));
const say = (line) => process.stderr.write(`${line}\n`);

const BENCH_USER = { username: 'bench', email: 'bench@example.com', password: 'a bench password of ordinary length', given_name: 'Bench', family_name: 'Mark', phone_number: '+12065550199', enabled: true, sms_mfa: false };

/** Cold loads of several bundles, interleaved round by round so machine drift hits all of them alike. */
async function coldLoads(files) {
  const script = (file) => `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const times = Object.fromEntries(Object.keys(files).map((k) => [k, []]));
  for (let i = 0; i < N.coldLoads; i++) {
    for (const [name, file] of Object.entries(files)) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script(file)], {
        env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://bench@127.0.0.1:1/none', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
      times[name].push(Number(stdout));
    }
  }
  const out = {};
  for (const [name, file] of Object.entries(files)) out[name] = { bytes: (await stat(file)).size, cold_load_ms_median: round(percentile(times[name], 50), 2) };
  return out;
}

async function floorBundle() {
  // The least any PostgreSQL + bcrypt function can load: the two libraries and nothing else.
  const outfile = join(root, 'dist', 'floor', 'index.mjs');
  await build({
    stdin: { contents: "import pg from 'pg'; import bcrypt from 'bcryptjs'; export const handler = async () => [pg.Client, bcrypt.compare];", resolveDir: root, loader: 'js' },
    outfile, bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true, legalComments: 'none',
    external: ['pg-native'], logLevel: 'warning',
    banner: { js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);" },
  });
  return outfile;
}

function functionEnv(db, table) {
  return {
    DATABASE_URL: db.url, PG_TABLE: table, MATCH_EMAIL: 'true', ATTRIBUTE_MAP: JSON.stringify(DEMO_ATTRIBUTE_MAP),
    POWERTOOLS_METRICS_NAMESPACE: 'CognitoMigrateBench',
  };
}

async function handlerLatency(db, table, hash) {
  const samples = await new Promise((resolve, reject) => {
    const child = fork(join(root, 'scripts', 'lib', 'bench-handler-child.mjs'), [], {
      env: {
        PATH: process.env.PATH, ...functionEnv(db, table),
        BENCH_BUNDLE: join(root, 'dist', 'postgres', 'index.mjs'), BENCH_LOGIN: BENCH_USER.email,
        BENCH_PASSWORD: BENCH_USER.password, BENCH_HASH: hash, BENCH_ITERATIONS: String(N.latency),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', resolve);
    child.once('exit', (code) => code && reject(new Error(`latency child exited with ${code}`)));
  });
  const p50 = (xs) => percentile(xs, 50);
  if (samples.overhead.length !== samples.handler.length) throw new Error('bench: the handler did not log its time accounting for every sign-in');
  return {
    handler_ms_p50: round(p50(samples.handler), 2),
    compare_ms_p50: round(p50(samples.compare), 2),
    handler_over_compare_p50: round(p50(samples.handler) / p50(samples.compare)),
    // Measured inside each invocation: its time outside the store and the verifier (≥ 0 by construction).
    overhead_ms_p50: round(p50(samples.overhead), 2),
    overhead_ms_p99: round(percentile(samples.overhead, 99), 2),
    store_ms_p50: round(p50(samples.store), 2),
    store_ms_p99: round(percentile(samples.store, 99), 2),
    wrong_password_ms_p50: round(p50(samples.wrong), 2),
    unknown_user_ms_p50: round(p50(samples.unknown), 2),
    unknown_over_wrong_p50: round(p50(samples.unknown) / p50(samples.wrong)),
    iterations: N.latency,
  };
}

/** RSS of a process in MB, from /proc (Linux). */
async function rssMb(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return null;
  }
}

async function load(db, table) {
  // Issue 8's full load run: every invocation a real sign-in through the built bundle; the mix is
  // half migrations, a quarter wrong passwords, a quarter unknown users.
  const lambda = await startLambdaServer({
    maxConcurrency: 4,
    functions: { migrate: { file: join(root, 'dist', 'postgres', 'index.mjs'), env: { ...functionEnv(db, table), POWERTOOLS_METRICS_DISABLED: 'true' } } },
  });
  const probe = new pg.Client(db.url);
  await probe.connect();
  const connections = async () => (await probe.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'cognito-migrate'")).rows[0].n;
  const before = await connections();
  let errors = 0;
  let maxConnections = 0;
  const rss = [];
  let next = 0;
  const event = (i) => JSON.stringify({
    version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName: i % 4 === 3 ? `nobody${i}@example.com` : BENCH_USER.email,
    callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password: i % 4 === 2 ? 'wrong' : BENCH_USER.password }, response: {},
  });
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < N.load) {
      const i = next++;
      const res = await fetch(`${lambda.url}/2015-03-31/functions/migrate/invocations`, { method: 'POST', body: event(i) });
      const body = await res.json();
      const refused = res.headers.get('x-amz-function-error') && body.errorMessage === 'Incorrect username or password.';
      const expectedRefusal = i % 4 >= 2;
      if (res.status !== 200 || (expectedRefusal ? !refused : Boolean(res.headers.get('x-amz-function-error')))) errors++;
      if (i % (N.load / 4) === N.load / 4 - 1) {
        maxConnections = Math.max(maxConnections, await connections());
        const pids = [...(await import('node:child_process')).execSync(`pgrep -f lambda-worker.mjs || true`).toString().trim().split('\n').filter(Boolean)];
        const sizes = (await Promise.all(pids.map(rssMb))).filter((x) => x !== null);
        rss.push(round(Math.max(0, ...sizes), 1));
      }
    }
  }));
  await lambda.close();
  await new Promise((r) => setTimeout(r, 300));
  const after = await connections();
  await probe.end();
  return { invocations: N.load, concurrency: 4, errors, pg_connections_max: maxConnections, pg_connections_before: before, pg_connections_after_close: after, worker_rss_mb_by_quarter: rss };
}

async function burst(db, table) {
  const lambda = await startLambdaServer({
    maxConcurrency: N.concurrency,
    functions: { migrate: { file: join(root, 'dist', 'postgres', 'index.mjs'), env: functionEnv(db, table) } },
  });
  const probe = new pg.Client(db.url);
  await probe.connect();
  let maxConnections = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await probe.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'cognito-migrate'");
      maxConnections = Math.max(maxConnections, rows[0].n);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const event = JSON.stringify({
    version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName: BENCH_USER.email,
    callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password: BENCH_USER.password }, response: {},
  });
  const latencies = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: N.concurrency }, async () => {
    while (next < N.burst) {
      next++;
      const t = performance.now();
      const res = await fetch(`${lambda.url}/2015-03-31/functions/migrate/invocations`, { method: 'POST', body: event });
      await res.arrayBuffer();
      if (res.status !== 200 || res.headers.get('x-amz-function-error')) errors++;
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  await probe.end();
  const coldStarts = lambda.stats.coldStarts;
  await lambda.close();
  return {
    invocations: N.burst, concurrency: N.concurrency, errors, cold_starts: coldStarts,
    p50_ms: round(percentile(latencies, 50), 1), p99_ms: round(percentile(latencies, 99), 1),
    throughput_per_s: round(N.burst / seconds, 1), pg_connections_max: maxConnections,
  };
}

const COLD_STARTS_PER_FORMAT = 3;

/** Median, lowest and highest of ratios, to two places. */
const spread = (xs) => ({ p50: round(percentile(xs, 50), 2), min: round(Math.min(...xs), 2), max: round(Math.max(...xs), 2) });

/**
 * Each format's verification time next to the work estimate a function on this machine makes for
 * it: each of three fresh processes calibrates as a cold start would, and its estimate is set
 * against the verifications of the seconds right after it, so that a shared machine's drift over
 * the run does not stand between a calibration and the time it predicts.
 */
async function formats() {
  // The verifiers as the Lambda bundle has them, built from src/ for this run.
  const outfile = await passwordsBundle();
  const { verifyPassword: verifyWith, createPasswordVerifier, calibrateWork, scaleTo, LEARNING } = await import(outfile);
  // This process's own calibration runs first, so that it never runs again over the fresh processes' scales.
  await calibrateWork();
  const estimates = createPasswordVerifier({ worker: false });
  // The common formats, then the sources people migrate from (some named by the store, as `format`).
  const files = await Promise.all(['format-costs.json', 'source-format-costs.json'].map(async (f) => JSON.parse(await readFile(join(root, 'test', 'fixtures', f), 'utf8'))));
  const out = {};
  for (const { password, hashes } of files) for (const { name, hash, format } of hashes) {
    const verifyPassword = (pw, h) => verifyWith(pw, h, format ? { format } : {});
    if (!(await verifyPassword(password, hash))) throw new Error(`bench hash for ${name} did not verify`);
    // Each cold start is paired with the verifications in the seconds right after it, as a function's
    // first sign-ins follow its calibration: this machine's speed moves by up to 2x within seconds.
    const times = [];
    const ratios = [];
    for (let round = 0; round < COLD_STARTS_PER_FORMAT; round++) {
      const [child] = await calibrationChildren(outfile, 1);
      const batch = [];
      const deadline = performance.now() + (quick ? 500 : 1700);
      for (let i = 0; i < N.compare / COLD_STARTS_PER_FORMAT && (i < 2 || performance.now() < deadline); i++) {
        const t = performance.now();
        await verifyPassword(password, hash);
        batch.push(performance.now() - t);
      }
      times.push(...batch);
      for (const [primitive, probe] of Object.entries(child.probes)) scaleTo(primitive, probe.probeMs);
      ratios.push((await estimates.cost(hash, format, Buffer.byteLength(password))).ms / percentile(batch, 50));
    }
    const verifyMs = percentile(times, 50);
    // A warm instance: calibrated as the last of those cold starts was (its scales are still set), then
    // each estimate as the registry makes it just before a verification (learned from the ones before
    // it) over what that verification took.
    const live = createPasswordVerifier();
    const warm = [];
    const warmUntil = performance.now() + (quick ? 500 : 1500);
    for (let i = 0; i < N.compare && (i < LEARNING.minObservations + 4 || performance.now() < warmUntil); i++) {
      const { ms } = await live.cost(hash, format, Buffer.byteLength(password));
      const t = performance.now();
      await live.verify(password, hash, format);
      if (i >= LEARNING.minObservations) warm.push(ms / (performance.now() - t));
    }
    out[name] = {
      verify_ms_p50: round(verifyMs, 2),
      estimate_over_measured: spread(ratios),
      warm_estimate_over_measured: { ...spread(warm), verifications: warm.length, under_1: warm.filter((x) => x < 1).length },
      samples: times.length,
    };
  }
  const under = Object.entries(out).filter(([, f]) => f.verify_ms_p50 >= 5 && f.estimate_over_measured.min < 1);
  for (const [name, f] of under) say(`\n  !!! UNDER-ESTIMATE: ${name}: estimate/measured as low as ${f.estimate_over_measured.min} (${f.verify_ms_p50} ms measured); a row like it may be admitted with too little time left\n`);
  const warmUnder = Object.entries(out).filter(([, f]) => f.verify_ms_p50 >= 5 && f.warm_estimate_over_measured.min < 1);
  for (const [name, f] of warmUnder) say(`\n  !!! WARM UNDER-ESTIMATE: ${name}: a learned estimate was as low as ${f.warm_estimate_over_measured.min} of the verification after it\n`);
  return { formats: out, cold_starts_per_format: COLD_STARTS_PER_FORMAT, under_estimates: under.map(([name]) => name), warm_under_estimates: warmUnder.map(([name]) => name) };
}

/** `count` fresh processes of a child script given the verifiers' bundle, one after another; their JSON answers. */
async function freshProcesses(script, lib, count) {
  const runs = [];
  for (let i = 0; i < count; i++) {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'lib', script)], { env: { PATH: process.env.PATH, BENCH_LIB: lib } });
    runs.push(JSON.parse(stdout));
  }
  return runs;
}

/** Cold-start calibrations, each in a fresh process as a function's first sign-ins would run it. */
const calibrationChildren = (lib, count = N.coldLoads) => freshProcesses('bench-calibration-child.mjs', lib, count);

/** The verifiers as a function bundles them, with the calibration entry, built from src/ for this run. */
async function passwordsBundle() {
  const outfile = join(root, 'dist', 'bench', 'passwords.mjs');
  await build({
    stdin: { contents: "export * from './src/passwords/registry.ts'; export * from './src/passwords/calibrate.ts'; export { LEARNING } from './src/passwords/learn.ts'; export { BASE_MS_PER_UNIT } from './src/passwords/work.ts';", resolveDir: root, loader: 'ts' },
    outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning',
  });
  return outfile;
}

/**
 * Cold-start calibration in fresh processes: each probe's time (the median over the runs, the
 * table `REFERENCE_PROBE_MS` in src/passwords/calibrate.ts holds for the reference machine), and
 * the time the whole calibration took, which issue 24 caps at 15 ms.
 */
async function calibration() {
  const runs = await calibrationChildren(await passwordsBundle());
  const probes = Object.keys(runs[0].probes);
  const p50 = (f) => round(percentile(runs.map(f), 50), 2);
  return {
    probe_ms_p50: Object.fromEntries(probes.map((p) => [p, p50((r) => r.probes[p].probeMs)])),
    // An undisturbed run: REFERENCE_PROBE_MS holds these for the reference machine.
    probe_ms_p10: Object.fromEntries(probes.map((p) => [p, round(percentile(runs.map((r) => r.probes[p].probeMs), 10), 2)])),
    scale_p50: Object.fromEntries(probes.map((p) => [p, p50((r) => r.probes[p].scale)])),
    // The probes' timed runs, every primitive; the issue's budget is 15 ms.
    probes_ms_p50: p50((r) => r.totalMs),
    probes_ms_max: round(Math.max(...runs.map((r) => r.totalMs)), 2),
    // What the slowest calibration spent where: each probe's best run and all its timed runs.
    slowest: Object.fromEntries(Object.entries(runs.reduce((a, b) => (b.totalMs > a.totalMs ? b : a)).probes).map(([p, x]) => [p, { probe_ms: round(x.probeMs, 2), spent_ms: round(x.spentMs, 2) }])),
    // With loading each primitive's code: what a fresh process's first sign-in pays (bcrypt), and all of them.
    first_signin_bcrypt_wall_ms_p50: p50((r) => r.bcryptWallMs),
    all_primitives_wall_ms_p50: p50((r) => r.wallMs),
    samples: runs.length,
    runs,
  };
}

/**
 * PBKDF2's probe reference and per-iteration constant, from pairs taken together: in each fresh
 * process the probe as a cold start runs it, then right after it 100,000 iterations of one output
 * block. `per_iteration_ms` (a quarter added) is what `BASE_MS_PER_UNIT.pbkdf2` holds; `reference_probe_ms`,
 * the median over the pairs of the probe time that would make each pair's estimate exactly a quarter
 * over its derivation, is what `REFERENCE_PROBE_MS` holds. Beside them, the spread of the estimate over
 * the derivation right after it that those two constants give, per process: the cold-start figure
 * without the seconds between a calibration and the verifications after it. And how steadily the
 * probe follows the derivation, against the same workload through the asynchronous call.
 */
async function pbkdf2Reference() {
  const lib = await passwordsBundle();
  const pairs = await freshProcesses('bench-pbkdf2-reference-child.mjs', lib, N.coldLoads);
  const { BASE_MS_PER_UNIT, REFERENCE_PROBE_MS } = await import(lib);
  const cv = (xs) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) / mean;
  };
  const out = {};
  for (const digest of Object.keys(pairs[0])) {
    // What the constants in src/ give each pair, before any are set from this run.
    const current = pairs.map((p) => (BASE_MS_PER_UNIT.pbkdf2[digest] * (p[digest].probeMs / REFERENCE_PROBE_MS[`pbkdf2-${digest}`])) / p[digest].perIterationMs);
    const perIteration = percentile(pairs.map((p) => p[digest].perIterationMs), 50) * 1.25;
    const reference = percentile(pairs.map((p) => (perIteration * p[digest].probeMs) / (1.25 * p[digest].perIterationMs)), 50);
    const ratios = pairs.map((p) => (perIteration * (p[digest].probeMs / reference)) / p[digest].perIterationMs);
    out[digest] = {
      per_iteration_ms: Number(perIteration.toPrecision(3)),
      reference_probe_ms: round(reference, 3),
      probe_ms_p50: round(percentile(pairs.map((p) => p[digest].probeMs), 50), 3),
      estimate_over_derivation: spread(ratios),
      with_the_constants_in_src: spread(current),
      // How steadily each probe follows the derivation after it: the coefficient of variation of probe / derivation.
      probe_over_derivation_cv: { sync: round(cv(pairs.map((p) => p[digest].probeMs / p[digest].perIterationMs)), 3), async: round(cv(pairs.map((p) => p[digest].asyncProbeMs / p[digest].perIterationMs)), 3) },
    };
  }
  return { digests: out, processes: pairs.length };
}

// The costly rows of the sign-in hardening issue, each refused before any work is done.
const COSTLY_ROWS = {
  'costly-argon2': '$argon2id$v=19$m=262144,t=64,p=16$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
  'costly-argon2-purejs': '$argon2id$m=65536,t=16,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
  'costly-shacrypt': `$6$rounds=1000000$saltsalt$${'a'.repeat(86)}`,
  'costly-phpass': `$P$S12345678${'a'.repeat(22)}`,
};

function child(script, env) {
  return new Promise((resolve, reject) => {
    const c = fork(join(root, 'scripts', 'lib', script), [], { env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    c.once('message', resolve);
    c.once('exit', (code) => code && reject(new Error(`${script} exited with ${code}`)));
  });
}

const LOOKUP_MODES = {
  username: { matchEmail: false, caseInsensitive: false, login: (i) => `User${i}` },
  email: { matchEmail: true, caseInsensitive: false, login: (i) => `user${i}@example.com` },
  'username, case-insensitive': { matchEmail: false, caseInsensitive: true, login: (i) => `USER${i}` },
  'email, case-insensitive': { matchEmail: true, caseInsensitive: true, login: (i) => `USER${i}@EXAMPLE.COM` },
};

/**
 * `store.findUser` in each lookup mode on tables of growing size, first with no index but the primary key
 * (the state legacy tables are usually in), then after `cognito-migrate db index --apply`, with the plans.
 * `--scale 10m` adds a 10,000,000-row table (a longer run: about 10 minutes more).
 */
async function lookups(db) {
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000, ...(process.argv.includes('--scale') && process.argv.includes('10m') ? [10_000_000] : [])];
  const { createPostgresStore } = await import(join(root, 'dist', 'lib', 'adapters', 'postgres', 'index.js'));
  const { explain } = await import(join(root, 'dist', 'lib', 'adapters', 'postgres', 'explain.js'));
  const client = new pg.Client(db.url);
  client.on('error', () => {});
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS cognito_migrate_bench_scale CASCADE');
  await client.query('CREATE SCHEMA cognito_migrate_bench_scale');
  const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 5000, remainingMs: () => 5000 });
  const out = {};
  const tableOf = (size) => `cognito_migrate_bench_scale.users_${size}`;
  // Without indexes a lookup on a large table can outlast the store's default 1 s query timeout (a sign-in
  // would fail); measured here with up to 4.8 s, and recorded as a timeout beyond that.
  const lookup = async (store, mode, size) => {
    const t = performance.now();
    try {
      const found = await store.findUser({ matchEmail: mode.matchEmail, caseInsensitive: mode.caseInsensitive, login: mode.login(1 + Math.floor(Math.random() * size)) }, ctx());
      if (!found) throw new Error('bench: a lookup found nobody');
    } catch (err) {
      if (err?.code === 'DEADLINE_EXCEEDED') return Infinity;
      throw err;
    }
    return performance.now() - t;
  };
  const planOf = async (store, mode) => {
    const nodes = [];
    const walk = (n) => { nodes.push(n['Index Name'] ? `${n['Node Type']} using ${n['Index Name']}` : n['Node Type']); (n.Plans ?? []).forEach(walk); };
    walk(await explain((text, values) => client.query(text, values), store.sqlFor(mode), mode.login(1)));
    return nodes.join(' > ');
  };
  for (const size of sizes) {
    say(`  ${size.toLocaleString('en')} rows…`);
    await client.query(`CREATE TABLE ${tableOf(size)} (id bigserial PRIMARY KEY, username text NOT NULL, email text, password_hash text, enabled boolean DEFAULT true)`);
    await client.query(`INSERT INTO ${tableOf(size)} (username, email, password_hash) SELECT 'User' || i, 'user' || i || '@example.com', '$2b$10$x' FROM generate_series(1, ${size}) AS i`);
    await client.query(`ANALYZE ${tableOf(size)}`);
    // Without indexes each lookup scans the table: 15 samples tell the story.
    out[size] = { without_indexes: {}, with_indexes: {} };
    for (const [name, mode] of Object.entries(LOOKUP_MODES)) {
      const store = createPostgresStore({ connectionString: db.url, table: tableOf(size), queryTimeoutMs: 4800 });
      await lookup(store, mode, size);
      const times = [];
      for (let i = 0; i < (size > 1_000_000 ? 5 : 15); i++) times.push(await lookup(store, mode, size));
      const median = percentile(times, 50);
      out[size].without_indexes[name] = { ms_median: Number.isFinite(median) ? round(median, 2) : 'over 4,800 (timeout)', plan: await planOf(store, mode) };
      await store.close();
    }
    for (const args of [['--match-email'], ['--match-email', '--case-insensitive']]) {
      await run(process.execPath, [join(root, 'dist', 'cli.mjs'), 'db', 'index', '--table', tableOf(size), ...args, '--apply', '--json'], { env: { PATH: process.env.PATH, DATABASE_URL: db.url } });
    }
  }
  // With the indexes, lookups take a fraction of a millisecond: many samples, interleaved round by round
  // across sizes and modes, so drift on the shared machine hits every series alike.
  const stores = {};
  const times = {};
  for (const size of sizes) for (const [name, mode] of Object.entries(LOOKUP_MODES)) {
    const store = createPostgresStore({ connectionString: db.url, table: tableOf(size), queryTimeoutMs: 4800 });
    await lookup(store, mode, size);
    stores[`${size} ${name}`] = store;
    times[`${size} ${name}`] = [];
  }
  for (let round = 0; round < (quick ? 31 : 101); round++) {
    for (const size of sizes) for (const [name, mode] of Object.entries(LOOKUP_MODES)) times[`${size} ${name}`].push(await lookup(stores[`${size} ${name}`], mode, size));
  }
  for (const size of sizes) for (const [name, mode] of Object.entries(LOOKUP_MODES)) {
    const store = stores[`${size} ${name}`];
    out[size].with_indexes[name] = { ms_median: round(percentile(times[`${size} ${name}`], 50), 3), plan: await planOf(store, mode) };
    await store.close();
  }
  await client.query('DROP SCHEMA cognito_migrate_bench_scale CASCADE');
  await client.end();
  const small = out[sizes[0]].with_indexes;
  const large = out[sizes.at(-1)].with_indexes;
  const ratios = Object.fromEntries(Object.keys(LOOKUP_MODES).map((m) => [m, round(large[m].ms_median / small[m].ms_median, 2)]));
  return { sizes, by_size: out, largest_over_smallest_with_indexes: ratios };
}

/**
 * The native bcrypt to compare against, installed on demand into a folder of the bench's own: npm 11 cannot
 * write a lock file that `npm ci` accepts for @node-rs/bcrypt's per-platform packages, so it is no dependency.
 */
async function nativeBcrypt() {
  const dir = join(root, 'dist', 'bench', 'native');
  const entry = join(dir, 'node_modules', '@node-rs', 'bcrypt', 'index.js');
  try {
    await stat(entry);
  } catch {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"private":true}\n');
    await run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '@node-rs/bcrypt@1.10.9'], { cwd: dir });
  }
  const { createRequire } = await import('node:module');
  return createRequire(entry)(entry);
}

/**
 * bcrypt engines side by side at cost 10, interleaved: bcryptjs (pure JS), hash-wasm (WebAssembly, what the
 * verifier uses) and @node-rs/bcrypt (native, installed by the bench only to compare against).
 */
async function bcryptEngines() {
  const { default: bcryptjs } = await import('bcryptjs');
  const { bcryptVerify } = await import('hash-wasm');
  const native = await nativeBcrypt();
  const password = BENCH_USER.password;
  const hash = await bcryptjs.hash(password, 10);
  const engines = {
    bcryptjs: () => bcryptjs.compare(password, hash),
    'hash-wasm': () => bcryptVerify({ password: Buffer.from(password).subarray(0, 72), hash }),
    'native (@node-rs/bcrypt)': () => native.verify(password, hash),
  };
  const times = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
  for (const fn of Object.values(engines)) if (!(await fn())) throw new Error('bcrypt engine did not verify');
  for (let i = 0; i < (quick ? 10 : 40); i++) {
    for (const [name, fn] of Object.entries(engines)) {
      const t = performance.now();
      await fn();
      times[name].push(performance.now() - t);
    }
  }
  const p50 = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(percentile(v, 50), 2)]));
  return { cost: 10, ms_p50: p50, used: 'hash-wasm', used_over_native: round(p50['hash-wasm'] / p50['native (@node-rs/bcrypt)']), samples: times.bcryptjs.length };
}

/** Refusal timing and isolation (issue 12), and what the verification worker costs at cold start. */
async function hardening(db) {
  const legacyCost = 12;
  const table = await seedLegacyUsers(db.url, { schema: 'cognito_migrate_bench_hardening', users: [BENCH_USER], cost: legacyCost });
  const client = new pg.Client(db.url);
  await client.connect();
  for (const [username, hash] of Object.entries(COSTLY_ROWS)) await client.query(`INSERT INTO ${table} (username, email, password_hash) VALUES ($1, $1 || '@example.com', $2)`, [username, hash]);
  await client.end();
  // What the self-check advises for cost-12 legacy hashes: a cost-12 bcrypt hash of a random password.
  const advised = await bcrypt.hash(`bench-${Math.random()}`, legacyCost);
  const bundle = join(root, 'dist', 'postgres', 'index.mjs');
  const iterations = quick ? 10 : 30;
  // As the template deploys it (1,024 MB): the work budget divides each estimate by that CPU share.
  const env = { ...functionEnv(db, table), AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', BENCH_BUNDLE: bundle, BENCH_LOGIN: BENCH_USER.email, BENCH_ITERATIONS: String(iterations) };
  const p50 = (xs) => percentile(xs, 50);
  const timing = (s) => ({
    before_any_real_hash: round(p50(s.before) / p50(s.warmWrong)),
    warm: round(p50(s.warmUnknown) / p50(s.warmWrong)),
    after_costly_rows: round(p50(s.afterUnknown) / p50(s.afterWrong)),
    wrong_password_ms_p50: round(p50(s.warmWrong), 1),
    unknown_ms_p50: { before: round(p50(s.before), 1), warm: round(p50(s.warmUnknown), 1), after: round(p50(s.afterUnknown), 1) },
    costly_row_answer_ms: s.costly.map((x) => round(x, 1)),
  });
  const advisedRun = timing(await child('bench-hardening-child.mjs', { ...env, TIMING_HASH: advised }));
  const defaultRun = timing(await child('bench-hardening-child.mjs', env));

  const lib = join(root, 'dist', 'bench', 'lib.mjs');
  await build({
    stdin: { contents: "export * from './src/index.ts'; export { createMemoryStore } from './adapters/memory/index.ts';", resolveDir: root, loader: 'ts' },
    outfile: lib, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning',
  });
  const iso = await child('bench-isolation-child.mjs', { BENCH_LIB: lib, BENCH_NORMAL_HASH: await bcrypt.hash('x', 10), BENCH_ITERATIONS: String(quick ? 3 : 7) });

  // Cold start: the worker's own start-up, and a fresh instance's first sign-in with and without it, interleaved.
  const starts = [];
  const first = { worker: [], inline: [] };
  const firstSignIn = `const t = performance.now(); const { handler } = await import(${JSON.stringify(bundle)});
    await handler({ version: '1', triggerSource: 'UserMigration_Authentication', region: 'local', userPoolId: 'local_bench', userName: 'nobody@example.com',
      callerContext: { awsSdkVersion: 'bench', clientId: 'bench' }, request: { password: 'x' }, response: {} }, { getRemainingTimeInMillis: () => 5000 }).catch(() => {});
    process.stdout.write(String(performance.now() - t)); process.exit(0);`;
  for (let i = 0; i < N.coldLoads; i++) {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'lib', 'bench-worker-start.mjs'), join(root, 'dist', 'postgres', 'verify-worker.mjs')]);
    starts.push(JSON.parse(stdout));
    for (const [name, flag] of [['worker', 'true'], ['inline', 'false']]) {
      const out = await run(process.execPath, ['--input-type=module', '-e', firstSignIn], {
        env: { PATH: process.env.PATH, ...functionEnv(db, table), VERIFY_WORKER: flag, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
      });
      first[name].push(Number(out.stdout));
    }
  }
  return {
    legacy_cost: legacyCost,
    unknown_over_wrong_advised_timing_hash: advisedRun,
    unknown_over_wrong_default_timing_hash: defaultRun,
    isolation: {
      normal_alone_ms_p50: round(p50(iso.alone), 1),
      normal_during_costly_ms_p50: round(p50(iso.concurrent), 1),
      costly_stopped_at_ms: iso.costly.map((x) => round(x, 1)),
      deadline_ms: 1500,
    },
    cold_start: {
      worker_online_ms_p50: round(p50(starts.map((s) => s.online)), 1),
      worker_first_answer_ms_p50: round(p50(starts.map((s) => s.firstAnswer)), 1),
      worker_warm_answer_ms_p50: round(p50(starts.map((s) => s.warmAnswer)), 2),
      first_signin_ms_p50_with_worker: round(p50(first.worker), 1),
      first_signin_ms_p50_without_worker: round(p50(first.inline), 1),
      samples: N.coldLoads,
    },
  };
}

// With the published hash column: the bench exports what the hybrid plan writes.
const CSV_HEADER = ['name', 'given_name', 'family_name', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'updated_at', 'custom:legacy_id', 'cognito:mfa_enabled', 'cognito:username', 'password_hash'];

async function csvExport(db) {
  const users = N.exportUsers;
  const client = new pg.Client(db.url);
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS cognito_migrate_bench_csv CASCADE');
  await client.query('CREATE SCHEMA cognito_migrate_bench_csv');
  await client.query(`CREATE TABLE cognito_migrate_bench_csv.users AS
    SELECT i AS id, 'user' || i AS username, 'user' || i || '@example.com' AS email, true AS email_verified,
      'Given' || i AS given_name, CASE WHEN i % 10 = 0 THEN 'Smith, Jr.' ELSE 'Family' || i END AS family_name,
      '+1206555' || lpad((i % 10000)::text, 4, '0') AS phone_number, (i % 3 = 0) AS phone_verified,
      now() AS updated_at, (i % 1000 <> 0) AS enabled,
      '$2b$10$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16'::text AS password_hash
    FROM generate_series(1, ${users}) AS i`);
  await client.query('ALTER TABLE cognito_migrate_bench_csv.users ADD PRIMARY KEY (id)');
  // A legacy table has long been vacuumed; a fresh one makes its first reader (the export, timed first) set every row's hint bits for psql.
  await client.query('VACUUM ANALYZE cognito_migrate_bench_csv.users');
  await client.end();
  const dir = join(root, 'dist', 'bench', 'csv');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'header.json'), JSON.stringify({ CSVHeader: CSV_HEADER }));
  const map = { given_name: 'given_name', family_name: 'family_name', email: 'email', email_verified: 'email_verified', phone_number: 'phone_number', phone_number_verified: 'phone_verified', updated_at: 'updated_at', 'custom:legacy_id': 'id' };
  const exportOnce = async () => {
    await rm(join(dir, 'out'), { recursive: true, force: true });
    const t0 = performance.now();
    const child = await new Promise((resolve, reject) => {
      let stderr = '';
      let stdout = '';
      const p = fork(join(root, 'scripts', 'lib', 'bench-cli-child.mjs'), [join(root, 'dist', 'cli.mjs'), 'csv', 'export', '--out', join(dir, 'out'), '--header', join(dir, 'header.json'),
        '--database-url', db.url, '--table', 'cognito_migrate_bench_csv.users', '--attribute-map', JSON.stringify(map)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('exit', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`export exited ${code}: ${stderr.slice(-500)}`))));
    });
    return { seconds: (performance.now() - t0) / 1000, peak: JSON.parse(child.stderr.trim().split('\n').pop()).maxRssMb };
  };
  // psql \copy of the same rows, as the floor: the database and the disk, nothing else.
  const psqlOnce = async () => {
    const t1 = performance.now();
    await run('psql', [db.url, '-q', '-c', `\\copy (SELECT * FROM cognito_migrate_bench_csv.users ORDER BY id) TO '${join(dir, 'psql.csv')}' WITH CSV HEADER`]);
    return (performance.now() - t1) / 1000;
  };
  let psqlMissing = false;
  try {
    await run('psql', ['--version']);
  } catch (err) {
    psqlMissing = true;
    say(`psql is not available here (${err.code ?? err.message}); csv_export.psql_copy_seconds is null`);
  }
  // Pairs, each export timed right before its psql \copy: the shared machine drifts over seconds, and each pair's ratio sees the same drift.
  const pairs = [];
  for (let i = 0; i < N.exportPairs; i++) {
    const e = await exportOnce();
    pairs.push({ ...e, psql: psqlMissing ? null : await psqlOnce() });
  }
  const manifest = JSON.parse(await readFile(join(dir, 'out', 'manifest.json'), 'utf8'));
  const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
  const seconds = median(pairs.map((p) => p.seconds));
  const psqlSeconds = psqlMissing ? null : median(pairs.map((p) => p.psql));
  const ratios = psqlMissing ? [] : pairs.map((p) => p.seconds / p.psql);
  // The floor for any JavaScript export: the same COPY read in Node, each row split and re-joined with commas and written, nothing checked.
  const { to: copyTo } = await import('pg-copy-streams');
  const floorClient = new pg.Client(db.url);
  await floorClient.connect();
  const t2 = performance.now();
  const floorOut = (await import('node:fs')).createWriteStream(join(dir, 'floor.csv'));
  let carry = '';
  for await (const chunk of floorClient.query(copyTo('COPY (SELECT * FROM cognito_migrate_bench_csv.users ORDER BY id) TO STDOUT'))) {
    const text = carry + chunk.toString('utf8');
    const end = text.lastIndexOf('\n');
    carry = text.slice(end + 1);
    const block = text.slice(0, end).split('\n').map((line) => line.split('\t').join(',')).join('\n');
    if (!floorOut.write(`${block}\n`)) await new Promise((r) => floorOut.once('drain', r));
  }
  await new Promise((r) => floorOut.end(r));
  const floorSeconds = (performance.now() - t2) / 1000;
  await floorClient.end();
  await build({ entryPoints: [join(root, 'src', 'csv', 'lint.ts')], outfile: join(root, 'dist', 'bench', 'csv-lint.mjs'), bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
  const { lintCsvFile } = await import(join(root, 'dist', 'bench', 'csv-lint.mjs'));
  let lintProblems = 0;
  for (const f of manifest.files) lintProblems += (await lintCsvFile(join(dir, 'out', f.file), { header: CSV_HEADER, ...(f.passwordHashingAlgorithm ? { passwordHashAlgorithm: f.passwordHashingAlgorithm } : {}) })).problems.length;
  return {
    users, seconds: round(seconds, 2), psql_copy_seconds: psqlSeconds === null ? null : round(psqlSeconds, 2),
    ratio: psqlMissing ? null : round(median(ratios), 2),
    pairs: pairs.map((p) => ({ export_seconds: round(p.seconds, 2), psql_copy_seconds: p.psql === null ? null : round(p.psql, 2), ratio: p.psql === null ? null : round(p.seconds / p.psql, 2) })),
    peak_rss_mb: round(Math.max(...pairs.map((p) => p.peak)), 1),
    node_copy_floor_seconds: round(floorSeconds, 2),
    exported: manifest.exported, left_out: manifest.leftOut, files: manifest.files.length, lint_problems: lintProblems,
  };
}

/**
 * `status` from the ledger over a legacy table of N.ledgerRows rows (10
 * million): a third linked to a Cognito sub, one in a thousand disabled, each
 * with a bcrypt hash. The figures come from the table alone (no pool is
 * listed: the Cognito endpoint points where nothing listens). Each run is the
 * built CLI in a child process, timed from fork to exit, with its peak RSS.
 */
/** Runs the built CLI with `args` in a child process (scripts/lib/bench-cli-child.mjs): its output and its peak RSS; a non-zero exit rejects. */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let stdout = '';
    const p = fork(join(root, 'scripts', 'lib', 'bench-cli-child.mjs'), [join(root, 'dist', 'cli.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...env } });
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => (code === 0
      ? resolve({ stdout, stderr, peakRssMb: JSON.parse(stderr.trim().split('\n').pop()).maxRssMb })
      : reject(new Error(`${args[0]} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

async function statusLedger(db) {
  const rows = N.ledgerRows;
  const client = new pg.Client(db.url);
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS cognito_migrate_bench_ledger CASCADE');
  await client.query('CREATE SCHEMA cognito_migrate_bench_ledger');
  const t0 = performance.now();
  await client.query(`CREATE TABLE cognito_migrate_bench_ledger.users AS
    SELECT i AS id, 'user' || i AS username, 'user' || i || '@example.com' AS email, true AS email_verified, (i % 1000 <> 0) AS enabled,
      '$2b$10$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16'::text AS password_hash,
      CASE WHEN i % 3 = 0 THEN md5(i::text)::uuid::text END AS cognito_sub
    FROM generate_series(1, ${rows}) AS i`);
  await client.query('VACUUM ANALYZE cognito_migrate_bench_ledger.users');
  const { rows: [size] } = await client.query("SELECT pg_size_pretty(pg_total_relation_size('cognito_migrate_bench_ledger.users')) AS size");
  await client.end();
  say(`status ledger: ${rows.toLocaleString('en')} rows (${size.size}) made in ${round((performance.now() - t0) / 1000, 1)} s`);
  const once = async () => {
    const started = performance.now();
    const child = await runCli(['status', '--user-pool-id', 'eu-west-1_Bench', '--region', 'eu-west-1', '--no-metrics', '--json'], {
      DATABASE_URL: db.url, PG_TABLE: 'cognito_migrate_bench_ledger.users', PG_COGNITO_SUB_COLUMN: 'cognito_sub', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench',
    });
    return { seconds: (performance.now() - started) / 1000, peak: child.peakRssMb, figures: JSON.parse(child.stdout) };
  };
  const runs = [];
  for (let i = 0; i < N.ledgerRuns; i++) runs.push(await once());
  const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
  const { legacy, remaining, bulk } = runs[0].figures;
  return {
    rows, table_size: size.size, seconds: round(median(runs.map((r) => r.seconds)), 1), runs_seconds: runs.map((r) => round(r.seconds, 1)),
    peak_rss_mb: round(Math.max(...runs.map((r) => r.peak)), 1), legacy, remaining, bulk,
  };
}

/**
 * The identity lookup (issue 33): `findByIdentity` of random staged identities on a table of 1,000,000 rows
 * (`--scale 10m`: 10,000,000), each row with one identity in a jsonb column, first with no index (median of 15),
 * then after the GIN index `db index` creates (median of 101), through the built PostgreSQL store.
 */
async function identityLookups(db) {
  const { createPostgresStore } = await import(join(root, 'dist', 'lib', 'adapters', 'postgres', 'index.js'));
  const rows = process.argv.includes('--scale') && process.argv.includes('10m') ? 10_000_000 : quick ? 100_000 : 1_000_000;
  const client = new pg.Client(db.url);
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS cognito_migrate_bench_identity CASCADE');
  await client.query('CREATE SCHEMA cognito_migrate_bench_identity');
  const t0 = performance.now();
  await client.query(`CREATE TABLE cognito_migrate_bench_identity.users AS
    SELECT i::bigint AS id, 'user' || i AS username, 'user' || i || '@example.com' AS email, NULL::text AS password_hash,
      jsonb_build_array(jsonb_build_object('provider', CASE WHEN i % 3 = 0 THEN 'Google' WHEN i % 3 = 1 THEN 'SignInWithApple' ELSE 'AcmeSAML' END, 'sub', md5(i::text))) AS identities
    FROM generate_series(1, ${rows}) AS i`);
  await client.query('ALTER TABLE cognito_migrate_bench_identity.users ADD PRIMARY KEY (id)');
  await client.query('VACUUM ANALYZE cognito_migrate_bench_identity.users');
  say(`identities: ${rows.toLocaleString('en')} rows made in ${round((performance.now() - t0) / 1000, 1)} s`);
  const store = createPostgresStore({ connectionString: db.url, table: 'cognito_migrate_bench_identity.users', columns: { identities: 'identities' }, queryTimeoutMs: 4800 });
  const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 4800, remainingMs: () => 4800 });
  const lookups = async (n) => {
    const times = [];
    for (let k = 0; k < n; k++) {
      const i = 1 + Math.floor(Math.random() * rows);
      const provider = i % 3 === 0 ? 'Google' : i % 3 === 1 ? 'SignInWithApple' : 'AcmeSAML';
      const sub = (await client.query('SELECT md5($1::text) AS s', [String(i)])).rows[0].s;
      const t = performance.now();
      const user = await store.findByIdentity({ provider, sub }, ctx());
      times.push(performance.now() - t);
      if (user?.id !== String(i)) throw new Error(`identity lookup found ${user?.id} for row ${i}`);
    }
    return round(percentile(times, 50), 3);
  };
  try {
    const without = await lookups(15);
    const t1 = performance.now();
    await client.query('CREATE INDEX users_identities_cm ON cognito_migrate_bench_identity.users USING gin ((CAST(identities AS jsonb)) jsonb_path_ops)');
    await client.query('ANALYZE cognito_migrate_bench_identity.users');
    const indexSeconds = round((performance.now() - t1) / 1000, 1);
    const { rows: [size] } = await client.query("SELECT pg_size_pretty(pg_relation_size('cognito_migrate_bench_identity.users_identities_cm')) AS size");
    const withIndex = await lookups(101);
    return { rows, ms_median_without_index: without, ms_median_with_index: withIndex, index_build_seconds: indexSeconds, index_size: size.size };
  } finally {
    await store.close();
    await client.query('DROP SCHEMA cognito_migrate_bench_identity CASCADE');
    await client.end();
  }
}

/**
 * The identity lookup on MariaDB (issue 33): the same lookups over a table of 1,000,000 rows (`--scale 10m`:
 * 10,000,000) with one identity each in a TEXT column, first by JSON_CONTAINS (median of 15), then joined to the side
 * table `db index` makes (its triggers and backfill, from the built adapter; median of 101), through the built
 * MySQL store.
 */
async function identityLookupsMariadb() {
  const { startMariadb } = await import('./lib/mariadb.mjs');
  const { createMysqlStore } = await import(join(root, 'dist', 'lib', 'adapters', 'mysql', 'index.js'));
  const { identitySideTableSql } = await import(join(root, 'dist', 'lib', 'adapters', 'mysql', 'sql.js'));
  const mysql = (await import('mysql2/promise')).default;
  const rows = process.argv.includes('--scale') && process.argv.includes('10m') ? 10_000_000 : quick ? 100_000 : 1_000_000;
  const server = await startMariadb({ own: true });
  const conn = await mysql.createConnection({ uri: server.url, multipleStatements: false });
  const provider = (i) => (i % 3 === 0 ? 'Google' : i % 3 === 1 ? 'SignInWithApple' : 'AcmeSAML');
  let store;
  try {
    await conn.query('CREATE DATABASE IF NOT EXISTS cm_bench');
    await conn.query('USE cm_bench');
    await conn.query('DROP TABLE IF EXISTS users, users_cm_identities');
    await conn.query('CREATE TABLE users (id BIGINT PRIMARY KEY, username VARCHAR(191) NOT NULL, email VARCHAR(191), password_hash VARCHAR(100), identities TEXT NULL) COLLATE utf8mb4_general_ci');
    const t0 = performance.now();
    for (let from = 1; from <= rows; from += 1_000_000) {
      const to = Math.min(rows, from + 999_999);
      await conn.query(`INSERT INTO users SELECT seq, CONCAT('user', seq), CONCAT('user', seq, '@example.com'), NULL, CONCAT('[{"provider":"', ELT(1 + seq % 3, 'Google', 'SignInWithApple', 'AcmeSAML'), '","sub":"', MD5(seq), '"}]') FROM seq_${from}_to_${to}`);
    }
    say(`identities (MariaDB): ${rows.toLocaleString('en')} rows made in ${round((performance.now() - t0) / 1000, 1)} s`);
    const url = new URL(server.url);
    url.pathname = '/cm_bench';
    const lookups = async (n) => {
      const times = [];
      for (let k = 0; k < n; k++) {
        const i = 1 + Math.floor(Math.random() * rows);
        const [[{ s: sub }]] = await conn.query('SELECT MD5(?) AS s', [String(i)]);
        const ctx = { signal: new AbortController().signal, deadline: Date.now() + 4800, remainingMs: () => 4800 };
        const t = performance.now();
        const user = await store.findByIdentity({ provider: provider(i), sub }, ctx);
        times.push(performance.now() - t);
        if (user?.id !== String(i)) throw new Error(`identity lookup found ${user?.id} for row ${i}`);
      }
      return round(percentile(times, 50), 3);
    };
    store = createMysqlStore({ connectionString: url.toString(), table: 'users', columns: { identities: 'identities' }, queryTimeoutMs: 4800 });
    // At 10M a JSON_CONTAINS scan outlasts the store's 4.8 s limit (1.6 s at 1M): not measured there.
    const without = rows > 1_000_000 ? null : await lookups(15);
    await store.close();
    const t1 = performance.now();
    const side = identitySideTableSql('`users`', 'users', 'users_cm_identities', { id: 'id', identities: 'identities' }, 'bigint(20)');
    for (const statement of [...side.create, side.backfill]) await conn.query(statement);
    await conn.query('ANALYZE TABLE users_cm_identities');
    const indexSeconds = round((performance.now() - t1) / 1000, 1);
    const [[size]] = await conn.query("SELECT ROUND((DATA_LENGTH + INDEX_LENGTH) / 1048576) AS mb FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'cm_bench' AND TABLE_NAME = 'users_cm_identities'");
    store = createMysqlStore({ connectionString: url.toString(), table: 'users', columns: { identities: 'identities', identitiesTable: 'users_cm_identities' }, queryTimeoutMs: 4800 });
    const withIndex = await lookups(101);
    return { rows, ms_median_without_index: without, ms_median_with_side_table: withIndex, side_table_build_seconds: indexSeconds, side_table_mb: Number(size.mb) };
  } finally {
    await store?.close();
    await conn.end();
    await server.stop();
  }
}

/**
 * Cold start and first sign-in, per store bundle (issue 35): for postgres, mysql, http and cognito, the bytes a cold
 * start loads (the entry and its static chunks, from esbuild's metafile), and in fresh processes (5 each) the load
 * time against a floor bundle of the libraries that store needs at all, and the first sign-in against the warm ones
 * after it (the same password, so the same hash: the difference is what the first one pays beyond it). Each as on
 * Lambda; PostgreSQL and MySQL also as scripts run them (connection and driver on first use).
 */
async function coldBench(db) {
  const { coldStartBytes } = await import('./lib/bundle-size.mjs');
  const { startMariadb } = await import('./lib/mariadb.mjs');
  const { startCognitoLocal } = await import('./lib/cognito-local.mjs');
  const { createServer } = await import('node:http');
  const runs = quick ? 2 : 5;
  const hash = bcrypt.hashSync(BENCH_USER.password, 10);
  const floors = {
    postgres: "import pg from 'pg'; import bcrypt from 'bcryptjs'; export const handler = async () => [pg.Client, bcrypt.compare];",
    mysql: "import mysql from 'mysql2/promise'; import bcrypt from 'bcryptjs'; export const handler = async () => [mysql.createConnection, bcrypt.compare];",
    http: 'export const handler = async () => fetch;',
    cognito: "import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider'; export const handler = async () => CognitoIdentityProviderClient;",
  };
  const floorFile = async (store) => {
    const outfile = join(root, 'dist', 'floor', `${store}.mjs`);
    await build({
      stdin: { contents: floors[store], resolveDir: root, loader: 'js' }, outfile, bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true,
      legalComments: 'none', external: ['pg-native', ...(store === 'cognito' ? ['@aws-sdk/*'] : [])], logLevel: 'warning',
      banner: { js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);" },
    });
    return outfile;
  };
  const floorLoad = async (file) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`], { env: { PATH: process.env.PATH } });
      times.push(Number(stdout));
    }
    return percentile(times, 50);
  };
  const instance = (bundle, env) => new Promise((resolve, reject) => {
    const child = fork(join(root, 'scripts', 'lib', 'bench-cold-child.mjs'), [], {
      env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', ...env, BENCH_BUNDLE: bundle, BENCH_LOGIN: BENCH_USER.email, BENCH_PASSWORD: BENCH_USER.password },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', resolve);
    child.once('exit', (code) => code && reject(new Error(`cold child exited with ${code}`)));
  });
  // As on Lambda (AWS_LAMBDA_FUNCTION_NAME set: the SQL entries connect, and MySQL's loads its driver, during init), or
  // with `off` as a script or a test runs the bundle.
  const measure = async (store, env, off = false) => {
    const bundle = join(root, 'dist', store, 'index.mjs');
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await instance(bundle, off ? env : { ...env, AWS_LAMBDA_FUNCTION_NAME: 'bench' }));
    const floor = await floorLoad(await floorFile(store));
    const meta = JSON.parse(await readFile(join(root, 'dist', store, 'meta.json'), 'utf8'));
    const warm = samples.map((x) => percentile(x.warm, 50));
    return {
      cold_start_kib: round(coldStartBytes(meta, bundle) / 1024, 1),
      load_ms_median: round(percentile(samples.map((x) => x.load), 50), 1), floor_load_ms_median: round(floor, 1),
      first_sign_in_ms_median: round(percentile(samples.map((x) => x.first), 50), 1), warm_sign_in_ms_median: round(percentile(warm, 50), 1),
      first_extra_ms_median: round(percentile(samples.map((x, i) => x.first - warm[i]), 50), 1),
    };
  };
  const out = {};
  const table = await seedLegacyUsers(db.url, { schema: 'cognito_migrate_bench_cold', users: [BENCH_USER], cost: 10 });
  out.postgres = await measure('postgres', functionEnv(db, table));
  out.postgres_off_lambda = await measure('postgres', functionEnv(db, table), true);

  const maria = await startMariadb({ own: true });
  try {
    const mysql = (await import('mysql2/promise')).default;
    const conn = await mysql.createConnection({ uri: maria.url });
    await conn.query('CREATE DATABASE IF NOT EXISTS cm_cold');
    await conn.query('CREATE TABLE IF NOT EXISTS cm_cold.users (id BIGINT PRIMARY KEY, username VARCHAR(191), email VARCHAR(191), email_verified BOOLEAN, password_hash VARCHAR(100), enabled BOOLEAN)');
    await conn.query('REPLACE INTO cm_cold.users VALUES (1, ?, ?, true, ?, true)', [BENCH_USER.username, BENCH_USER.email, hash]);
    await conn.end();
    const url = new URL(maria.url);
    url.pathname = '/cm_cold';
    const env = { DATABASE_URL: url.toString(), MYSQL_TABLE: 'users', MATCH_EMAIL: 'true', ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified' }) };
    out.mysql = await measure('mysql', env);
    out.mysql_off_lambda = await measure('mysql', env, true);
  } finally {
    await maria.stop();
  }

  const api = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const ok = req.url === '/auth/verify' && body.username === BENCH_USER.email && await bcrypt.compare(String(body.password), hash);
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { id: '1', email: BENCH_USER.email, email_verified: true, enabled: true } : { error: 'no' }));
  });
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  try {
    out.http = await measure('http', { HTTP_BASE_URL: `http://127.0.0.1:${api.address().port}`, MATCH_EMAIL: 'true', ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified' }) });
    out.http_first_request = await firstRequests(`http://127.0.0.1:${api.address().port}`, runs);
  } finally {
    api.close();
  }

  const old = await startCognitoLocal({ lambdaEndpoint: 'http://127.0.0.1:1', userPoolDefaults: { UsernameAttributes: [] } });
  try {
    const idpModule = await import('@aws-sdk/client-cognito-identity-provider');
    const idp = new idpModule.CognitoIdentityProviderClient({ endpoint: old.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const pool = await idp.send(new idpModule.CreateUserPoolCommand({ PoolName: 'old' }));
    const userPoolId = pool.UserPool.Id;
    const app = await idp.send(new idpModule.CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'migration', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] }));
    await idp.send(new idpModule.AdminCreateUserCommand({ UserPoolId: userPoolId, Username: BENCH_USER.email, MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp-1234!', UserAttributes: [{ Name: 'email', Value: BENCH_USER.email }, { Name: 'email_verified', Value: 'true' }] }));
    await idp.send(new idpModule.AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: BENCH_USER.email, Password: BENCH_USER.password, Permanent: true }));
    idp.destroy();
    out.cognito = await measure('cognito', {
      OLD_USER_POOL_ID: userPoolId, OLD_CLIENT_ID: app.UserPoolClient.ClientId, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: old.endpoint,
      AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified' }),
    });
  } finally {
    await old.stop();
  }
  out.mysql_drivers = await driverImports(floorLoad);
  return { runs, ...out };
}

/**
 * The HTTP store's start step, side by side: in fresh processes, the first JSON POST to the local API (and the one
 * after it) with no start step, after a `data:` URL fetch (loads fetch, opens nothing) and after a `HEAD` to the API
 * (what `warm()` sends: fetch loaded, the HTTP parser compiled, a connection open). Medians of `runs`, interleaved.
 */
async function firstRequests(url, runs) {
  const child = (warm) => new Promise((resolve, reject) => {
    const c = fork(join(root, 'scripts', 'lib', 'bench-fetch-child.mjs'), [], { env: { PATH: process.env.PATH, BENCH_URL: url, BENCH_WARM: warm }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    c.once('message', resolve);
    c.once('exit', (code) => code && reject(new Error(`fetch child exited with ${code}`)));
  });
  const modes = ['none', 'data', 'head'];
  const samples = Object.fromEntries(modes.map((m) => [m, []]));
  for (let i = 0; i < runs; i++) for (const m of modes) samples[m].push(await child(m));
  return Object.fromEntries(modes.map((m) => [m, {
    first_post_ms_median: round(percentile(samples[m].map((x) => x.first), 50), 1),
    second_post_ms_median: round(percentile(samples[m].map((x) => x.second), 50), 1),
  }]));
}

/**
 * The MySQL driver options side by side: each driver bundled as the function bundles it (esbuild, minified, one
 * file), then imported in fresh processes (median): mysql2/promise in full, mysql2 without iconv-lite's tables and the
 * RDS certificate profile (scripts/lib/mysql2-slim.mjs, what the bundle uses) and MariaDB's own Connector/Node.js (`mariadb`, installed by the bench into dist/bench/mariadb, not a dependency).
 */
async function driverImports(importTime) {
  const dir = join(root, 'dist', 'bench', 'mariadb');
  try {
    await stat(join(dir, 'node_modules', 'mariadb', 'package.json'));
  } catch {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"private":true}\n');
    await run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', 'mariadb@3'], { cwd: dir });
  }
  const { mysql2Slim } = await import('./lib/mysql2-slim.mjs');
  const bundled = async (name, contents, resolveDir, plugins = []) => {
    const outfile = join(root, 'dist', 'bench', `${name}.mjs`);
    await build({
      stdin: { contents, resolveDir, loader: 'js' }, outfile, bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true, legalComments: 'none', logLevel: 'warning', plugins,
      banner: { js: "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);" },
    });
    return { kib: round((await stat(outfile)).size / 1024, 1), import_ms_median: round(await importTime(outfile), 1) };
  };
  const { version } = JSON.parse(await readFile(join(dir, 'node_modules', 'mariadb', 'package.json'), 'utf8'));
  return {
    mysql2: await bundled('driver-mysql2', "import mysql from 'mysql2/promise'; export default mysql.createConnection;", root),
    mysql2_slim: await bundled('driver-mysql2-slim', "import mysql from 'mysql2/promise'; export default mysql.createConnection;", root, [mysql2Slim]),
    [`mariadb_${version}`]: await bundled('driver-mariadb', "import mariadb from 'mariadb'; export default mariadb.createConnection;", dir),
  };
}

/**
 * `complete` at the default settings (--rate 20, 16 chains, 4 side by side) against a stand-in Cognito that
 * enforces the per-category quotas and answers each call in 50 to 100 ms (scripts/lib/cognito-quota.mjs), over
 * real PostgreSQL: calls by category, wall time, rows written a second, peak memory at two pool sizes, and the
 * projection to 10 million users from the measured page rate.
 */
async function completeBench(db) {
  const { startQuotaCognito } = await import('./lib/cognito-quota.mjs');
  const { linkProof } = await import(join(root, 'dist', 'lib', 'src', 'link-proof.js'));
  const { randomUUID } = await import('node:crypto');
  const key = 'bench-link-key-0123456789-0123456789-0123456789';
  const userPoolId = 'eu-west-1_BenchComplete';
  const once = async (users) => {
    const client = new pg.Client(db.url);
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS cognito_migrate_bench_complete CASCADE');
    await client.query('CREATE SCHEMA cognito_migrate_bench_complete');
    await client.query(`CREATE TABLE cognito_migrate_bench_complete.users AS
      SELECT i::bigint AS id, 'user' || i AS username, 'user' || i || '@example.com' AS email, true AS enabled, NULL::text AS password_hash,
        NULL::text AS cognito_sub, NULL::timestamptz AS cognito_linked_at, CASE WHEN i % 2 = 0 THEN 'ROLE_ADMIN,ROLE_STAFF' ELSE 'ROLE_STAFF' END AS roles
      FROM generate_series(1, ${users}) AS i`);
    await client.query('ALTER TABLE cognito_migrate_bench_complete.users ADD PRIMARY KEY (id)');
    await client.query('VACUUM ANALYZE cognito_migrate_bench_complete.users');
    const pool = Array.from({ length: users }, (_, i) => ({ Username: randomUUID(), attributes: { sub: randomUUID(), email: `user${i + 1}@example.com`, 'custom:legacy_id': String(i + 1), 'custom:legacy_proof': linkProof(key, userPoolId, String(i + 1)) } }));
    const api = await startQuotaCognito({ userPoolId, users: pool, groups: ['admins', 'staff'], latencyMs: [50, 100] });
    const checkpoint = join(root, 'dist', `bench-complete-${users}.checkpoint.json`);
    await rm(checkpoint, { force: true });
    try {
      const started = performance.now();
      const child = await runCli(['complete', '--user-pool-id', userPoolId, '--checkpoint', checkpoint, '--json'], {
        DATABASE_URL: db.url, PG_TABLE: 'cognito_migrate_bench_complete.users', PG_COGNITO_SUB_COLUMN: 'cognito_sub', PG_COGNITO_SUB_TIME_COLUMN: 'cognito_linked_at', PG_GROUPS_COLUMN: 'roles',
        GROUP_MAP: JSON.stringify({ ROLE_ADMIN: 'admins', ROLE_STAFF: 'staff' }), LINK_KEY: key,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: api.endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench',
      });
      const seconds = (performance.now() - started) / 1000;
      const result = JSON.parse(child.stdout);
      const { rows: [linked] } = await client.query('SELECT count(*)::int AS n FROM cognito_migrate_bench_complete.users WHERE cognito_sub IS NOT NULL');
      return {
        users, seconds: round(seconds, 1), rows_linked: linked.n, rows_written_per_s: round(linked.n / seconds, 1), pages_per_s: round(result.calls.ListUsers / seconds, 2),
        calls_by_category: Object.fromEntries(Object.entries(result.quota).map(([c, q]) => [c, q.calls])), quota_share: Object.fromEntries(Object.entries(result.quota).map(([c, q]) => [c, q.quotaShare])),
        throttled: api.throttled, billed_users: api.billed.size, per_user_calls: Object.entries(api.calls).filter(([op]) => op !== 'ListUsers').reduce((a, [, n]) => a + n, 0),
        peak_rss_mb: round(child.peakRssMb, 1),
      };
    } finally {
      await api.stop();
      await client.end();
      await rm(checkpoint, { force: true });
    }
  };
  const runs = [];
  // --scale 1m adds a run of 1,000,000 users (about 15 minutes at 20 pages a second), to see the memory stay flat.
  const sizes = [...N.completeUsers, ...(process.argv.includes('--scale') && process.argv.includes('1m') ? [1_000_000] : [])];
  for (const users of sizes) {
    say(`complete: ${users.toLocaleString('en')} imported users, quotas enforced, 50-100 ms a call…`);
    runs.push(await once(users));
  }
  const full = runs.at(-1);
  const pages10m = 16 * Math.ceil(10_000_000 / 16 / 60);
  return {
    latency_ms: [50, 100], settings: { rate: 20, chains: 16, parallel: 4 }, runs,
    projection_10m: { pages: pages10m, hours_at_measured_page_rate: round(pages10m / full.pages_per_s / 3600, 2), per_user_calls: 0, billed_users: 0 },
  };
}

async function main() {
  say(`cognito-migrate bench${quick ? ' (quick)' : ''}`);
  const db = await startPostgres();
  try {
    if (only) {
      const sections = {
        hardening: () => hardening(db), formats: () => formats(), calibration: async () => { const { runs, ...result } = await calibration(); return result; }, pbkdf2_reference: () => pbkdf2Reference(), bcrypt_engines: () => bcryptEngines(), lookups: () => lookups(db), csv_export: () => csvExport(db),
        status_ledger: () => statusLedger(db),
        complete: () => completeBench(db),
        identities: () => identityLookups(db),
        identities_mariadb: () => identityLookupsMariadb(),
        cold: () => coldBench(db),
        handler: async () => {
          const table = await seedLegacyUsers(db.url, { schema: 'cognito_migrate_bench', users: [BENCH_USER], cost: 10 });
          const c = new pg.Client(db.url);
          await c.connect();
          const { rows } = await c.query(`SELECT password_hash FROM ${table} WHERE username = 'bench'`);
          await c.end();
          return handlerLatency(db, table, rows[0].password_hash);
        },
      };
      if (!sections[only]) throw new Error(`bench: --only takes ${Object.keys(sections).join(' or ')}`);
      const value = await sections[only]();
      console.log(JSON.stringify(value, null, 2));
      // The section's new figures replace its old ones in bench/results.json; the rest stays as last measured.
      const path = join(root, 'bench', 'results.json');
      const previous = JSON.parse(await readFile(path, 'utf8').catch(() => '{}'));
      await writeFile(path, `${JSON.stringify({ ...previous, [only]: value, [`${only}_measured_at`]: new Date().toISOString() }, null, 2)}\n`);
      return;
    }
    const table = await seedLegacyUsers(db.url, { schema: 'cognito_migrate_bench', users: [BENCH_USER], cost: 10 });
    const client = new pg.Client(db.url);
    await client.connect();
    const { rows } = await client.query(`SELECT password_hash FROM ${table} WHERE username = 'bench'`);
    await client.end();
    const hash = rows[0].password_hash;

    say('bundles: cold loads in fresh node processes…');
    const bundles = await coldLoads({
      postgres: join(root, 'dist', 'postgres', 'index.mjs'),
      cognito: join(root, 'dist', 'cognito', 'index.mjs'),
      http: join(root, 'dist', 'http', 'index.mjs'),
      'floor (pg + bcryptjs only)': await floorBundle(),
    });
    // What a cold start loads: the entry and the chunks it imports statically.
    const { coldStartBytes } = await import('./lib/bundle-size.mjs');
    for (const name of ['postgres', 'cognito', 'http']) {
      bundles[name].bytes = coldStartBytes(JSON.parse(await readFile(join(root, 'dist', name, 'meta.json'), 'utf8')), join(root, 'dist', name, 'index.mjs'));
    }
    bundles.postgres.cold_load_over_floor = round(bundles.postgres.cold_load_ms_median / bundles['floor (pg + bcryptjs only)'].cold_load_ms_median);
    say('handler: warm latency against a bare verification…');
    const handlerResult = await handlerLatency(db, table, hash);
    say('burst: concurrent invocations through the local Invoke API…');
    const burstResult = await burst(db, table);
    say('calibration: cold-start probes in fresh processes…');
    const { runs: _runs, ...calibrationResult } = await calibration();
    say('formats…');
    const formatResult = await formats();
    say(`csv export: ${N.exportUsers.toLocaleString('en')} users from PostgreSQL, next to psql \\copy…`);
    const csvResult = await csvExport(db);
    say(`status from the ledger: ${N.ledgerRows.toLocaleString('en')} legacy rows…`);
    const ledgerResult = await statusLedger(db);
    const completeResult = await completeBench(db);
    say(`load: ${N.load} invocations through the local Invoke API…`);
    const loadResult = await load(db, table);
    say('lookups at scale, without and with the advised indexes…');
    const lookupResult = await lookups(db);
    say('bcrypt engines…');
    const bcryptResult = await bcryptEngines();
    say('sign-in hardening: refusal timing, isolation, worker cold start…');
    const hardeningResult = await hardening(db);

    const results = {
      measured_at: new Date().toISOString(),
      quick,
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, memory_gb: round(totalmem() / 2 ** 30, 1), node: process.version, postgres: db.embedded ? 'embedded' : 'DATABASE_URL' },
      handler: handlerResult,
      bundles,
      burst: burstResult,
      formats: formatResult,
      calibration: calibrationResult,
      csv_export: csvResult,
      status_ledger: ledgerResult,
      complete: completeResult,
      load: loadResult,
      hardening: hardeningResult,
      bcrypt_engines: bcryptResult,
      lookups: lookupResult,
    };
    await mkdir(join(root, 'bench'), { recursive: true });
    await writeFile(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    printTable(results);
  } finally {
    await db.stop();
  }
}

function lookupRows(l) {
  const largest = l.sizes.at(-1);
  return Object.keys(LOOKUP_MODES).map((mode) => [
    `lookup ${mode}`,
    `${l.by_size[largest].with_indexes[mode].ms_median} ms`,
    '≤ 2 ms, ratio ≤ 1.5',
    `${l.sizes.map((n) => `${n.toLocaleString('en')}: ${l.by_size[n].without_indexes[mode].ms_median} → ${l.by_size[n].with_indexes[mode].ms_median} ms`).join('; ')} (without → with indexes); ${largest.toLocaleString('en')}/${l.sizes[0].toLocaleString('en')} ratio ${l.largest_over_smallest_with_indexes[mode]}`,
  ]);
}

function hardeningRows(h) {
  const t = (x) => `before any real hash ${x.before_any_real_hash}, warm ${x.warm}, after the costly rows ${x.after_costly_rows}`;
  return [
    ['unknown/wrong, advised TIMING_HASH', h.unknown_over_wrong_advised_timing_hash.warm, '0.9 – 1.1', `${t(h.unknown_over_wrong_advised_timing_hash)}; legacy bcrypt cost ${h.legacy_cost}, wrong password ${h.unknown_over_wrong_advised_timing_hash.wrong_password_ms_p50} ms`],
    ['unknown/wrong, default timing hash', h.unknown_over_wrong_default_timing_hash.warm, '', `${t(h.unknown_over_wrong_default_timing_hash)}: why the self-check warns and prints the value`],
    ['costly rows answer in', `${Math.max(...h.unknown_over_wrong_advised_timing_hash.costly_row_answer_ms)} ms`, '< 5,000 ms', `at 1,024 MB: Argon2 256 MiB/t=64/p=16, Argon2 pure-JS m=64 MiB t=16, sha512-crypt 1M rounds × 256 chars, phpass 2^30: ${h.unknown_over_wrong_advised_timing_hash.costly_row_answer_ms.join(' / ')} ms (refused before any work, then the timing hash)`],
    ['concurrent sign-in during a costly verify', `${h.isolation.normal_during_costly_ms_p50} ms`, `≈ ${h.isolation.normal_alone_ms_p50} ms alone`, `the costly verify stopped at ${h.isolation.costly_stopped_at_ms.join(' / ')} ms (deadline ${h.isolation.deadline_ms} ms)`],
    ['verification worker start', `${h.cold_start.worker_first_answer_ms_p50} ms`, '', `online ${h.cold_start.worker_online_ms_p50} ms, first answer ${h.cold_start.worker_first_answer_ms_p50} ms, warm answer ${h.cold_start.worker_warm_answer_ms_p50} ms; first sign-in of a fresh instance ${h.cold_start.first_signin_ms_p50_with_worker} ms with the worker, ${h.cold_start.first_signin_ms_p50_without_worker} ms without`],
  ];
}

function printTable(r) {
  const h = r.handler;
  const rows = [
    ['handler_over_compare_p50', h.handler_over_compare_p50, '≤ 1.05', `handler ${h.handler_ms_p50} ms vs a bare hash-wasm bcrypt verification ${h.compare_ms_p50} ms`],
    ['overhead_ms_p50', h.overhead_ms_p50, '', 'time in the handler outside the store and the verifier, per invocation'],
    ['overhead_ms_p99', h.overhead_ms_p99, '≤ 5', `store p50 ${h.store_ms_p50} ms, p99 ${h.store_ms_p99} ms`],
    ['unknown_over_wrong_p50', h.unknown_over_wrong_p50, '0.9 – 1.1', `unknown ${h.unknown_user_ms_p50} ms vs wrong password ${h.wrong_password_ms_p50} ms`],
    ...Object.entries(r.bundles).map(([name, b]) => [`bundle ${name}`, `${(b.bytes / 1024).toFixed(1)} KiB`, name === 'postgres' ? '≤ 150 KB' : '', `cold load ${b.cold_load_ms_median} ms${b.cold_load_over_floor ? ` (${b.cold_load_over_floor}× floor, target ≤ 1.5×)` : ''}`]),
    ['burst', `${r.burst.errors} errors`, '0 errors', `${r.burst.invocations} invocations, ${r.burst.concurrency} workers: p50 ${r.burst.p50_ms} ms, p99 ${r.burst.p99_ms} ms, ${r.burst.throughput_per_s}/s, pg connections max ${r.burst.pg_connections_max}`],
    ['csv_export ratio', r.csv_export.ratio ?? 'n/a', '≤ 2', `median of ${r.csv_export.pairs.length} pairs (${r.csv_export.pairs.map((p) => p.ratio).join(', ')}); ${r.csv_export.users.toLocaleString('en')} users in ${r.csv_export.seconds} s vs psql \\copy ${r.csv_export.psql_copy_seconds ?? 'n/a'} s (medians); ${r.csv_export.exported} exported, ${r.csv_export.left_out} left out, ${r.csv_export.lint_problems} lint problems`],
    ['csv_export peak RSS', `${r.csv_export.peak_rss_mb} MB`, '≤ 200 MB', ''],
    ['status from the ledger', `${r.status_ledger.seconds} s`, '≤ 60 s', `${r.status_ledger.rows.toLocaleString('en')} rows (${r.status_ledger.table_size}), runs ${r.status_ledger.runs_seconds.join(' / ')} s, peak RSS ${r.status_ledger.peak_rss_mb} MB; ${r.status_ledger.legacy.migrated.toLocaleString('en')} migrated, ${r.status_ledger.remaining.toLocaleString('en')} remaining`],
    ['load', `${r.load.errors} errors`, '0 errors', `${r.load.invocations} invocations: pg connections max ${r.load.pg_connections_max} (4 workers), ${r.load.pg_connections_after_close} after close; worker RSS by quarter ${r.load.worker_rss_mb_by_quarter.join(' / ')} MB`],
    ['calibration probes, every primitive', `${r.calibration.probes_ms_p50} ms`, '≤ 15 ms', `max ${r.calibration.probes_ms_max} ms over ${r.calibration.samples} fresh processes; with loading the code: bcrypt alone ${r.calibration.first_signin_bcrypt_wall_ms_p50} ms, all ${r.calibration.all_primitives_wall_ms_p50} ms; scales ${Object.entries(r.calibration.scale_p50).map(([k, v]) => `${k} ${v}`).join(', ')}`],
    ...Object.entries(r.formats.formats).map(([name, f]) => [`verify ${name}`, `${f.estimate_over_measured.p50} est/measured`, f.verify_ms_p50 >= 5 ? '1.0 – 1.6' : '', `${f.verify_ms_p50} ms measured; over ${r.formats.cold_starts_per_format} cold starts ${f.estimate_over_measured.min} – ${f.estimate_over_measured.max}${f.verify_ms_p50 >= 5 && f.estimate_over_measured.min < 1 ? '  !!! UNDER 1.0' : ''}; warm ${f.warm_estimate_over_measured.p50} (${f.warm_estimate_over_measured.min} – ${f.warm_estimate_over_measured.max})${f.verify_ms_p50 >= 5 && f.warm_estimate_over_measured.min < 1 ? '  !!! UNDER 1.0' : ''}`]),
    ...hardeningRows(r.hardening),
    ...lookupRows(r.lookups),
    ['bcrypt verify, cost 10', `${r.bcrypt_engines.used_over_native}× native`, '≤ 1.15×', Object.entries(r.bcrypt_engines.ms_p50).map(([k, v]) => `${k} ${v} ms`).join(', ')],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => String(row[i]).length)));
  console.log(`\nMachine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gb} GB, Node ${r.machine.node}`);
  for (const row of rows) console.log(`${String(row[0]).padEnd(w[0])}  ${String(row[1]).padStart(w[1])}  ${String(row[2]).padEnd(w[2])}  ${row[3]}`);
  console.log('\nWritten to bench/results.json');
}

await main();
