// `cognito-migrate import`: runs Cognito user import jobs (run.ts) from the command line.
import { join } from 'node:path';
import { IMPORT_ALGORITHMS, type ImportHashAlgorithm } from '../../src/csv/hash-import.js';
import { type Command, EXIT, type Io, UsageError, integerOption, parse } from '../cli/command.js';
import { readManifestFiles } from '../csv/manifest.js';
import { createImportRole, runImport } from './run.js';

const USAGE = `Usage: cognito-migrate import --user-pool-id ID (--file F | --manifest DIR/manifest.json) (--role-arn ARN | --create-role NAME)
         [--password-hash-algorithm BCRYPT|SCRYPT|ARGON2ID|PBKDF2_SHA256] [--job-name N] [--poll-seconds S] [--first-user-line N] [--json]

Runs the import job(s): CreateUserImportJob, upload to the pre-signed URL
(x-amz-server-side-encryption: aws:kms), StartUserImportJob, progress until the
end (Ctrl-C stops the job), then maps every [FAILED]/[SKIPPED] log line to its
username in a per-user result file, with the explanation and the fix. With
--manifest (from csv export) the files run one after another, each with its
PasswordHashingAlgorithm (--password-hash-algorithm gives it for one --file).
A file with hashes but no algorithm, an algorithm but no password_hash column,
or a hash of another algorithm or over the published bounds is refused before
anything is created or uploaded. --json prints one object per job.

Then complete the imported users' migration (the sub written back to the
legacy row, groups from legacy roles, the completion mark) with
cognito-migrate complete --user-pool-id ID.

Exit code 1 when a job does not succeed.`;

/**
 * `import`: one job, or every file of an export manifest one after another (one active job at a time).
 * @example await importCommand(['--user-pool-id', 'eu-west-1_Abc', '--file', 'users-0001.csv', '--role-arn', arn])
 */
export async function importCommand(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parse(argv, {
    'user-pool-id': { type: 'string' }, file: { type: 'string' }, manifest: { type: 'string' }, 'role-arn': { type: 'string' },
    'create-role': { type: 'string' }, 'job-name': { type: 'string' }, 'poll-seconds': { type: 'string' }, 'first-user-line': { type: 'string' },
    'password-hash-algorithm': { type: 'string' }, json: { type: 'boolean', default: false },
  });
  const userPoolId = values['user-pool-id'];
  if (!userPoolId) throw new UsageError('--user-pool-id is required');
  if (!values['role-arn'] && !values['create-role']) throw new UsageError('--role-arn ARN or --create-role NAME is required (the CloudWatch Logs role of the job)');
  const pollSeconds = integerOption('poll-seconds', values['poll-seconds'], 1, 300) ?? 5;
  const firstUserLine = integerOption('first-user-line', values['first-user-line'], 1, 3);
  let jobs: Array<{ file: string; passwordHashingAlgorithm?: ImportHashAlgorithm }>;
  if (values.manifest) {
    jobs = (await readManifestFiles(values.manifest)).map((f) => ({ ...f, file: join(values.manifest!, '..', f.file) }));
  } else if (values.file) {
    const algorithm = values['password-hash-algorithm'];
    if (algorithm !== undefined && !(IMPORT_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new UsageError(`--password-hash-algorithm takes BCRYPT, SCRYPT, ARGON2ID or PBKDF2_SHA256, not "${algorithm}"`);
    }
    jobs = [{ file: values.file, ...(algorithm ? { passwordHashingAlgorithm: algorithm as ImportHashAlgorithm } : {}) }];
  }
  else throw new UsageError('--file F or --manifest DIR/manifest.json is required');
  const [{ CognitoIdentityProviderClient }, { CloudWatchLogsClient }, { IAMClient }] = await Promise.all([
    import('@aws-sdk/client-cognito-identity-provider'), import('@aws-sdk/client-cloudwatch-logs'), import('@aws-sdk/client-iam'),
  ]);
  const clients = { cognito: new CognitoIdentityProviderClient({}), logs: new CloudWatchLogsClient({}), iam: new IAMClient({}) };
  const abort = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nStopping the import job (StopUserImportJob)…\n');
    abort.abort();
  });
  const roleArn = values['role-arn'] ?? (await createImportRole(clients, values['create-role']!));
  let failed = false;
  const outcomes = [];
  for (const job of jobs) {
    const outcome = await runImport(clients, {
      userPoolId, file: job.file, signal: abort.signal, roleArn,
      ...(values['job-name'] ? { jobName: values['job-name'] } : {}),
      ...(job.passwordHashingAlgorithm ? { passwordHashingAlgorithm: job.passwordHashingAlgorithm } : {}),
      pollMs: pollSeconds * 1000,
      ...(firstUserLine ? { firstUserLine } : {}),
      onProgress: (j) => process.stderr.write(`\r  ${j.JobId} ${j.Status}: ${j.ImportedUsers ?? 0} imported, ${j.SkippedUsers ?? 0} skipped, ${j.FailedUsers ?? 0} failed   `),
    });
    process.stderr.write('\n');
    outcomes.push({ file: job.file, ...outcome });
    if (!values.json) print(`${job.file}: job ${outcome.jobId} ${outcome.status} (${outcome.imported} imported, ${outcome.skipped} skipped, ${outcome.failed} failed). ${outcome.message}${outcome.fix ? ` Fix: ${outcome.fix}` : ''}\nPer-user results: ${outcome.resultPath}\n`);
    if (outcome.status !== 'Succeeded') failed = true;
    if (abort.signal.aborted || outcome.status === 'Failed' || outcome.status === 'Expired') break;
  }
  if (values.json) print(`${JSON.stringify({ ok: !failed, jobs: outcomes }, null, 2)}\n`);
  return failed ? EXIT.findings : EXIT.ok;
}

/** `cognito-migrate import`. */
export const command: Command = { name: 'import', summary: 'Run Cognito user import jobs', usage: USAGE, run: (argv: string[], io: Io) => importCommand(argv, io.out) };
