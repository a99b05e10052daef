// `cognito-migrate invoke`: runs a built handler once, in this process, as `sam local invoke -e` does.
import { join, resolve } from 'node:path';
import { type Command, EXIT, type Io, UsageError, integerOption, parse, readJsonFile } from '../cli/command.js';
import { packageRoot } from '../cli/paths.js';
import { printableAttributes } from '../../src/link-proof.js';
import { type InvokeAnswer, invokeOnce, loadHandler, makeContext } from './runtime.js';

const USAGE = `Usage: cognito-migrate invoke --event FILE [--function NAME | --bundle FILE] [--timeout MS]

Runs the built handler (dist/NAME/index.mjs, NAME defaults to postgres; or
--bundle FILE) once, in this process, with the current environment, and prints
the response as \`sam local invoke -e FILE\` would, less the password Cognito's
event carries and the value of the link proof (custom:legacy_proof, shown as
present). The function's own log lines go to standard error.

  --event FILE     a trigger event (events/authentication.json, events/forgot-password.json,
                   events/post-authentication.json, events/post-confirmation-forgot-password.json)
  --function NAME  postgres, cognito or http (default postgres)
  --bundle FILE    a bundle of your own, exporting handler
  --timeout MS     the Lambda time limit the handler sees (default 5000)

Exit code 1 when the handler throws (its error type and message are printed as JSON).`;

async function invoke(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    event: { type: 'string', short: 'e' }, function: { type: 'string' }, bundle: { type: 'string' }, timeout: { type: 'string' },
  });
  if (!values.event) throw new UsageError('--event FILE is required (a trigger event, e.g. events/authentication.json)');
  const fn = values.function ?? 'postgres';
  if (!/^[a-z0-9-]+$/.test(fn)) throw new UsageError('--function must be a bundle name such as postgres, cognito or http');
  const timeoutMs = integerOption('timeout', values.timeout, 1, 900_000) ?? 5000;
  const event = await readJsonFile(resolve(values.event), 'the event file', 'compare it with events/authentication.json');
  const file = values.bundle ? resolve(values.bundle) : join(packageRoot(import.meta.url), 'dist', fn, 'index.mjs');
  // As with `sam local invoke`, the function's own log lines go to standard error and only the response to standard output.
  const stdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let answer: InvokeAnswer;
  try {
    const handler = await loadHandler(file, 'handler');
    answer = await invokeOnce(handler, event, makeContext({ functionName: `cognito-migrate-${fn}`, timeoutMs }));
    // The function's database connection would keep this process alive; a Lambda sandbox would just be frozen.
    await (handler as { close?: () => Promise<void> }).close?.().catch(() => {});
  } catch (err) {
    answer = { ok: false, errorType: (err as { errorType?: string }).errorType ?? 'Error', errorMessage: (err as Error).message };
  } finally {
    process.stdout.write = stdout;
  }
  if (answer.ok) {
    io.out(`${JSON.stringify(printable(answer.result, process.env.COMPLETION_PROOF_ATTRIBUTE || undefined), null, 2)}\n`);
    return EXIT.ok;
  }
  io.out(`${JSON.stringify({ errorType: answer.errorType, errorMessage: answer.errorMessage })}\n`);
  return EXIT.findings;
}

/**
 * The response as Cognito would read it, less the password it echoes in
 * `request`, and with the link proof's value, in the answer's or the event's
 * attributes, shown only as present.
 *
 * @example
 * ```ts
 * printable({ request: { password: 'x' }, response: { userAttributes: { 'custom:legacy_proof': 'v1.…' } } })
 * // { request: {}, response: { userAttributes: { 'custom:legacy_proof': '(link proof, not shown)' } } }
 * ```
 */
export function printable(result: unknown, proofAttribute?: string): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const { request, response, ...rest } = result as { request?: Record<string, unknown>; response?: Record<string, unknown> };
  const shown = (part: Record<string, unknown> | undefined) => {
    const attributes = part?.userAttributes;
    return attributes && typeof attributes === 'object' ? { ...part, userAttributes: printableAttributes(attributes as Record<string, unknown>, proofAttribute) } : part;
  };
  const out: Record<string, unknown> = { ...rest };
  if (request !== undefined) {
    const { password: _password, ...safe } = typeof request === 'object' && request !== null ? request : {};
    out.request = typeof request === 'object' && request !== null ? shown(safe) : request;
  }
  if (response !== undefined) out.response = typeof response === 'object' && response !== null ? shown(response) : response;
  return out;
}

/** `cognito-migrate invoke`. */
export const command: Command = { name: 'invoke', summary: 'Run the built handler once with a trigger event', usage: USAGE, run: invoke };
