// `cognito-migrate csv lint|export` and `cognito-migrate import`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttributeMapping } from '../../src/attributes.js';
import { type ExportItem, type ImportHashAlgorithm, exportCsv } from '../../src/csv/export.js';
import { lintCsvFile } from '../../src/csv/lint.js';
import type { CsvRules } from '../../src/csv/rules.js';
import { createImportRole, runImport } from './import.js';

export { CSV_USAGE } from './usage.js';

const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
const json = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new Error(`csv: --${name} must be JSON, got ${v.slice(0, 40)}`);
  }
};

async function readHeader(path: string): Promise<string[]> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as { CSVHeader?: string[] } | string[];
  const header = Array.isArray(parsed) ? parsed : parsed.CSVHeader;
  if (!Array.isArray(header) || header.length === 0) throw new Error(`csv: ${path} has no CSVHeader array; save the output of aws cognito-idp get-csv-header --user-pool-id ID`);
  return header;
}

function rulesFrom(values: Record<string, string | boolean | undefined>, header: string[]): CsvRules {
  const mfa = values.mfa as string | undefined;
  if (mfa && !['ON', 'OFF', 'OPTIONAL'].includes(mfa)) throw new Error(`csv: --mfa must be ON, OFF or OPTIONAL, got "${mfa}"`);
  const auto = list(values['auto-verified'] as string | undefined) as CsvRules['autoVerified'];
  return { header, ...(auto ? { autoVerified: auto } : {}), ...(mfa ? { mfa: mfa as CsvRules['mfa'] } : {}), ...(values.required ? { required: list(values.required as string)! } : {}) };
}

const RULE_OPTIONS = { 'auto-verified': { type: 'string' }, mfa: { type: 'string' }, required: { type: 'string' } } as const;

/**
 * `csv lint` and `csv export`.
 * @example await csv(['lint', 'users.csv', '--header', 'header.json'])
 */
export async function csv(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'lint') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { header: { type: 'string' }, ...RULE_OPTIONS } });
    if (positionals.length !== 1 || !values.header) throw new Error('csv: lint needs FILE and --header HEADER.json');
    const { problems, users } = await lintCsvFile(positionals[0]!, rulesFrom(values, await readHeader(values.header)));
    for (const p of problems) print(`${positionals[0]}:${p.line}: ${p.column}: ${p.rule}. Fix: ${p.fix}\n`);
    print(problems.length ? `${problems.length} problem(s) in ${users} user(s)\n` : `${positionals[0]}: valid, ${users} user(s)\n`);
    return problems.length ? 1 : 0;
  }
  if (sub === 'export') return exportCommand(rest, print);
  throw new Error(`csv: unknown subcommand "${sub ?? ''}"; use lint or export`);
}

/** The database URL from a file, the environment, or (discouraged: it shows in `ps` and shell history) the command line. */
async function databaseUrl(flag: string | undefined, file: string | undefined): Promise<string> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`csv: cannot read --database-url-file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const url = text.trim();
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`csv: --database-url-file ${file} must hold one postgres:// URL`);
    return url;
  }
  const url = flag ?? process.env.DATABASE_URL;
  if (!url) throw new Error('csv: export needs DATABASE_URL in the environment or --database-url-file FILE');
  return url;
}

async function exportCommand(argv: string[], print: (t: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' }, header: { type: 'string' }, 'user-pool-id': { type: 'string' }, 'database-url': { type: 'string' }, 'database-url-file': { type: 'string' },
      table: { type: 'string' }, columns: { type: 'string' }, query: { type: 'string' }, 'attribute-map': { type: 'string' },
      'migrated-column': { type: 'string' }, 'skip-existing': { type: 'boolean', default: false }, 'hash-column': { type: 'string' },
      'hash-formats': { type: 'string' }, 'include-disabled': { type: 'boolean', default: false }, 'max-users': { type: 'string' },
      'max-bytes': { type: 'string' }, ...RULE_OPTIONS,
    },
  });
  if (!values.out) throw new Error('csv: export needs --out DIR');
  const url = await databaseUrl(values['database-url'], values['database-url-file']);
  const poolId = values['user-pool-id'];
  let header: string[];
  let existing: Set<string> | undefined;
  if (values.header) header = await readHeader(values.header);
  else if (poolId) header = await onlineHeader(poolId);
  else throw new Error('csv: export needs --header HEADER.json or --user-pool-id ID (GetCSVHeader)');
  if (values['skip-existing']) {
    if (!poolId) throw new Error('csv: --skip-existing needs --user-pool-id (the pool to look users up in)');
    existing = await poolUsers(poolId);
  }
  // The hash column is read from the pool's header, never guessed: an explicit name, or the one extra cognito: column there.
  let hashColumn = values['hash-column'];
  if (!hashColumn) {
    const extra = header.filter((c) => c.startsWith('cognito:') && c !== 'cognito:username' && c !== 'cognito:mfa_enabled');
    if (extra.length === 1) hashColumn = extra[0];
    else if (extra.length > 1) throw new Error(`csv: the header has several extra cognito: columns (${extra.join(', ')}); name the hash column with --hash-column`);
  }
  const { streamPostgresUsers } = await import('../../adapters/postgres/export.js');
  let total = 0;
  const source = {
    connection: url, onCount: (n: number) => (total = n),
    ...(values.table ? { table: values.table } : {}), ...(values.query ? { query: values.query } : {}), ...(values.columns ? { columns: json('columns', values.columns) as object } : {}),
  };
  const migrated = values['migrated-column'];
  const tty = process.stderr.isTTY;
  const bar = (seen: number) => {
    if (!tty) return;
    const share = total ? Math.min(1, seen / total) : 0;
    process.stderr.write(`\r  [${'#'.repeat(Math.round(share * 30)).padEnd(30, '.')}] ${seen.toLocaleString('en')} / ${total.toLocaleString('en')} users`);
  };
  const attributes = (json('attribute-map', values['attribute-map']) ?? json('ATTRIBUTE_MAP', process.env.ATTRIBUTE_MAP)) as AttributeMapping | undefined;
  const summary = await exportCsv(streamPostgresUsers(source), {
    header, outDir: values.out, rules: rulesFrom(values, header),
    ...(attributes ? { attributes } : {}),
    ...(hashColumn ? { hashColumn } : {}),
    ...(values['hash-formats'] ? { hashAlgorithms: list(values['hash-formats']) as ImportHashAlgorithm[] } : {}),
    includeDisabled: values['include-disabled'],
    ...(values['max-users'] ? { maxUsers: Number(values['max-users']) } : {}),
    ...(values['max-bytes'] ? { maxBytes: Number(values['max-bytes']) } : {}),
    skip: ({ login, user }: ExportItem) => {
      if (migrated && user.fields[migrated] === true) return `already migrated (column ${migrated} is true)`;
      if (existing && (existing.has(login) || existing.has(String(user.fields.email ?? '')))) return 'already in the target pool';
      return undefined;
    },
    onProgress: bar,
  });
  bar(summary.seen);
  if (tty) process.stderr.write('\n');
  for (const f of summary.files) print(`${join(values.out, f.file)}: ${f.users} users, ${f.bytes} bytes${f.passwordHashingAlgorithm ? `, PasswordHashingAlgorithm ${f.passwordHashingAlgorithm}` : ''}\n`);
  print(`${summary.exported} exported, ${summary.leftOut} left out (reasons in ${summary.reportPath}); manifest ${summary.manifestPath}\n`);
  return 0;
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
  const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const client = await cognitoClient();
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, ...(token ? { PaginationToken: token } : {}) }));
    for (const u of page.Users ?? []) {
      if (u.Username) seen.add(u.Username);
      for (const a of u.Attributes ?? []) if (a.Name === 'email' && a.Value) seen.add(a.Value);
    }
    token = page.PaginationToken;
  } while (token);
  return seen;
}

/**
 * `import`: one job, or every file of an export manifest one after another (one active job at a time).
 * @example await importCommand(['--user-pool-id', 'eu-west-1_Abc', '--file', 'users-0001.csv', '--role-arn', arn])
 */
export async function importCommand(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'user-pool-id': { type: 'string' }, file: { type: 'string' }, manifest: { type: 'string' }, 'role-arn': { type: 'string' },
      'create-role': { type: 'string' }, 'job-name': { type: 'string' }, 'poll-seconds': { type: 'string', default: '5' }, 'first-user-line': { type: 'string' },
    },
  });
  if (!values['user-pool-id']) throw new Error('import: --user-pool-id is required');
  let jobs: Array<{ file: string; passwordHashingAlgorithm?: ImportHashAlgorithm }>;
  if (values.manifest) {
    const manifest = JSON.parse(await readFile(values.manifest, 'utf8')) as { files: Array<{ file: string; passwordHashingAlgorithm?: ImportHashAlgorithm }> };
    jobs = manifest.files.map((f) => ({ ...f, file: join(values.manifest!, '..', f.file) }));
  } else if (values.file) jobs = [{ file: values.file }];
  else throw new Error('import: --file F or --manifest DIR/manifest.json is required');
  const [{ CognitoIdentityProviderClient }, { CloudWatchLogsClient }, { IAMClient }] = await Promise.all([
    import('@aws-sdk/client-cognito-identity-provider'), import('@aws-sdk/client-cloudwatch-logs'), import('@aws-sdk/client-iam'),
  ]);
  const clients = { cognito: new CognitoIdentityProviderClient({}), logs: new CloudWatchLogsClient({}), iam: new IAMClient({}) };
  const abort = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nStopping the import job (StopUserImportJob)…\n');
    abort.abort();
  });
  const roleArn = values['role-arn'] ?? (values['create-role'] ? await createImportRole(clients, values['create-role']) : undefined);
  if (!roleArn) throw new Error('import: --role-arn ARN or --create-role NAME is required (the CloudWatch Logs role of the job)');
  let failed = false;
  for (const job of jobs) {
    const outcome = await runImport(clients, {
      userPoolId: values['user-pool-id'], file: job.file, signal: abort.signal, roleArn,
      ...(values['job-name'] ? { jobName: values['job-name'] } : {}),
      ...(job.passwordHashingAlgorithm ? { passwordHashingAlgorithm: job.passwordHashingAlgorithm } : {}),
      pollMs: Number(values['poll-seconds']) * 1000,
      ...(values['first-user-line'] ? { firstUserLine: Number(values['first-user-line']) } : {}),
      onProgress: (j) => process.stderr.write(`\r  ${j.JobId} ${j.Status}: ${j.ImportedUsers ?? 0} imported, ${j.SkippedUsers ?? 0} skipped, ${j.FailedUsers ?? 0} failed   `),
    });
    process.stderr.write('\n');
    print(`${job.file}: job ${outcome.jobId} ${outcome.status} (${outcome.imported} imported, ${outcome.skipped} skipped, ${outcome.failed} failed). ${outcome.message}${outcome.fix ? ` Fix: ${outcome.fix}` : ''}\nPer-user results: ${outcome.resultPath}\n`);
    if (outcome.status !== 'Succeeded') failed = true;
    if (abort.signal.aborted || outcome.status === 'Failed' || outcome.status === 'Expired') break;
  }
  return failed ? 1 : 0;
}
