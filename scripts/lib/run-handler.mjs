// Loads a built handler the way the Lambda Node.js runtime does and classifies
// failures with the runtime's own error names, so local runs, the local invoke
// server and `doctor` report what AWS would report.
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/**
 * Error as the Lambda runtime reports it.
 * @example throw new RuntimeError('Runtime.ImportModuleError', "Error: Cannot find module 'index'")
 */
export class RuntimeError extends Error {
  /** @param {string} errorType @param {string} message */
  constructor(errorType, message) {
    super(message);
    this.name = errorType;
    this.errorType = errorType;
  }
}

/**
 * Imports `file` and returns its exported function `exportName`.
 * @param {string} file absolute path of the bundle, e.g. dist/postgres/index.mjs
 * @param {string} exportName e.g. "handler"
 * @returns {Promise<Function>}
 * @example const handler = await loadHandler('/abs/dist/postgres/index.mjs', 'handler')
 */
export async function loadHandler(file, exportName) {
  try {
    await access(file);
  } catch {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${file}'. Run npm run build, or fix the Handler/CodeUri setting.`);
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${err.message}`);
    }
    throw new RuntimeError('Runtime.UnhandledInitError', `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`);
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${file}.${exportName} is undefined or not exported`);
  }
  return fn;
}

/**
 * A Lambda context object whose remaining time counts down from `timeoutMs`.
 * @param {{ functionName: string, timeoutMs: number, memoryMb?: number }} o
 * @example const ctx = makeContext({ functionName: 'migrate', timeoutMs: 5000 })
 */
export function makeContext({ functionName, timeoutMs, memoryMb = 1024 }) {
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

/**
 * Runs one invocation and returns Lambda's answer shape.
 * @returns {Promise<{ ok: true, result: unknown } | { ok: false, errorType: string, errorMessage: string }>}
 * @example const answer = await invokeOnce(handler, event, ctx)
 */
export async function invokeOnce(handler, event, context) {
  try {
    return { ok: true, result: await handler(event, context) };
  } catch (err) {
    return { ok: false, errorType: err?.name ?? 'Error', errorMessage: err?.message ?? String(err) };
  }
}
