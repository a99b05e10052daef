// cognito-migrate import: runs a Cognito user import job from a CSV file and
// maps every [FAILED]/[SKIPPED] line of the job's log back to its username.
import { type CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  type CognitoIdentityProviderClient, CreateUserImportJobCommand, DescribeUserImportJobCommand, DescribeUserPoolCommand,
  ListUserImportJobsCommand, StartUserImportJobCommand, StopUserImportJobCommand, type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateRoleCommand, type IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { readFile, writeFile } from 'node:fs/promises';
import { splitCsvLine } from '../../src/csv/rules.js';
import { HASH_COLUMN, type ImportHashAlgorithm, hashProblem } from '../../src/csv/hash-import.js';

export interface ImportClients {
  cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  logs: Pick<CloudWatchLogsClient, 'send'>;
  iam?: Pick<IAMClient, 'send'>;
  fetch?: typeof fetch;
}

export interface ImportOptions {
  userPoolId: string;
  file: string;
  /** The CloudWatch Logs role for the job; or `createRole` to make one. */
  roleArn?: string;
  createRole?: string;
  jobName?: string;
  /** For files with password hashes (from the export manifest). */
  passwordHashingAlgorithm?: ImportHashAlgorithm;
  pollMs?: number;
  /** Aborting stops the job (StopUserImportJob) and waits for it to stop: Ctrl-C. */
  signal?: AbortSignal;
  /** The file line of the first user in the job log's numbering (default 2: the header is line 1; unverified). */
  firstUserLine?: number;
  resultPath?: string;
  onProgress?: (job: UserImportJobType) => void;
}

export interface ImportOutcome {
  jobId: string;
  status: string;
  imported: number;
  skipped: number;
  failed: number;
  message: string;
  fix?: string;
  resultPath: string;
}

const ACTIVE = new Set(['Pending', 'InProgress', 'Stopping']);
const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped', 'Expired']);
const LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'];

/** What each failure the sources list means, and what to do (REFERENCE §3). */
export const EXPLANATIONS: Array<{ match: RegExp; explanation: string; fix: string }> = [
  { match: /does not set any of the auto verified attributes to true/i, explanation: 'No auto-verified attribute (email or phone) is true for this user.', fix: 'Set email_verified (or phone_number_verified) to true and give the email (or phone).' },
  { match: /user already exists/i, explanation: 'A user with this username (or alias) is already in the pool, often migrated by the trigger.', fix: 'Nothing to do; export with --skip-existing to leave such users out.' },
  { match: /invalid value for \[?([\w:]+)/i, explanation: 'A value breaks the attribute\'s format (E.164 phone, mm/dd/yyyy birthdate, POSIX updated_at, …).', fix: 'Fix the value; cognito-migrate csv lint names the rule.' },
  { match: /header in the CSV file does not match the expected headers/i, explanation: 'The file\'s columns differ from the pool\'s.', fix: 'Take the header from GetCSVHeader (aws cognito-idp get-csv-header) and lint the file against it.' },
  { match: /too many users have failed or been skipped/i, explanation: 'The job stopped because too many records failed or were skipped (duplicates, missing required values).', fix: 'Lint the file, remove duplicates and users already in the pool, then run a new job.' },
  { match: /expired/i, explanation: 'The job was created but not started within its 24–48 hour window.', fix: 'Create a new job and start it right after uploading the file.' },
  { match: /cloudwatch|logs? role|log group|not authorized to perform: logs:/i, explanation: 'Cognito could not write the job\'s logs with the given role.', fix: `The role must trust cognito-idp.amazonaws.com and allow ${LOG_ACTIONS.join(', ')} on arn:aws:logs:REGION:ACCOUNT:log-group:/aws/cognito/*.` },
  { match: /required/i, explanation: 'A value the pool requires is missing.', fix: 'Give every user the pool\'s required attributes.' },
];

/**
 * Explains a job or log message.
 * @example explain('The user already exists.') // { explanation: …, fix: … }
 */
export function explain(message: string): { explanation: string; fix: string } {
  const hit = EXPLANATIONS.find((e) => e.match.test(message));
  return hit ?? { explanation: 'Cognito gave no known reason.', fix: 'See the job\'s CloudWatch log.' };
}

/**
 * Why a file and a `PasswordHashingAlgorithm` cannot make one job, or
 * undefined when they can: hashes without an algorithm, an algorithm without
 * the `password_hash` column, or a hash of another algorithm or over the
 * published bounds (which would fail that user). Names lines, never values.
 *
 * @example
 * ```ts
 * hashJobProblem(await readFile('users-bcrypt-0001.csv'), 'BCRYPT') // undefined, or 'line 7: …'
 * ```
 */
export function hashJobProblem(file: Buffer, algorithm: ImportHashAlgorithm | undefined): string | undefined {
  // Line by line over the bytes: an import file may be 100 MB, and its text and lines are not needed at once.
  const lines = csvLines(file);
  const column = splitCsvLine(lines.next().value ?? '').indexOf(HASH_COLUMN);
  if (column < 0) {
    return algorithm ? `the job has PasswordHashingAlgorithm ${algorithm} but the file has no ${HASH_COLUMN} column, and Cognito fails such a job: import this file without an algorithm, or export again from a header that has ${HASH_COLUMN}` : undefined;
  }
  let lineNo = 1;
  for (const line of lines) {
    lineNo++;
    const hash = line ? splitCsvLine(line)[column]?.trim() : undefined;
    const wrong = hash ? hashProblem(hash, algorithm) : undefined;
    if (wrong) return `line ${lineNo}: ${wrong.rule}. ${wrong.fix}`;
  }
  return undefined;
}

function* csvLines(file: Buffer): Generator<string, undefined> {
  let start = 0;
  while (start <= file.length) {
    let end = file.indexOf(0x0a, start);
    if (end < 0) end = file.length;
    const stop = end > start && file[end - 1] === 0x0d ? end - 1 : end;
    yield file.toString('utf8', start, stop);
    start = end + 1;
  }
  return undefined;
}

/**
 * Runs one import job end to end.
 *
 * @example
 * ```ts
 * const outcome = await runImport({ cognito, logs, iam }, { userPoolId: 'eu-west-1_Abc', file: 'out/users-0001.csv', roleArn })
 * ```
 */
export async function runImport(clients: ImportClients, options: ImportOptions): Promise<ImportOutcome> {
  const { cognito } = clients;
  const body = await readFile(options.file);
  const problem = hashJobProblem(body, options.passwordHashingAlgorithm);
  if (problem) throw new Error(`import: ${options.file}, ${problem}. Nothing was created or uploaded.`);
  const pollMs = options.pollMs ?? 5000;
  const { UserImportJobs = [] } = await cognito.send(new ListUserImportJobsCommand({ UserPoolId: options.userPoolId, MaxResults: 60 }) as never) as { UserImportJobs?: UserImportJobType[] };
  const active = UserImportJobs.find((j) => ACTIVE.has(j.Status ?? ''));
  if (active) {
    throw new Error(`import: job ${active.JobId} (${active.JobName}) is ${active.Status} in ${options.userPoolId}; Cognito runs one import job at a time per account. Wait for it, or stop it with aws cognito-idp stop-user-import-job.`);
  }
  const roleArn = options.roleArn ?? (options.createRole ? await createImportRole(clients, options.createRole) : undefined);
  if (!roleArn) throw new Error('import: --role-arn (a CloudWatch Logs role trusted by cognito-idp.amazonaws.com) or --create-role NAME is required');

  const created = await cognito.send(new CreateUserImportJobCommand({
    UserPoolId: options.userPoolId, CloudWatchLogsRoleArn: roleArn, JobName: options.jobName ?? `cognito-migrate-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    ...(options.passwordHashingAlgorithm ? { PasswordHashingAlgorithm: options.passwordHashingAlgorithm } : {}),
  }) as never) as { UserImportJob?: UserImportJobType };
  const job = created.UserImportJob!;
  const jobId = job.JobId!;

  // The pre-signed URL is valid for 15 minutes: upload at once.
  const put = await (clients.fetch ?? fetch)(job.PreSignedUrl!, {
    method: 'PUT', body, headers: { 'x-amz-server-side-encryption': 'aws:kms', 'content-type': 'text/csv', 'content-length': String(body.length) },
  });
  if (!put.ok) throw new Error(`import: uploading ${options.file} to the pre-signed URL failed with HTTP ${put.status}; the URL is valid 15 minutes after CreateUserImportJob. Run import again.`);
  await cognito.send(new StartUserImportJobCommand({ UserPoolId: options.userPoolId, JobId: jobId }) as never);

  let stopping = false;
  const onAbort = () => {
    if (stopping) return;
    stopping = true;
    // Whatever send returns (a client, or a test double that answers synchronously), a failure here must not escape:
    // the poll below sees the job's real state and reports it.
    void (async () => cognito.send(new StopUserImportJobCommand({ UserPoolId: options.userPoolId, JobId: jobId }) as never))().catch(() => {});
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let current: UserImportJobType;
  try {
    for (;;) {
      current = ((await cognito.send(new DescribeUserImportJobCommand({ UserPoolId: options.userPoolId, JobId: jobId }) as never)) as { UserImportJob: UserImportJobType }).UserImportJob;
      options.onProgress?.(current);
      if (TERMINAL.has(current.Status ?? '')) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  const resultPath = options.resultPath ?? `${options.file.replace(/\.csv$/, '')}.results-${jobId}.csv`;
  const perUser = await readJobLog(clients, options, current, jobId, body.toString('utf8'));
  await writeFile(resultPath, `line,username,status,message,explanation,fix\n${perUser.map((r) => [r.line, r.username, r.status, r.message, r.explanation, r.fix].map((v) => JSON.stringify(String(v))).join(',')).join('\n')}\n`);
  const status = current.Status!;
  const message = current.CompletionMessage ?? status;
  const outcome: ImportOutcome = {
    jobId, status, message, resultPath,
    imported: Number(current.ImportedUsers ?? 0), skipped: Number(current.SkippedUsers ?? 0), failed: Number(current.FailedUsers ?? 0),
  };
  if (status === 'Expired') outcome.fix = 'The user import job has expired: create a new job and start it within 24 hours.';
  else if (status === 'Failed') outcome.fix = explain(message).fix;
  return outcome;
}

async function readJobLog(clients: ImportClients, options: ImportOptions, job: UserImportJobType, jobId: string, text: string) {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const header = splitCsvLine(lines[0] ?? '');
  const userColumn = header.indexOf('cognito:username');
  const firstUserLine = options.firstUserLine ?? 2;
  const usernameAt = (n: number) => {
    const line = lines[n - firstUserLine + 1];
    return line === undefined || userColumn < 0 ? '(unknown line)' : (splitCsvLine(line)[userColumn] ?? '');
  };
  const { UserPool } = (await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: options.userPoolId }) as never)) as { UserPool?: { Name?: string } };
  const logGroupName = `/aws/cognito/userpools/${options.userPoolId}/${UserPool?.Name ?? ''}`;
  const logStreamName = `${jobId}/${job.JobName ?? ''}`;
  const out: Array<{ line: number; username: string; status: string; message: string; explanation: string; fix: string }> = [];
  let token: string | undefined;
  for (;;) {
    let page: { events?: Array<{ message?: string }>; nextForwardToken?: string };
    try {
      page = (await clients.logs.send(new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, ...(token ? { nextToken: token } : {}) }) as never)) as typeof page;
    } catch (err) {
      out.push({ line: 0, username: '', status: 'LOG_UNREADABLE', message: `${(err as Error).name}: cannot read ${logGroupName} / ${logStreamName}`, ...explain('logs role') });
      break;
    }
    for (const e of page.events ?? []) {
      const m = /^\[(FAILED|SKIPPED|SUCCEEDED)\] Line Number (\d+) - (.*)$/.exec((e.message ?? '').trim());
      if (!m || m[1] === 'SUCCEEDED') continue;
      const line = Number(m[2]);
      out.push({ line, username: usernameAt(line), status: m[1]!, message: m[3]!, ...explain(m[3]!) });
    }
    if (!page.nextForwardToken || page.nextForwardToken === token || (page.events ?? []).length === 0) break;
    token = page.nextForwardToken;
  }
  return out;
}

/**
 * Creates the CloudWatch Logs role an import job needs.
 * @example const arn = await createImportRole({ iam, … }, 'CognitoImportLogs')
 */
export async function createImportRole(clients: ImportClients, roleName: string): Promise<string> {
  if (!clients.iam) throw new Error('import: --create-role needs IAM');
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const { Role } = (await clients.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust), Description: 'Cognito user import job logs (cognito-migrate)' }) as never)) as { Role?: { Arn?: string } };
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: LOG_ACTIONS, Resource: 'arn:aws:logs:*:*:log-group:/aws/cognito/*' }] };
  await clients.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'cognito-import-logs', PolicyDocument: JSON.stringify(policy) }) as never);
  return Role!.Arn!;
}
