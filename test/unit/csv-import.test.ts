import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import {
  CognitoIdentityProviderClient, CreateUserImportJobCommand, DescribeUserImportJobCommand, DescribeUserPoolCommand,
  ListUserImportJobsCommand, StartUserImportJobCommand, StopUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { UserImportJobStatusType } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explain, runImport } from '../../scripts/import/run.js';

const POOL = 'eu-west-1_POOL';
const cognito = mockClient(CognitoIdentityProviderClient);
const logs = mockClient(CloudWatchLogsClient);
const iam = mockClient(IAMClient);
const uploads: Array<{ method: string; headers: IncomingMessage['headers']; body: string }> = [];
let server: Server;
let presigned: string;
let dir: string;
let file: string;
const BCRYPT = '$2b$10$74njSJg.N7.sV9iduNLsL.uBFOeOqhzoRi8N6zQpRKa0sG7gVOD16';
const CSV = 'email,email_verified,cognito:mfa_enabled,cognito:username\nada@example.com,true,false,ada\nbob@example.com,false,false,bob\ncarol@example.com,true,false,carol\n';
const HASHED = `email,email_verified,cognito:mfa_enabled,cognito:username,password_hash\nada@example.com,true,false,ada,${BCRYPT}\nbob@example.com,false,false,bob,${BCRYPT}\ncarol@example.com,true,false,carol,${BCRYPT}\n`;
let hashedFile: string;

beforeAll(async () => {
  // Stands in for S3's pre-signed URL.
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    uploads.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(req.headers['x-amz-server-side-encryption'] === 'aws:kms' ? 200 : 403).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  presigned = `http://127.0.0.1:${(server.address() as { port: number }).port}/import-bucket/JOB1?X-Amz-Signature=abc`;
  dir = await mkdtemp(join(tmpdir(), 'csv-import-'));
  file = join(dir, 'users-0001.csv');
  await writeFile(file, CSV);
  hashedFile = join(dir, 'users-bcrypt-0001.csv');
  await writeFile(hashedFile, HASHED);
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  cognito.reset();
  logs.reset();
  iam.reset();
  uploads.length = 0;
});

const clients = () => ({ cognito: new CognitoIdentityProviderClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), iam: new IAMClient({ region: 'eu-west-1' }) });
function job(status: UserImportJobStatusType, extra = {}) {
  return { UserImportJob: { JobId: 'JOB1', JobName: 'sweep', UserPoolId: POOL, Status: status, PreSignedUrl: presigned, ImportedUsers: 0, SkippedUsers: 0, FailedUsers: 0, ...extra } };
}
function happyJob(final = job('Succeeded', { ImportedUsers: 1, SkippedUsers: 1, FailedUsers: 1 })) {
  cognito.on(ListUserImportJobsCommand).resolves({ UserImportJobs: [{ JobId: 'OLD', Status: 'Succeeded' as const }] });
  cognito.on(CreateUserImportJobCommand).resolves(job('Created'));
  cognito.on(StartUserImportJobCommand).resolves(job('Pending'));
  cognito.on(DescribeUserImportJobCommand).resolvesOnce(job('Pending')).resolvesOnce(job('InProgress', { ImportedUsers: 1 })).resolves(final);
  cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: POOL, Name: 'customers' } });
  logs.on(GetLogEventsCommand).resolvesOnce({
    nextForwardToken: 'f/1',
    events: [
      { message: '[SUCCEEDED] Line Number 2 - The import succeeded.' },
      { message: '[FAILED] Line Number 3 - The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).' },
      { message: '[SKIPPED] Line Number 4 - The user already exists.' },
    ],
  }).resolves({ nextForwardToken: 'f/1', events: [] });
}

describe('import job runner', () => {
  it('creates the job, PUTs the file with the KMS header, starts, polls, and maps log lines back to usernames', async () => {
    happyJob();
    const progress: string[] = [];
    const outcome = await runImport(clients(), { userPoolId: POOL, file: hashedFile, roleArn: 'arn:aws:iam::123456789012:role/import-logs', jobName: 'sweep', passwordHashingAlgorithm: 'BCRYPT', pollMs: 1, onProgress: (j) => progress.push(j.Status!) });
    expect(uploads).toEqual([expect.objectContaining({ method: 'PUT', body: HASHED })]);
    expect(uploads[0]!.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(cognito.commandCalls(CreateUserImportJobCommand)[0]!.args[0].input).toEqual({ UserPoolId: POOL, CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/import-logs', JobName: 'sweep', PasswordHashingAlgorithm: 'BCRYPT' });
    expect(progress).toEqual(['Pending', 'InProgress', 'Succeeded']);
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: `/aws/cognito/userpools/${POOL}/customers`, logStreamName: 'JOB1/sweep' });
    expect(outcome).toMatchObject({ jobId: 'JOB1', status: 'Succeeded', imported: 1, skipped: 1, failed: 1 });
    const results = await readFile(outcome.resultPath, 'utf8');
    expect(results).toMatch(/"3","bob","FAILED","The User Record does not set any of the auto verified attributes to true.*","No auto-verified attribute/);
    expect(results).toMatch(/"4","carol","SKIPPED","The user already exists\.","A user with this username/);
    expect(results).not.toMatch(/"ada"/);
  });

  it('refuses a job whose file and PasswordHashingAlgorithm do not match before creating or uploading anything', async () => {
    happyJob();
    const run = async (text: string, algorithm?: 'BCRYPT' | 'ARGON2ID') => {
      const f = join(dir, `mismatch-${Math.random().toString(36).slice(2)}.csv`);
      await writeFile(f, text);
      return runImport(clients(), { userPoolId: POOL, file: f, roleArn: 'arn:aws:iam::1:role/r', pollMs: 1, ...(algorithm ? { passwordHashingAlgorithm: algorithm } : {}) });
    };
    const plain = 'email,email_verified,cognito:mfa_enabled,cognito:username\nada@example.com,true,false,ada\n';
    await expect(run(plain, 'BCRYPT')).rejects.toThrow(/PasswordHashingAlgorithm BCRYPT but the file has no password_hash column.*Nothing was created or uploaded/);
    await expect(run(HASHED)).rejects.toThrow(/line 2: the user has a password hash but the job has no PasswordHashingAlgorithm.*Nothing was created or uploaded/);
    await expect(run(HASHED, 'ARGON2ID')).rejects.toThrow(/line 2: a BCRYPT hash in a ARGON2ID file: one algorithm per job/);
    const overBound = HASHED.replace(`${BCRYPT}\nbob`, `${BCRYPT.replace('$10$', '$13$')}\nbob`);
    await expect(run(overBound, 'BCRYPT')).rejects.toThrow(/line 2: Cognito cannot import this hash: bcrypt cost 13 is over the import bound 12/);
    const error = await run(overBound, 'BCRYPT').catch((e: Error) => e.message);
    expect(error).not.toContain(BCRYPT.slice(7));
    expect(cognito.commandCalls(CreateUserImportJobCommand)).toEqual([]);
    expect(uploads).toEqual([]);
    // A file with the column but every hash empty needs no algorithm (users land in RESET_REQUIRED).
    await expect(run(`${plain.split('\n')[0]},password_hash\nada@example.com,true,false,ada,\n`)).resolves.toMatchObject({ status: 'Succeeded' });
  });

  it('refuses to start while another job is active, and says which', async () => {
    cognito.on(ListUserImportJobsCommand).resolves({ UserImportJobs: [{ JobId: 'import-busy', JobName: 'other', Status: 'InProgress' as const }] });
    await expect(runImport(clients(), { userPoolId: POOL, file, roleArn: 'arn:aws:iam::1:role/r', pollMs: 1 })).rejects.toThrow(/job import-busy \(other\) is InProgress.*one import job at a time/);
    expect(cognito.commandCalls(CreateUserImportJobCommand)).toHaveLength(0);
  });

  it('recognises an expired job and says what to do', async () => {
    happyJob(job('Expired', { CompletionMessage: 'The user import job has expired.' }));
    const outcome = await runImport(clients(), { userPoolId: POOL, file, roleArn: 'arn:aws:iam::1:role/r', pollMs: 1 });
    expect(outcome.status).toBe('Expired');
    expect(outcome.fix).toMatch(/create a new job and start it within 24 hours/);
  });

  it('explains a failed job (header mismatch, too many failures, logs role)', async () => {
    happyJob(job('Failed', { CompletionMessage: 'The header in the CSV file does not match the expected headers.' }));
    const outcome = await runImport(clients(), { userPoolId: POOL, file, roleArn: 'arn:aws:iam::1:role/r', pollMs: 1 });
    expect(outcome.fix).toMatch(/GetCSVHeader/);
    expect(explain('Too many users have failed or been skipped during the import.').fix).toMatch(/remove duplicates/);
    expect(explain('CloudWatchLogsRoleArn is not authorized to perform: logs:CreateLogStream').fix).toMatch(/trust cognito-idp.amazonaws.com/);
    expect(explain('The User Record contains an invalid value for [phone_number].').explanation).toMatch(/E.164/);
  });

  it('stops the job on Ctrl-C and waits for Stopped', async () => {
    happyJob();
    cognito.on(DescribeUserImportJobCommand).resolves(job('InProgress'));
    cognito.on(StopUserImportJobCommand).callsFake(() => {
      cognito.on(DescribeUserImportJobCommand).resolves(job('Stopped'));
      return job('Stopping');
    });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 30);
    const outcome = await runImport(clients(), { userPoolId: POOL, file, roleArn: 'arn:aws:iam::1:role/r', pollMs: 5, signal: abort.signal });
    expect(cognito.commandCalls(StopUserImportJobCommand)[0]!.args[0].input).toEqual({ UserPoolId: POOL, JobId: 'JOB1' });
    expect(outcome.status).toBe('Stopped');
  });

  it('creates the CloudWatch Logs role with the right trust and permissions when asked', async () => {
    happyJob();
    iam.on(CreateRoleCommand).resolves({ Role: { Arn: 'arn:aws:iam::1:role/CognitoImport', RoleName: 'CognitoImport', Path: '/', RoleId: 'x', CreateDate: new Date() } });
    iam.on(PutRolePolicyCommand).resolves({});
    await runImport(clients(), { userPoolId: POOL, file, createRole: 'CognitoImport', pollMs: 1 });
    const trust = JSON.parse(iam.commandCalls(CreateRoleCommand)[0]!.args[0].input.AssumeRolePolicyDocument!);
    expect(trust.Statement[0].Principal.Service).toBe('cognito-idp.amazonaws.com');
    const policy = JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!);
    expect(policy.Statement[0]).toMatchObject({ Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:*:*:log-group:/aws/cognito/*' });
    expect(cognito.commandCalls(CreateUserImportJobCommand)[0]!.args[0].input.CloudWatchLogsRoleArn).toBe('arn:aws:iam::1:role/CognitoImport');
  });

  it('says so when the job log cannot be read (the logs role), instead of losing the results', async () => {
    happyJob();
    logs.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));
    const outcome = await runImport(clients(), { userPoolId: POOL, file, roleArn: 'arn:aws:iam::1:role/r', pollMs: 1 });
    expect(await readFile(outcome.resultPath, 'utf8')).toMatch(/LOG_UNREADABLE.*ResourceNotFoundException.*trust cognito-idp/);
  });
});
