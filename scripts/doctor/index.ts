// `cognito-migrate doctor`: static checks of a SAM template and its built
// artifact, and, with credentials, online checks of the deployed resources.
import { readFile } from 'node:fs/promises';
import { type Command, EXIT, UsageError, integerOption, parse } from '../cli/command.js';
import { parseTemplate } from './cfn-yaml.js';
import { type CheckResult, fail, report } from '../../src/checks.js';
import { hashSignInChecks, hashedUsers, templateClients } from './manifest.js';
import { onlineChecks, poolClients } from './online.js';
import { staticChecks, templateDirOf } from './static.js';
import type { Template } from './template.js';

const USAGE = `Usage: cognito-migrate doctor [--template FILE] [--stack NAME | --function NAME --user-pool-id ID] [--manifest FILE] [--region R] [--bcrypt-cost N] [--json]

Finds what would make legacy users fail to sign in, before they do.

Static (only --template, default template.yaml; no AWS credentials): the
template, the built artifact loaded in a fresh Node.js process, roles, invoke
permission, trigger wiring, app client auth flows, MFA/SMS and CSV import roles.

Online (--stack, or --function and --user-pool-id, with AWS credentials): the
deployed function, pool, clients, invoke policy and role, the MFA of the old
pool against the new, then the function's self-check with its own role and
network (database, TLS, lookup, verification worker, timing hash).

  --template FILE     the SAM template (default template.yaml)
  --stack NAME        a deployed stack: its function and user pool
  --function NAME     a deployed function, with --user-pool-id ID its pool
  --manifest FILE     an export's manifest.json: when it has files with hashes,
                      check that every app client (of --user-pool-id ID, or of
                      the template) lets those users make their first sign-in
                      with USER_PASSWORD_AUTH, which must not be SRP
  --region R          default AWS_REGION
  --bcrypt-cost N     the legacy hashes' bcrypt cost, for the memory check (default 10)
  --json              the report as JSON: {"ok": …, "checks": [{"id","status","message","fix"}]}

Exit code 1 when a check fails, 0 otherwise (warnings included).`;

/**
 * Runs doctor and prints the report; resolves the exit code.
 * @example process.exitCode = await doctor(['--template', 'template.yaml', '--json'])
 */
export async function doctor(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parse(argv, {
    template: { type: 'string' },
    stack: { type: 'string' },
    function: { type: 'string' },
    'user-pool-id': { type: 'string' },
    region: { type: 'string' },
    'bcrypt-cost': { type: 'string' },
    manifest: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const bcryptCost = integerOption('bcrypt-cost', values['bcrypt-cost'], 4, 31) ?? 10;
  if (values.function && !values['user-pool-id'] && !values.stack) throw new UsageError('--function needs --user-pool-id ID (the pool that invokes it), or use --stack NAME');
  const online = Boolean(values.stack || values.function);
  const poolOnly = Boolean(values.manifest && values['user-pool-id'] && !online);
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const config = region ? { region } : {};
  const results: CheckResult[] = [];
  let template: Template | undefined;
  if (values.template || (!online && !poolOnly)) {
    const path = values.template ?? 'template.yaml';
    try {
      template = parseTemplate(await readFile(path, 'utf8')) as Template;
    } catch (err) {
      // The parser's message quotes the file; say what is wrong with it, not what is in it.
      const why = (err as NodeJS.ErrnoException).code ?? 'not valid YAML';
      results.push(fail('template.parse', `Cannot read ${path} (${why})`, 'Pass --template with the path of a SAM/CloudFormation YAML template.'));
    }
    if (template) results.push(...(await staticChecks(template, { templateDir: templateDirOf(path), bcryptCost })));
  }
  if (online) {
    const [{ LambdaClient }, { CognitoIdentityProviderClient }, { IAMClient }, { CloudFormationClient }] = await Promise.all([
      import('@aws-sdk/client-lambda'), import('@aws-sdk/client-cognito-identity-provider'), import('@aws-sdk/client-iam'), import('@aws-sdk/client-cloudformation'),
    ]);
    const clients = { lambda: new LambdaClient(config), cognito: new CognitoIdentityProviderClient(config), iam: new IAMClient(config), cloudformation: new CloudFormationClient(config) };
    results.push(...(await onlineChecks(clients, {
      bcryptCost,
      ...(values.stack ? { stack: values.stack } : {}),
      ...(values.function ? { functionName: values.function } : {}),
      ...(values['user-pool-id'] ? { userPoolId: values['user-pool-id'] } : {}),
    })));
  }
  if (values.manifest) results.push(...(await manifestCheck(values.manifest, values['user-pool-id'], config, template)));
  const outcome = report(results);
  print(values.json ? `${JSON.stringify(outcome, null, 2)}\n` : renderTable(results));
  return outcome.ok ? EXIT.ok : EXIT.findings;
}

async function manifestCheck(path: string, userPoolId: string | undefined, config: { region?: string }, template: Template | undefined): Promise<CheckResult[]> {
  const withHash = await hashedUsers(path);
  if (withHash === 0 || !userPoolId) return hashSignInChecks(withHash, template ? templateClients(template) : []);
  const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
  const cognito = new CognitoIdentityProviderClient(config);
  try {
    const clients = await poolClients(cognito, userPoolId);
    const unreadable = clients.filter((c) => !c.flows);
    return [
      ...hashSignInChecks(withHash, clients.filter((c) => c.flows).map((c) => ({ name: c.name, flows: c.flows! }))),
      ...unreadable.map((c) => fail('import.hash-sign-in', `Cannot read app client ${c.name}: ${c.error}`, 'Grant your credentials cognito-idp:DescribeUserPoolClient.')),
    ];
  } catch (err) {
    return [fail('import.hash-sign-in', `Cannot list the app clients of ${userPoolId}: ${(err as Error).name}`, 'Grant your credentials cognito-idp:ListUserPoolClients and DescribeUserPoolClient.')];
  } finally {
    cognito.destroy();
  }
}

/** `cognito-migrate doctor`. */
export const command: Command = { name: 'doctor', summary: 'Find what would make legacy users fail to sign in', usage: USAGE, run: (argv, io) => doctor(argv, io.out) };

const MARK = { pass: '✔ pass', warn: '! warn', fail: '✘ FAIL' } as const;

/**
 * The readable report: status, check, message, and the fix under it.
 * @example renderTable([fail('a.b', 'broken', 'fix it')])
 */
export function renderTable(results: CheckResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.id.length));
  const lines = results.map((r) => {
    const head = `${MARK[r.status]}  ${r.id.padEnd(width)}  ${r.message}`;
    return r.fix && r.status !== 'pass' ? `${head}\n${' '.repeat(8 + width)}fix: ${r.fix}` : head;
  });
  const counts = (['pass', 'warn', 'fail'] as const).map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(', ');
  return `${lines.join('\n')}\n\n${counts}\n`;
}
