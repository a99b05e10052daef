// The cognito-migrate command-line tool. Bundled by `npm run build` to dist/cli.mjs (the package's bin).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CSV_USAGE } from './csv/usage.js';
import { DOCTOR_USAGE } from './doctor/usage.js';
import { packageRoot } from './lib/paths.mjs';
import { invokeOnce, loadHandler, makeContext } from './lib/run-handler.mjs';

const root = packageRoot(import.meta.url);

const USAGE: string = `Usage: cognito-migrate <command> [options]

Commands:
  invoke --event FILE [--function NAME] [--bundle FILE] [--timeout MS]
      Runs the built handler (dist/NAME/index.mjs, NAME defaults to postgres) once,
      in this process, with the current environment, and prints the response
      as \`sam local invoke -e FILE\` would. Exit code 1 when the handler throws.

${DOCTOR_USAGE}

${CSV_USAGE}

  help
      Shows this text.`;

class UsageError extends Error {}

async function invoke(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      event: { type: 'string', short: 'e' },
      function: { type: 'string', default: 'postgres' },
      bundle: { type: 'string' },
      timeout: { type: 'string', default: '5000' },
    },
    strict: true,
  });
  if (!values.event) throw new UsageError('invoke: --event FILE is required (a trigger event, e.g. events/authentication.json)');
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError(`invoke: --timeout must be a whole number of ms, got "${values.timeout}"`);
  let text: string;
  try {
    text = await readFile(resolve(values.event), 'utf8');
  } catch (err) {
    throw new UsageError(`invoke: cannot read the event file ${values.event} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    // The parser's message quotes the file, which holds a password: say where to look, not what is there.
    throw new UsageError(`invoke: the event file ${values.event} is not valid JSON; compare it with events/authentication.json`);
  }
  const file = values.bundle ? resolve(values.bundle) : join(root, 'dist', values.function!, 'index.mjs');
  // As with `sam local invoke`, the function's own log lines go to stderr and only the response to stdout.
  const print = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let answer: Awaited<ReturnType<typeof invokeOnce>>;
  try {
    const handler = await loadHandler(file, 'handler');
    answer = await invokeOnce(handler, event, makeContext({ functionName: `cognito-migrate-${values.function}`, timeoutMs }));
    // The function's database connection would keep this process alive; a Lambda sandbox would just be frozen.
    await (handler as { close?: () => Promise<void> }).close?.().catch(() => {});
  } catch (err) {
    answer = { ok: false, errorType: (err as { errorType?: string }).errorType ?? 'Error', errorMessage: (err as Error).message };
  } finally {
    process.stdout.write = print;
  }
  if (answer.ok) {
    print(`${JSON.stringify(withoutPassword(answer.result), null, 2)}\n`);
    return 0;
  }
  print(`${JSON.stringify({ errorType: answer.errorType, errorMessage: answer.errorMessage })}\n`);
  return 1;
}

/** The response as Cognito would read it, less the password it echoes in `request`. */
function withoutPassword(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const { request, ...rest } = result as { request?: Record<string, unknown> };
  if (typeof request !== 'object' || request === null) return result;
  const { password: _password, ...safe } = request;
  return { ...rest, request: safe };
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  invoke,
  // Each command loads its own modules (and the AWS SDK clients it needs) only when it runs.
  doctor: async (argv) => (await import('./doctor/index.js')).doctor(argv),
  csv: async (argv) => (await import('./csv/index.js')).csv(argv),
  import: async (argv) => (await import('./csv/index.js')).importCommand(argv),
  help: async () => (console.log(USAGE), 0),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    console.error(command ? `cognito-migrate: unknown command "${command}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  try {
    return await run(rest);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) || /^\w+: /.test((err as Error).message)) {
      console.error(`cognito-migrate: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
// Exit explicitly: a handler may leave sockets or timers behind, as Lambda functions do.
process.stdout.write('', () => process.exit(code));
