// `cognito-migrate csv lint|export`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttributeMapping } from '../../src/attributes.js';
import { databaseUrl, streamLegacyUsers } from '../cli/database-url.js';
import { linkKeyFromEnv } from '../../src/environment.js';
import { linkKeyReader } from '../../src/link-proof.js';
import { type ExportItem, type HashConversion, IMPORT_ALGORITHMS, type ImportHashAlgorithm, exportCsv } from '../../src/csv/export.js';
import { lintCsvFile } from '../../src/csv/lint.js';
import { parseFlag } from '../../src/flags.js';
import type { CsvRules } from '../../src/csv/rules.js';
import { type Command, EXIT, type Io, UsageError, integerOption, jsonOption, parse, readJsonFile } from '../cli/command.js';
import { CSV_USAGE, LINT_USAGE, EXPORT_USAGE } from './usage.js';

/** A migrated-column value that says "migrated": true, or a timestamp (what markMigrated writes); NULL and false spellings are not. */
function isMigrated(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (value instanceof Date) return true;
  return parseFlag(value) !== false;
}

const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

/**
 * The pool's CSV header from a file: what `aws cognito-idp get-csv-header` prints, or a bare array.
 * @example await readHeader('header.json') // ['name', 'given_name', …, 'cognito:username']
 */
export async function readHeader(path: string): Promise<string[]> {
  const fix = 'save the output of aws cognito-idp get-csv-header --user-pool-id ID';
  const parsed = (await readJsonFile(path, 'the header file', fix)) as { CSVHeader?: unknown } | unknown[] | null;
  const header = Array.isArray(parsed) ? parsed : parsed?.CSVHeader;
  if (!Array.isArray(header) || header.length === 0 || !header.every((c) => typeof c === 'string')) {
    throw new UsageError(`the header file ${path} has no CSVHeader array of column names: ${fix}`);
  }
  return header as string[];
}

function rulesFrom(values: Record<string, string | boolean | undefined>, header: string[]): CsvRules {
  const mfa = values.mfa as string | undefined;
  if (mfa && !['ON', 'OFF', 'OPTIONAL'].includes(mfa)) throw new UsageError('--mfa must be ON, OFF or OPTIONAL');
  const auto = list(values['auto-verified'] as string | undefined) as CsvRules['autoVerified'];
  return { header, ...(auto ? { autoVerified: auto } : {}), ...(mfa ? { mfa: mfa as CsvRules['mfa'] } : {}), ...(values.required ? { required: list(values.required as string)! } : {}) };
}

const RULE_OPTIONS = { 'auto-verified': { type: 'string' }, mfa: { type: 'string' }, required: { type: 'string' } } as const;

/** The lint-only rule: the algorithm of the job the file is for. */
function hashAlgorithmFrom(value: string | undefined): Pick<CsvRules, 'passwordHashAlgorithm'> {
  if (value === undefined) return {};
  if (!(IMPORT_ALGORITHMS as readonly string[]).includes(value)) throw new UsageError(`--password-hash-algorithm takes ${IMPORT_ALGORITHMS.join(', ')}, not "${value}"`);
  return { passwordHashAlgorithm: value as ImportHashAlgorithm };
}

/**
 * `csv lint` and `csv export`.
 * @example await csv(['lint', 'users.csv', '--header', 'header.json'])
 */
export async function csv(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'lint') return lintCommand(rest, print);
  if (sub === 'export') return exportCommand(rest, print);
  throw new UsageError(sub === undefined ? 'a subcommand is required: lint or export' : `unknown subcommand "${sub}": use lint or export`);
}

async function lintCommand(argv: string[], print: (t: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { header: { type: 'string' }, 'password-hash-algorithm': { type: 'string' }, json: { type: 'boolean', default: false }, ...RULE_OPTIONS }, true);
  if (positionals.length !== 1 || !values.header) throw new UsageError('lint needs FILE and --header HEADER.json');
  const file = positionals[0]!;
  const rules = { ...rulesFrom(values, await readHeader(values.header)), ...hashAlgorithmFrom(values['password-hash-algorithm']) };
  try {
    await readFile(file, { flag: 'r' }).then(() => undefined);
  } catch (err) {
    throw new UsageError(`cannot read the CSV file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { problems, users } = await lintCsvFile(file, rules);
  if (values.json) {
    print(`${JSON.stringify({ file, users, ok: problems.length === 0, problems }, null, 2)}\n`);
  } else {
    for (const p of problems) print(`${file}:${p.line}: ${p.column}: ${p.rule}. Fix: ${p.fix}\n`);
    print(problems.length ? `${problems.length} problem(s) in ${users} user(s)\n` : `${file}: valid, ${users} user(s)\n`);
  }
  return problems.length ? EXIT.findings : EXIT.ok;
}

/** `--convert pbkdf2,scrypt` or `none`: the re-encodings the export applies. */
function convertOption(text: string | undefined): HashConversion[] | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return [];
  const names = list(text) ?? [];
  const unknown = names.filter((n) => n !== 'pbkdf2' && n !== 'scrypt');
  if (unknown.length || !names.length) throw new UsageError(`--convert takes pbkdf2, scrypt (comma-separated) or none, not "${text}"`);
  return names as HashConversion[];
}

async function exportCommand(argv: string[], print: (t: string) => void): Promise<number> {
  const { values } = parse(argv, {
    out: { type: 'string' }, header: { type: 'string' }, 'user-pool-id': { type: 'string' }, 'database-url': { type: 'string' }, 'database-url-file': { type: 'string' },
    table: { type: 'string' }, columns: { type: 'string' }, query: { type: 'string' }, 'attribute-map': { type: 'string' },
    'migrated-column': { type: 'string' }, 'skip-existing': { type: 'boolean', default: false }, 'hash-column': { type: 'string' },
    'hash-formats': { type: 'string' }, 'include-disabled': { type: 'boolean', default: false }, 'max-users': { type: 'string' },
    'max-bytes': { type: 'string' }, unimportable: { type: 'string' }, convert: { type: 'string' }, json: { type: 'boolean', default: false }, ...RULE_OPTIONS,
  });
  if (!values.out) throw new UsageError('export needs --out DIR');
  const url = await databaseUrl(values['database-url'], values['database-url-file']);
  const poolId = values['user-pool-id'];
  let header: string[];
  let existing: Set<string> | undefined;
  if (values.header) header = await readHeader(values.header);
  else if (poolId) header = await onlineHeader(poolId);
  else throw new UsageError('export needs --header HEADER.json or --user-pool-id ID (GetCSVHeader)');
  if (values['skip-existing']) {
    if (!poolId) throw new UsageError('--skip-existing needs --user-pool-id (the pool to look users up in)');
    existing = await poolUsers(poolId);
  }
  // The published hash column is password_hash (exportCsv's default when the header has it); --hash-column names another.
  const hashColumn = values['hash-column'];
  const unimportable = values.unimportable;
  if (unimportable !== undefined && unimportable !== 'trigger' && unimportable !== 'reset') {
    throw new UsageError(`--unimportable takes trigger (leave such users for the sign-in trigger, the default) or reset (export them without a hash), not "${unimportable}"`);
  }
  const conversions = convertOption(values.convert);
  let total = 0;
  const tty = process.stderr.isTTY;
  const source = {
    // The count is for the progress bar alone: without a terminal to draw it on, the rows are not read twice.
    ...(tty ? { onCount: (n: number) => (total = n) } : {}),
    ...(values.table ? { table: values.table } : {}), ...(values.query ? { query: values.query } : {}), ...(values.columns ? { columns: jsonOption('columns', values.columns) as object } : {}),
  };
  const migrated = values['migrated-column'];
  const bar = (seen: number) => {
    if (!tty) return;
    const share = total ? Math.min(1, seen / total) : 0;
    process.stderr.write(`\r  [${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${seen.toLocaleString('en')} / ${total.toLocaleString('en')} users`);
  };
  const attributes = (jsonOption('attribute-map', values['attribute-map']) ?? jsonOption('attribute-map (ATTRIBUTE_MAP)', process.env.ATTRIBUTE_MAP)) as AttributeMapping | undefined;
  const maxUsers = integerOption('max-users', values['max-users'], 1, 500_000);
  const maxBytes = integerOption('max-bytes', values['max-bytes'], 1024, 100 * 1024 * 1024);
  // The proof the completion asks of every user (src/link-proof.ts): made with the function's key, for this pool.
  let proof: { key: string; userPoolId: string } | undefined;
  const keySource = linkKeyFromEnv(process.env);
  if (keySource !== undefined) {
    if (!poolId) throw new UsageError('the link proof (LINK_KEY_ARN or LINK_KEY is set) needs --user-pool-id: each proof is bound to its pool');
    const key = await linkKeyReader(keySource)().catch((err: Error) => { throw new UsageError(err.message); });
    proof = { key: key!, userPoolId: poolId };
  }
  // The URL's scheme picks the database: postgres:// or mysql:// (mariadb://).
  const summary = await exportCsv(await streamLegacyUsers(url, source), {
    header, outDir: values.out, rules: rulesFrom(values, header),
    ...(attributes ? { attributes } : {}),
    ...(hashColumn ? { hashColumn } : {}),
    ...(values['hash-formats'] ? { hashAlgorithms: list(values['hash-formats']) as ImportHashAlgorithm[] } : {}),
    includeDisabled: values['include-disabled'],
    ...(proof ? { proof } : {}),
    ...(unimportable ? { unimportable } : {}),
    ...(conversions ? { conversions } : {}),
    ...(maxUsers ? { maxUsers } : {}),
    ...(maxBytes ? { maxBytes } : {}),
    ...(migrated || existing ? {
      skip: ({ login, user }: ExportItem) => {
        if (migrated && isMigrated(user.fields[migrated])) return `already migrated (column ${migrated} is set)`;
        if (existing && (existing.has(login) || existing.has(String(user.fields.email ?? '')))) return 'already in the target pool';
        return undefined;
      },
    } : {}),
    onProgress: bar,
  });
  bar(summary.seen);
  if (tty) process.stderr.write('\n');
  if (values.json) {
    print(`${JSON.stringify({ ...summary, files: summary.files.map((f) => ({ ...f, path: join(values.out!, f.file) })) }, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const f of summary.files) print(`${join(values.out, f.file)}: ${f.users} users, ${f.bytes} bytes${f.passwordHashingAlgorithm ? `, PasswordHashingAlgorithm ${f.passwordHashingAlgorithm}` : ''}\n`);
  print(`${summary.exported} exported (${summary.withHash} with their hash, ${summary.converted} of them re-encoded, ${summary.withoutHash} without: they reset their password), ${summary.leftOut} left out, ${summary.forTrigger} of them for the sign-in trigger (reasons in ${summary.reportPath}); manifest ${summary.manifestPath}\n`);
  return EXIT.ok;
}

async function cognitoClient() {
  const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
  return new CognitoIdentityProviderClient({});
}

async function onlineHeader(userPoolId: string): Promise<string[]> {
  const { GetCSVHeaderCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const out = await (await cognitoClient()).send(new GetCSVHeaderCommand({ UserPoolId: userPoolId }));
  return out.CSVHeader ?? [];
}

async function poolUsers(userPoolId: string): Promise<Set<string>> {
  const { readPoolUsers } = await import('../cli/pool-users.js');
  return (await readPoolUsers(await cognitoClient(), userPoolId, ['email'])).names;
}

/** `cognito-migrate csv`. */
export const command: Command = {
  name: 'csv',
  summary: 'lint or export Cognito CSV import files',
  usage: CSV_USAGE,
  subcommands: { lint: LINT_USAGE, export: EXPORT_USAGE },
  run: (argv: string[], io: Io) => csv(argv, io.out),
};
