// Loads a built handler the way the Lambda Node.js runtime does and classifies
// failures with the runtime's own error names, so `invoke`, the local Invoke
// API (scripts/lib/lambda-server.mjs, which loads the built dist/runtime.mjs)
// and `doctor` report what AWS would report.
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/**
 * Error as the Lambda runtime reports it.
 *
 * @example
 * ```ts
 * throw new RuntimeError('Runtime.ImportModuleError', "Error: Cannot find module 'index'")
 * ```
 */
export class RuntimeError extends Error {
  constructor(readonly errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/** A Lambda handler: an event and a context in, an answer out. */
export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Imports `file` and returns its exported function `exportName`.
 *
 * @example
 * ```ts
 * const handler = await loadHandler('/abs/dist/postgres/index.mjs', 'handler')
 * ```
 */
export async function loadHandler(file: string, exportName: string): Promise<Handler> {
  try {
    await access(file);
  } catch {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${file}'. Run npm run build, or fix the Handler/CodeUri setting.`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const e = err as { name?: string; message?: string; code?: string };
    if (err instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') throw new RuntimeError('Runtime.ImportModuleError', `Error: ${e.message}`);
    throw new RuntimeError('Runtime.UnhandledInitError', `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`);
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${file}.${exportName} is undefined or not exported`);
  return fn as Handler;
}

/**
 * A Lambda context object whose remaining time counts down from `timeoutMs`.
 *
 * @example
 * ```ts
 * const ctx = makeContext({ functionName: 'migrate', timeoutMs: 5000 })
 * ```
 */
export function makeContext({ functionName, timeoutMs, memoryMb = 1024 }: { functionName: string; timeoutMs: number; memoryMb?: number }) {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {}, fail() {}, succeed() {},
  };
}

/** Lambda's answer shape for one invocation. */
export type InvokeAnswer = { ok: true; result: unknown } | { ok: false; errorType: string; errorMessage: string };

/**
 * Runs one invocation and returns Lambda's answer shape.
 *
 * @example
 * ```ts
 * const answer = await invokeOnce(handler, event, ctx)
 * ```
 */
export async function invokeOnce(handler: Handler, event: unknown, context: unknown): Promise<InvokeAnswer> {
  try {
    return { ok: true, result: await handler(event, context) };
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return { ok: false, errorType: e?.name ?? 'Error', errorMessage: e?.message ?? String(err) };
  }
}
