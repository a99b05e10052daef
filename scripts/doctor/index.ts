// `cognito-migrate doctor`: static checks of a SAM template and its built
// artifact, and, with credentials, online checks of the deployed resources.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseTemplate } from '../lib/cfn-yaml.mjs';
import { type CheckResult, fail, report } from '../../src/checks.js';
import { onlineChecks } from './online.js';
import { staticChecks, templateDirOf } from './static.js';
import type { Template } from './template.js';

export { DOCTOR_USAGE } from './usage.js';

/**
 * Runs doctor and prints the report; resolves the exit code.
 * @example process.exitCode = await doctor(['--template', 'template.yaml', '--json'])
 */
export async function doctor(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      template: { type: 'string' },
      stack: { type: 'string' },
      function: { type: 'string' },
      'user-pool-id': { type: 'string' },
      region: { type: 'string' },
      'bcrypt-cost': { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const bcryptCost = Number(values['bcrypt-cost']);
  if (!Number.isInteger(bcryptCost) || bcryptCost < 4 || bcryptCost > 31) throw new Error(`doctor: --bcrypt-cost must be a whole number from 4 to 31, got "${values['bcrypt-cost']}"`);
  const online = Boolean(values.stack || values.function);
  const results: CheckResult[] = [];
  if (values.template || !online) {
    const path = values.template ?? 'template.yaml';
    let template: Template | undefined;
    try {
      template = parseTemplate(await readFile(path, 'utf8')) as Template;
    } catch (err) {
      results.push(fail('template.parse', `Cannot read ${path}: ${(err as Error).message.split('\n')[0]}`, 'Pass --template with the path of a SAM/CloudFormation YAML template.'));
    }
    if (template) results.push(...(await staticChecks(template, { templateDir: templateDirOf(path), bcryptCost })));
  }
  if (online) {
    const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const config = region ? { region } : {};
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
  const outcome = report(results);
  print(values.json ? `${JSON.stringify(outcome, null, 2)}\n` : renderTable(results));
  return outcome.ok ? 0 : 1;
}

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
