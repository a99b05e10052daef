#!/usr/bin/env node
// Bundles each deployable function and the command-line tool with esbuild.
// Usage: node scripts/build.mjs [--quiet]
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartBytes, reachedOutputs } from './lib/bundle-size.mjs';
import { mysql2Slim } from './lib/mysql2-slim.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');

const WORKER_ENTRY = 'src/passwords/verify-worker.ts';

// Each function and its verification worker, a second entry that loads beside it. The PostgreSQL
// function's entries are those template.yaml gives `sam build`.
export const FUNCTIONS = [
  { name: 'postgres', entry: 'adapters/postgres/lambda.ts', worker: 'adapters/postgres/verify-worker.ts' },
  { name: 'cognito', entry: 'adapters/cognito/lambda.ts', worker: WORKER_ENTRY },
  { name: 'http', entry: 'adapters/http/lambda.ts', worker: WORKER_ENTRY },
  { name: 'mysql', entry: 'adapters/mysql/lambda.ts', worker: WORKER_ENTRY },
];

// CommonJS dependencies bundled into an ES module still call require() for
// Node built-ins; this gives them one.
const requireShim = "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);";

/**
 * The esbuild settings of every function: what template.yaml's BuildProperties
 * tell `sam build` (test/unit/sam-build.test.ts keeps the two in agreement).
 * Lambda's runtime ships the AWS SDK v3, so functions leave it out; pg-native
 * is pg's optional native driver, never used here. ES module builds are
 * preferred where a package has one, so unused code is shaken out.
 */
export const FUNCTION_SETTINGS = {
  format: 'esm',
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  outExtension: { '.js': '.mjs' },
  external: ['@aws-sdk/*', 'pg-native'],
  banner: { js: requireShim },
};

// Beyond what sam build does, only the layout: rarely used code (Argon2's WebAssembly, the AWS SDK clients) goes into
// chunks loaded on first use, the bundle sizes are recorded, and mysql2 is built without iconv-lite's double-byte
// tables and the RDS certificate profile, which the MySQL store never needs (scripts/lib/mysql2-slim.mjs says why).
const FUNCTION_LAYOUT = {
  bundle: true,
  platform: 'node',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [mysql2Slim],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

async function bundleFunction({ name, entry, worker }) {
  const outdir = join(root, 'dist', name);
  const outfile = join(outdir, 'index.mjs');
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...FUNCTION_SETTINGS,
    entryPoints: { index: join(root, entry), 'verify-worker': join(root, worker) },
    outdir,
    ...FUNCTION_LAYOUT,
    sourcemap: 'external',
  });
  await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  return { name, file: outfile, bytes: coldStartBytes(result.metafile, outfile), total, chunks: outputs.length - 1 };
}

// The four functions as the npm package ships them: one build into dist/functions/, so the chunks they share (the flows,
// the verifiers, Powertools) are written once, and a manifest naming each function's files: its entry, the worker and
// every chunk either reaches, statically or on first use. The CDK construct deploys a function's files and no others
// (src/cdk/index.ts, functionCode). dist/<store>/ stays one folder per function, as `sam build` lays it out, for the
// demo, the tests and the bench.
const PACKAGED_DIR = 'functions';

async function bundlePackaged() {
  const outdir = join(root, 'dist', PACKAGED_DIR);
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...FUNCTION_SETTINGS,
    entryPoints: { ...Object.fromEntries(FUNCTIONS.map((f) => [f.name, join(root, f.entry)])), 'verify-worker': join(root, WORKER_ENTRY) },
    outdir,
    ...FUNCTION_LAYOUT,
  });
  const prefix = `${relative(root, outdir)}/`;
  const manifest = Object.fromEntries(FUNCTIONS.map(({ name }) => {
    const reached = reachedOutputs(result.metafile, [`${prefix}${name}.mjs`, `${prefix}verify-worker.mjs`], ['import-statement', 'dynamic-import']);
    return [name, [...reached].map((p) => p.slice(prefix.length)).sort()];
  }));
  await writeFile(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  const total = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  return { name: 'packaged', file: join(outdir, 'manifest.json'), bytes: total };
}

// The worker on its own, for code that runs from source (the tests): src/passwords/pool.ts finds it at dist/verify-worker.mjs.
async function bundleWorker() {
  const outfile = join(root, 'dist', 'verify-worker.mjs');
  await build({
    entryPoints: [join(root, WORKER_ENTRY)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm',
    mainFields: ['module', 'main'], banner: { js: requireShim }, logLevel: 'warning',
  });
  return { name: 'worker', file: outfile, bytes: (await stat(outfile)).size };
}

// The local Lambda runtime helpers for the .mjs tools (the local Invoke API, the bench children),
// and doctor's loader, run in a fresh process: dist/runtime.mjs and dist/load-check.mjs.
async function bundleRuntime() {
  const outfile = join(root, 'dist', 'runtime.mjs');
  const settings = { bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' };
  await build({ ...settings, entryPoints: [join(root, 'scripts', 'invoke', 'runtime.ts')], outfile });
  await build({ ...settings, entryPoints: [join(root, 'scripts', 'doctor', 'load-check.ts')], outfile: join(root, 'dist', 'load-check.mjs') });
  return { name: 'runtime', file: outfile, bytes: (await stat(outfile)).size };
}

// The CLI's own code is bundled; the core and the adapters it uses are not bundled a second time but imported from the
// library's compiled modules (dist/lib), through package.json's "imports" entry "#lib/*". A module the library does
// not compile (a Lambda entry) stays bundled.
const LIBRARY_EXCLUDED = /^adapters\/[^/]+\/(lambda|verify-worker)\.ts$/;
const cliUsesLibrary = {
  name: 'cognito-migrate-cli-uses-library',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const from = relative(root, join(args.resolveDir, args.path)).split('\\').join('/');
      if (!/^(src|adapters)\//.test(from) || LIBRARY_EXCLUDED.test(from.replace(/\.js$/, '.ts'))) return undefined;
      return { path: `#lib/${from.replace(/\.ts$/, '.js')}`, external: true };
    });
  },
};

async function bundleCli() {
  const outfile = join(root, 'dist', 'cli.mjs');
  await rm(join(root, 'dist', 'cli-chunks'), { recursive: true, force: true });
  await build({
    entryPoints: { cli: join(root, 'scripts', 'cli', 'bin.ts') },
    outdir: join(root, 'dist'),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    plugins: [cliUsesLibrary],
    banner: { js: `#!/usr/bin/env node\n${requireShim}` },
    logLevel: 'warning',
  });
  return { name: 'cli', file: outfile, bytes: (await stat(outfile)).size };
}

// The npm library: ES modules and .d.ts in dist/lib (tsconfig.build.json), what package.json "exports" names.
async function emitLibrary() {
  const outdir = join(root, 'dist', 'lib');
  await rm(outdir, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root });
  // CDK apps are often CommonJS (the TypeScript template of cdk init): the construct ships as CommonJS too, with its declarations.
  const cdk = join(root, 'dist', 'cdk');
  await rm(cdk, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'src', 'cdk', 'index.ts')], outfile: join(cdk, 'index.cjs'), bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    packages: 'external', define: { 'import.meta.url': '__cmImportMetaUrl' }, banner: { js: "const __cmImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" }, logLevel: 'warning',
  });
  await copyFile(join(outdir, 'src', 'cdk', 'index.d.ts'), join(cdk, 'index.d.cts'));
  return { name: 'library', file: join(outdir, 'src', 'index.js'), bytes: (await stat(join(outdir, 'src', 'index.js'))).size };
}

async function main() {
  await mkdir(join(root, 'dist'), { recursive: true });
  const outputs = await Promise.all([...FUNCTIONS.map(bundleFunction), bundlePackaged(), bundleWorker(), bundleRuntime(), bundleCli(), emitLibrary()]);
  if (quiet) return;
  for (const o of outputs) {
    const chunks = o.chunks ? `  loaded at cold start; ${o.chunks} chunks, ${(o.total / 1024).toFixed(1)} KiB in all` : '';
    console.log(`built ${o.name.padEnd(10)} ${(o.bytes / 1024).toFixed(1).padStart(7)} KiB  ${o.file.slice(root.length + 1)}${chunks}`);
  }
}

// Imported by the SAM settings test for FUNCTIONS and FUNCTION_SETTINGS; run, it builds.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
