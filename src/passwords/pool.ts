// The verification threads: a costly hash runs on a worker thread that its deadline can terminate, so no row can
// stall the function past Cognito's limit or hold up another sign-in in the same process.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DeadlineExceededError, InternalError, UnsupportedHashError } from '../errors.js';
import type { WorkerSpec } from './verifier.js';
import type { VerifyReply } from './verify-worker.js';

/**
 * Runs verifications on worker threads. A verification that outlives its
 * deadline has its thread terminated (and replaced on the next call), so a
 * costly hash can neither stall the function past Cognito's limit nor hold
 * up another sign-in in the same process.
 *
 * @example
 * ```ts
 * const pool = verifyPool()
 * await pool?.run({ factory: 'builtin', id: 'bcrypt' }, 'pw', '$2b$10$…', { deadline: Date.now() + 3000 })
 * ```
 */
export interface VerifyPool {
  /** Verifies on a thread; `ms` is the verification's own time there (not the wait for a thread or the messages). */
  run(spec: WorkerSpec, password: string, encoded: string, options: { deadline: number; signal?: AbortSignal }): Promise<{ ok: boolean; ms: number }>;
  /** Starts one thread if none is: the registry calls it once a fresh instance's first verification, done on the calling thread, has answered. */
  warm(): void;
  /** Whether a thread of this pool has ever loaded its code: false on a fresh instance until its first thread has. */
  hasStarted(): boolean;
  /** Resolves once {@link VerifyPool.hasStarted} (starting a thread if none is): for tests and benchmarks. */
  whenReady(): Promise<void>;
  /** Threads started since the pool was made, and threads terminated at a deadline: for tests and benchmarks. */
  readonly stats: { started: number; terminated: number };
  close(): Promise<void>;
}

/** What one verification sends its thread (verify-worker.ts answers with the same id). */
interface VerifyMessage {
  id: number;
  spec: WorkerSpec;
  password: string;
  encoded: string;
}

/**
 * The worker script next to this module, wherever it was built to: beside a
 * function bundle (`dist/postgres/verify-worker.mjs`, also reached from a
 * chunk one folder down), beside the library's compiled modules, or the
 * standalone build the tests use when running from source.
 *
 * @example
 * ```ts
 * findWorkerScript() // URL of …/verify-worker.mjs, or undefined
 * ```
 */
export function findWorkerScript(): URL | undefined {
  for (const candidate of ['./verify-worker.js', './verify-worker.mjs', '../verify-worker.mjs', '../../dist/verify-worker.mjs']) {
    const url = new URL(candidate, import.meta.url);
    if (url.protocol === 'file:' && existsSync(url)) return url;
  }
  return undefined;
}

const pools = new Map<string, VerifyPool>();

/**
 * The process's pool for a worker script (default: {@link findWorkerScript}),
 * shared by every registry that uses it; `undefined` when there is no script.
 *
 * @example
 * ```ts
 * const pool = verifyPool(new URL('./verify-worker.mjs', import.meta.url))
 * ```
 */
export function verifyPool(script: URL | string | undefined = findWorkerScript()): VerifyPool | undefined {
  if (script === undefined) return undefined;
  const url = typeof script === 'string' ? new URL(script, 'file:///') : script;
  let pool = pools.get(url.href);
  if (!pool) {
    pool = createPool(url);
    pools.set(url.href, pool);
  }
  return pool;
}

function createPool(script: URL): VerifyPool {
  const max = Math.max(2, availableParallelism());
  const idle: Worker[] = [];
  const waiting: Array<() => void> = [];
  let size = 0;
  let seq = 0;
  const stats = { started: 0, terminated: 0 };
  // Why a thread died (a module it could not load), so the failure says more than "exited".
  const failures = new WeakMap<Worker, Error>();
  // Threads that said they loaded their code (verify-worker.ts posts { ready: true }), and who waits for one.
  let started = false;
  let onReady: Array<() => void> = [];

  function spawn(): Worker {
    // A worker inherits the process's flags; --input-type (for `node -e`) would make it exit at once.
    const worker = new Worker(script, { execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')) });
    // An idle thread must not keep a CLI or a test run alive.
    worker.unref();
    worker.on('error', (err) => failures.set(worker, err));
    const hello = (message: { ready?: boolean }) => {
      if (!message?.ready) return;
      worker.off('message', hello);
      started = true;
      const waiting = onReady;
      onReady = [];
      for (const wake of waiting) wake();
    };
    worker.on('message', hello);
    size++;
    stats.started++;
    return worker;
  }

  function discard(worker: Worker, terminated: boolean): void {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    size--;
    void worker.terminate().catch(() => {});
    if (terminated) {
      stats.terminated++;
      // Replaced at once, so the next sign-in does not pay for a thread start.
      idle.push(spawn());
    }
    waiting.shift()?.();
  }

  function release(worker: Worker): void {
    worker.unref();
    const next = waiting.shift();
    idle.push(worker);
    next?.();
  }

  async function acquire(deadline: number, signal?: AbortSignal): Promise<Worker> {
    for (;;) {
      const worker = idle.pop() ?? (size < max ? spawn() : undefined);
      if (worker) return worker;
      // Every thread is busy: wait for one, no longer than the deadline.
      await waitInQueue(waiting, deadline, signal);
    }
  }

  return {
    stats,
    warm() {
      if (size === 0) idle.push(spawn());
    },
    hasStarted: () => started,
    whenReady() {
      if (started) return Promise.resolve();
      if (size === 0) idle.push(spawn());
      return new Promise((resolve) => onReady.push(resolve));
    },
    async run(spec, password, encoded, { deadline, signal }) {
      if (signal?.aborted) throw signal.reason;
      const worker = await acquire(deadline, signal);
      const message = { id: ++seq, spec, password, encoded };
      const exited = () => failures.get(worker) ?? new Error('the verification worker thread exited');
      return verifyOn(worker, message, { deadline, ...(signal ? { signal } : {}) }, exited, (keep) => (keep ? release(worker) : discard(worker, true)));
    },
    async close() {
      const all = idle.splice(0);
      size -= all.length;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/** Waits until a freed thread wakes this caller; a waiter that gives up (deadline, abort) leaves the queue, so the next free thread wakes one still waiting. */
function waitInQueue(waiting: Array<() => void>, deadline: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const leave = (err: unknown) => {
      const at = waiting.indexOf(wake);
      if (at >= 0) waiting.splice(at, 1);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = () => leave(signal!.reason);
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(() => leave(new DeadlineExceededError('password verification', 0)), Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', onAbort, { once: true });
    waiting.push(wake);
  });
}

/**
 * One verification on one thread. It settles with the thread's answer, or at the deadline, an abort or the thread's
 * exit; then `done(keep)` hands the thread back (an answer) or has it terminated and replaced (anything else: a thread
 * still hashing past its deadline must not go on using the CPU).
 */
function verifyOn(worker: Worker, message: VerifyMessage, { deadline, signal }: { deadline: number; signal?: AbortSignal }, exited: () => Error, done: (keep: boolean) => void): Promise<{ ok: boolean; ms: number }> {
  return new Promise<{ ok: boolean; ms: number }>((resolve, reject) => {
    const settle = (answer: () => void, keep: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      done(keep);
      answer();
    };
    const onMessage = (reply: VerifyReply) => {
      if (reply.id !== message.id) return;
      if ('ok' in reply) settle(() => resolve({ ok: reply.ok, ms: reply.ms }), true);
      else if ('hashError' in reply) settle(() => reject(new UnsupportedHashError(reply.hashError.format, reply.hashError.reason, reply.hashError.kind)), true);
      else settle(() => reject(new InternalError(Object.assign(new Error('verification failed in the worker thread'), { name: reply.failed }))), true);
    };
    const onExit = () => settle(() => reject(new InternalError(exited())), false);
    const onAbort = () => settle(() => reject(signal!.reason ?? new DeadlineExceededError('password verification', 0)), false);
    const timer = setTimeout(() => settle(() => reject(new DeadlineExceededError('password verification', 0)), false), Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.ref();
    worker.postMessage(message);
  });
}
