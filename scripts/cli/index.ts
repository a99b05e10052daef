// The cognito-migrate command-line tool: the commands and what they share. bin.ts runs it;
// `npm run build` bundles that to dist/cli.mjs, the package's bin.
import { type Command, EXIT, type Io, UsageError } from './command.js';
import { packageVersion } from './paths.js';

// Each command loads its own modules (and the AWS SDK clients it needs) only when it runs.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  invoke: { summary: 'Run the built handler once with a trigger event, as `sam local invoke -e` does', load: async () => (await import('../invoke/index.js')).command },
  doctor: { summary: 'Find what would make legacy users fail to sign in, before they do', load: async () => (await import('../doctor/index.js')).command },
  csv: { summary: 'lint or export Cognito CSV import files', load: async () => (await import('../csv/index.js')).command },
  import: { summary: 'Run Cognito user import jobs and map their results to usernames', load: async () => (await import('../import/index.js')).command },
  complete: { summary: 'Write bulk-imported users\' subs back page by page (no billed user); --touch completes them now', load: async () => (await import('../complete/index.js')).command },
  plan: { summary: 'What each bulk step costs for N users: calls by quota category, billed users, hours', load: async () => (await import('../plan/index.js')).command },
  status: { summary: 'How far the migration is, and what to do with the rest', load: async () => (await import('../status/index.js')).command },
  stage: { summary: 'Load an Auth0, Firebase or Keycloak export into the table the adapter reads', load: async () => (await import('../stage/index.js')).command },
  db: { summary: 'db index: the indexes that keep every lookup one index probe', load: async () => (await import('../db/index.js')).command },
};

const USAGE = `Usage: cognito-migrate <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join('\n')}

Options:
  -h, --help     Show this text, or a command's own (cognito-migrate <command> --help)
  --version      Print the version

Exit codes: 0 fine; 1 findings (a failed check, a lint problem, a failed job
or invocation); 2 a mistake in the call (one line on standard error says what).
Reports go to standard output; --json gives them as JSON where a command reports.`;

const isHelp = (arg: string | undefined) => arg === '-h' || arg === '--help' || arg === 'help';

/**
 * Runs the CLI; resolves the exit code. Never prints a stack trace: a usage
 * mistake is one line and exit 2, an unexpected failure one line and exit 1.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['doctor', '--json'], io)
 * ```
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(`${USAGE}\n`);
    return EXIT.usage;
  }
  if (isHelp(name)) {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (name === '--version' || rest.includes('--version')) {
    io.out(`${packageVersion(import.meta.url)}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.err(`cognito-migrate: unknown command "${name}". Run cognito-migrate --help for the commands.\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.some((a) => a === '-h' || a === '--help')) {
    const sub = rest[0] !== undefined && command.subcommands && Object.hasOwn(command.subcommands, rest[0]) ? command.subcommands[rest[0]] : undefined;
    io.out(`${sub ?? command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const sub = rest[0] !== undefined && command.subcommands && Object.hasOwn(command.subcommands, rest[0]) ? ` ${rest[0]}` : '';
      io.err(`cognito-migrate ${name}${sub}: ${err.message}. Run cognito-migrate ${name}${sub} --help for the options.\n`);
      return EXIT.usage;
    }
    io.err(`cognito-migrate ${name}: ${describe(err)}\n`);
    return EXIT.findings;
  }
}

/** One line about an unexpected failure: the error's kind and message, never a stack; a database's data errors by code only. */
function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; severity?: string };
  if (typeof e?.severity === 'string' && typeof e.code === 'string') {
    // PostgreSQL's own text can quote a stored value (data exceptions); its class-42 text names the schema only.
    return e.code.startsWith('42') ? `PostgreSQL refused the statement: ${e.message} (SQLSTATE ${e.code})` : `PostgreSQL refused the statement (SQLSTATE ${e.code})`;
  }
  return `${e?.name ?? 'Error'}: ${(e?.message ?? String(err)).split('\n')[0]}`;
}
