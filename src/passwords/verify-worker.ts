/**
 * The verification worker: one thread that computes password hashes, so a
 * costly hash never blocks the event loop, and the deadline can stop it by
 * terminating the thread. Bundled as `verify-worker.mjs` beside each
 * function; started by `pool.ts`.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { UnsupportedHashError } from '../errors.js';
import { createArgon2Verifier } from './argon2.js';
import { builtInVerifiers } from './builtins.js';
import { createDigestVerifier } from './digest.js';
import { createScryptVerifier } from './scrypt.js';
import { createFirebaseScryptVerifier } from './firebase.js';
import { createSpringVerifier } from './spring.js';
import type { PasswordVerifier, WorkerSpec } from './verifier.js';

export interface VerifyRequest {
  id: number;
  spec: WorkerSpec;
  password: string;
  encoded: string;
}

export type VerifyReply =
  // ms: the verification's own time on this thread, which the registry's estimates learn from.
  | { id: number; ok: boolean; ms: number }
  | { id: number; hashError: { format: string; reason: string; kind: 'malformed' | 'over_budget' } }
  | { id: number; failed: string };

const builtIn = new Map(builtInVerifiers.map((v) => [v.id, v]));
const made = new Map<string, PasswordVerifier>();

function verifierFor(spec: WorkerSpec): PasswordVerifier {
  if (spec.factory === 'builtin') {
    const found = builtIn.get(spec.id);
    if (!found) throw new UnsupportedHashError(spec.id, 'the verification worker has no built-in verifier of that name');
    return found;
  }
  const key = JSON.stringify(spec, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
  let verifier = made.get(key);
  if (!verifier) {
    if (spec.factory === 'argon2') verifier = createArgon2Verifier(spec.options);
    else if (spec.factory === 'scrypt') verifier = createScryptVerifier(spec.options as never);
    else if (spec.factory === 'firebase') verifier = createFirebaseScryptVerifier(spec.options as never);
    else if (spec.factory === 'spring') verifier = createSpringVerifier(spec.options);
    else verifier = createDigestVerifier(spec.options as never);
    made.set(key, verifier);
  }
  return verifier;
}

// Ready as soon as the code is loaded; the first job of each format compiles its own WebAssembly.
// Compiling bcrypt's here at start, as this thread once did, took CPU from the sign-in beside it.
parentPort?.postMessage({ ready: true });

parentPort?.on('message', async ({ id, spec, password, encoded }: VerifyRequest) => {
  let reply: VerifyReply;
  try {
    const verifier = verifierFor(spec);
    const started = performance.now();
    const ok = await verifier.verify(password, encoded);
    reply = { id, ok, ms: performance.now() - started };
  } catch (err) {
    // Only what the main thread needs to rebuild the error; a foreign error's text may quote data.
    reply = err instanceof UnsupportedHashError
      ? { id, hashError: { format: err.format, reason: err.reason, kind: err.kind } }
      : { id, failed: err instanceof Error ? err.name : typeof err };
  }
  parentPort!.postMessage(reply);
});
