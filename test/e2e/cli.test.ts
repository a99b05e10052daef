// The command line as people guess at it: help and version everywhere, and
// every mistake one clear line with exit 2, no stack trace, nothing quoted back.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let dir: string;

/** Runs the built CLI, as the package's bin does. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'dist', 'cli.mjs'), ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-cli-'));
  await writeFile(join(dir, 'broken-event.json'), '{"request": {"password": "hunter2-never-echoed"');
  await writeFile(join(dir, 'header.json'), JSON.stringify({ CSVHeader: ['email', 'email_verified', 'cognito:mfa_enabled', 'cognito:username'] }));
  await writeFile(join(dir, 'not-json.txt'), 'secret-line-never-echoed');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('help and version', () => {
  it.each([['--help'], ['-h'], ['help']])('%s lists the commands and the exit codes', async (flag) => {
    const r = await cli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: cognito-migrate <command>/);
    for (const c of ['invoke', 'doctor', 'csv', 'import', 'db']) expect(r.stdout).toContain(`  ${c} `);
    expect(r.stdout).toMatch(/Exit codes: 0 fine; 1 findings .* 2 a mistake in the call/s);
  });

  it.each([
    [['invoke', '--help'], /cognito-migrate invoke --event FILE/],
    [['doctor', '--help'], /cognito-migrate doctor \[--template FILE\]/],
    [['doctor', '-h'], /cognito-migrate doctor \[--template FILE\]/],
    [['csv', '--help'], /cognito-migrate csv <lint\|export>/],
    [['csv', 'lint', '--help'], /cognito-migrate csv lint FILE --header HEADER.json/],
    [['csv', 'export', '--help'], /cognito-migrate csv export --out DIR/],
    [['import', '--help'], /cognito-migrate import --user-pool-id ID/],
    [['db', '--help'], /cognito-migrate db index --table T/],
    [['db', 'index', '--help'], /cognito-migrate db index --table T/],
  ])('%j answers its own help with exit 0', async (args, text) => {
    const r = await cli(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(text);
    expect(r.stderr).toBe('');
  });

  it.each([[['--version']], [['doctor', '--version']], [['csv', 'lint', '--version']]])('%j prints the version', async (args) => {
    const r = await cli(args);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('mistakes: one clear line, exit 2, no stack trace, nothing quoted back', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['doctor', '--bogus'], /doctor: Unknown option '--bogus'/],
    [['doctor', '--bcrypt-cost', '99'], /--bcrypt-cost must be a whole number from 4 to 31/],
    [['doctor', '--function', 'fn'], /--function needs --user-pool-id/],
    [['csv'], /csv: a subcommand is required: lint or export/],
    [['csv', 'frob'], /unknown subcommand "frob"/],
    [['csv', 'lint', 'x.csv'], /csv lint: lint needs FILE and --header HEADER.json/],
    [['csv', 'lint', 'x.csv', '--header', '/dev/null'], /the header file \/dev\/null is not valid JSON/],
    [['csv', 'lint', 'x.csv', '--header', 'not-json.txt'], /the header file not-json.txt is not valid JSON/],
    [['csv', 'lint', 'missing.csv', '--header', 'header.json'], /cannot read the CSV file missing.csv \(ENOENT\)/],
    [['csv', 'lint', 'x.csv', '--header', 'header.json', '--mfa', 'MAYBE'], /--mfa must be ON, OFF or OPTIONAL/],
    [['csv', 'export', '--header', 'header.json'], /export needs --out DIR/],
    [['csv', 'export', '--out', 'o', '--header', 'header.json'], /DATABASE_URL in the environment or --database-url-file/],
    [['csv', 'export', '--out', 'o', '--header', 'header.json', '--database-url-file', 'not-json.txt'], /must hold one postgres:\/\/ or mysql:\/\/ URL/],
    [['csv', 'export', '--out', 'o', '--header', 'header.json', '--database-url', 'postgres://x', '--attribute-map', '{bad'], /--attribute-map must be JSON/],
    [['import', '--file', 'x.csv'], /--user-pool-id is required/],
    [['import', '--user-pool-id', 'eu-west-1_A', '--role-arn', 'arn', '--manifest', 'not-json.txt'], /the manifest not-json.txt is not valid JSON/],
    [['import', '--user-pool-id', 'eu-west-1_A', '--role-arn', 'arn', '--poll-seconds', '0', '--file', 'x'], /--poll-seconds must be a whole number/],
    [['db'], /db: a subcommand is required: index/],
    [['db', 'index'], /db index: --table T is required/],
    [['db', 'index', '--table', 'a.b.c'], /table "a.b.c" is not a plain or schema-qualified SQL identifier/],
    [['db', 'index', '--table', 'users'], /needs DATABASE_URL in the environment or --database-url-file FILE/],
    [['invoke'], /--event FILE is required/],
    [['invoke', '--event', 'nowhere.json'], /cannot read the event file .*nowhere.json \(ENOENT\)/],
    [['invoke', '--event', 'broken-event.json'], /the event file .*broken-event.json is not valid JSON/],
    [['invoke', '--event', 'broken-event.json', '--timeout', 'soon'], /--timeout must be a whole number/],
  ])('%j', async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr + r.stdout).not.toMatch(/hunter2-never-echoed|secret-line-never-echoed/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('--json on every command that reports', () => {
  it('csv lint --json', async () => {
    await writeFile(join(dir, 'users.csv'), 'email,email_verified,cognito:mfa_enabled,cognito:username\nada@example.com,true,false,ada\n');
    const r = await cli(['csv', 'lint', 'users.csv', '--header', 'header.json', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: 'users.csv', users: 1, ok: true, problems: [] });
  });

  it('doctor --json', async () => {
    const r = await cli(['doctor', '--template', join(root, 'template.yaml'), '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, checks: expect.any(Array) });
  });
});
