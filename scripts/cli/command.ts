// What every command of the CLI is, and the few rules they share: one clear
// line and exit 2 for a usage mistake, never a stack trace, never a file's
// contents quoted back.
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Where a command writes: standard output for results, standard error for everything else. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/**
 * One command of `cognito-migrate`.
 *
 * @example
 * ```ts
 * export const command: Command = { name: 'invoke', summary: 'Run the built handler once', usage: INVOKE_USAGE, run: invoke }
 * ```
 */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The command's full help text (`cognito-migrate NAME --help`). */
  readonly usage: string;
  /** Help texts of subcommands (`cognito-migrate csv lint --help`). */
  readonly subcommands?: Readonly<Record<string, string>>;
  /** Resolves the exit code: 0 fine, 1 findings or a failed operation; throws UsageError for a mistake in the call. */
  run(argv: string[], io: Io): Promise<number>;
}

/** The exit codes every command uses. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/**
 * A mistake in how the command was called (an option, a missing or unreadable
 * input): one line on standard error and exit 2.
 *
 * @example
 * ```ts
 * throw new UsageError('--out DIR is required')
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Node's `parseArgs`, strict, with its errors (unknown option, missing value)
 * turned into {@link UsageError}.
 *
 * @example
 * ```ts
 * const { values, positionals } = parse(argv, { out: { type: 'string' } }, true)
 * ```
 */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
    throw err;
  }
}

/**
 * Reads and parses a JSON input file, or throws {@link UsageError} naming the
 * file and the fix, never quoting what is in it (an event holds a password).
 *
 * @example
 * ```ts
 * const header = await readJsonFile(path, 'the header file', 'save the output of aws cognito-idp get-csv-header')
 * ```
 */
export async function readJsonFile(path: string, what: string, fix: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${what} ${path} is not valid JSON: ${fix}`);
  }
}

/**
 * Parses a JSON option value, naming the option but not echoing the value.
 *
 * @example
 * ```ts
 * jsonOption('attribute-map', values['attribute-map'])
 * ```
 */
export function jsonOption(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new UsageError(`--${name} must be JSON, e.g. --${name} '{"email":"email"}'`);
  }
}

/**
 * A whole number option within bounds.
 *
 * @example
 * ```ts
 * integerOption('poll-seconds', values['poll-seconds'], 1, 300)
 * ```
 */
export function integerOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}
