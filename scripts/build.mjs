#!/usr/bin/env node
// Bundles each deployable function and the command-line tool with esbuild.
// Usage: node scripts/build.mjs [--quiet]
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartBytes } from './lib/bundle-size.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');

// Lambda's nodejs22.x runtime ships the AWS SDK v3, so functions leave it out;
// pg-native is pg's optional native driver, never used here.
export const FUNCTIONS = [
  { name: 'postgres', entry: 'adapters/postgres/lambda.ts' },
  { name: 'cognito', entry: 'adapters/cognito/lambda.ts' },
  { name: 'http', entry: 'adapters/http/lambda.ts' },
];

const WORKER_ENTRY = 'src/passwords/verify-worker.ts';

// CommonJS dependencies bundled into an ES module still call require() for
// Node built-ins; this gives them one.
const requireShim = "import { createRequire as __cmCreateRequire } from 'node:module'; const require = __cmCreateRequire(import.meta.url);";

async function bundleFunction({ name, entry }) {
  const outdir = join(root, 'dist', name);
  const outfile = join(outdir, 'index.mjs');
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    // The verification worker is a second entry: it shares chunks with the function and loads beside it.
    entryPoints: { index: join(root, entry), 'verify-worker': join(root, WORKER_ENTRY) },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Rarely used code (Argon2's WebAssembly, the AWS SDK clients) goes into chunks loaded on first use, not at cold start.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Prefer ES module builds where a package has one, so unused code is shaken out (hash-wasm ships every algorithm).
    mainFields: ['module', 'main'],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: 'external',
    legalComments: 'none',
    metafile: true,
    external: ['@aws-sdk/*', 'pg-native'],
    alias: { pgpass: join(root, 'scripts', 'lib', 'stubs', 'pgpass.cjs') },
    banner: { js: requireShim },
    logLevel: 'warning',
  });
  await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  return { name, file: outfile, bytes: coldStartBytes(result.metafile, outfile), total, chunks: outputs.length - 1 };
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

// The local Lambda runtime helpers for the .mjs tools (the local Invoke API, the bench children): dist/runtime.mjs.
async function bundleRuntime() {
  const outfile = join(root, 'dist', 'runtime.mjs');
  await build({ entryPoints: [join(root, 'scripts', 'invoke', 'runtime.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
  return { name: 'runtime', file: outfile, bytes: (await stat(outfile)).size };
}

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
  return { name: 'library', file: join(outdir, 'src', 'index.js'), bytes: (await stat(join(outdir, 'src', 'index.js'))).size };
}

await mkdir(join(root, 'dist'), { recursive: true });
const outputs = await Promise.all([...FUNCTIONS.map(bundleFunction), bundleWorker(), bundleRuntime(), bundleCli(), emitLibrary()]);
if (!quiet) {
  for (const o of outputs) {
    const chunks = o.chunks ? `  loaded at cold start; ${o.chunks} chunks, ${(o.total / 1024).toFixed(1)} KiB in all` : '';
    console.log(`built ${o.name.padEnd(10)} ${(o.bytes / 1024).toFixed(1).padStart(7)} KiB  ${o.file.slice(root.length + 1)}${chunks}`);
  }
}
