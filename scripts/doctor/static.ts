// doctor --template: everything that can be known from the template and the
// built artifact, with no AWS credentials.
import bcrypt from 'bcryptjs';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type CheckResult, fail, pass, warn } from '../../src/checks.js';
import { packageRoot } from '../cli/paths.js';
import { poolPitfalls } from './pool.js';
import { samEsbuildOptions } from './sam-esbuild.js';
import { unknownVariables } from './variables.js';
import { type Json, type Resource, type Statement, type Template, allows, branches, literal, refersTo, statementsOf, target, trustedServices, wildcard } from './template.js';

const run = promisify(execFile);
const LOAD_CHECK = join(packageRoot(import.meta.url), 'dist', 'load-check.mjs');

/** Runtimes the bundle (target node22, ES modules) runs on. */
export const SUPPORTED_RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
/** Memory at which Lambda gives a function one full vCPU. */
export const FULL_VCPU_MB = 1769;
const COGNITO_LIMIT_S = 5;
const HANDLER_BUDGET_MS = 3000;

export interface StaticOptions {
  /** Folder CodeUri paths are relative to. */
  templateDir: string;
  /** bcrypt cost of the legacy hashes, for the memory prediction (default 10). */
  bcryptCost?: number;
  /** ms one bcrypt verification of that cost takes on a full vCPU; measured here when not given. */
  verifyMsOnFullCpu?: number;
  /** Path of load-check.mjs; tests of the CLI bundle point elsewhere. */
  loadCheck?: string;
}

type Functions = Array<[string, Resource & { Properties: Record<string, Json> }]>;

/**
 * Runs every static check on a parsed template.
 *
 * @example
 * ```ts
 * const results = await staticChecks(parseTemplate(text), { templateDir: '.' })
 * ```
 */
export async function staticChecks(template: Template, options: StaticOptions): Promise<CheckResult[]> {
  const resources = template.Resources ?? {};
  const globals = template.Globals?.Function ?? {};
  const allFunctions: Functions = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function' || r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => [id, { ...r, Properties: { ...globals, ...(r.Properties ?? {}) } }]);
  if (allFunctions.length === 0) {
    return [fail('template.function', 'The template declares no Lambda function', 'Declare the migration function (AWS::Serverless::Function) as in this project\'s template.yaml.')];
  }
  const pools = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Cognito::UserPool');
  const wired = allFunctions.filter(([id]) => pools.some(([, p]) => refersTo(((p.Properties?.LambdaConfig ?? {}) as Record<string, Json>).UserMigration, id)));
  const functions = wired.length ? wired : allFunctions;

  const results: CheckResult[] = [pass('template.parse', `Template parsed: ${allFunctions.length} function(s), ${pools.length} user pool(s)`)];
  for (const [id, fn] of functions) {
    results.push(runtimeCheck(id, fn.Properties));
    results.push(...(await handlerChecks(id, fn, options)));
    results.push(timeoutCheck(id, fn.Properties));
    const variables = ((fn.Properties.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables) ?? {};
    if (typeof variables === 'object' && variables !== null && !Array.isArray(variables)) results.push(unknownVariables(id, Object.keys(variables)));
    results.push(await memoryCheck(id, fn.Properties, template, options));
    results.push(...roleChecks(id, fn, template));
    results.push(permissionCheck(id, template, pools));
  }
  results.push(...poolChecks(template, pools, functions));
  results.push(...csvRoleChecks(template, pools));
  return results;
}

/** Whether a runtime can run the bundle. */
export function runtimeCheck(id: string, props: Record<string, Json>): CheckResult {
  const runtime = props.Runtime;
  if (typeof runtime !== 'string') return fail('function.runtime', `${id} has no Runtime`, `Set Runtime: nodejs22.x.`);
  if (SUPPORTED_RUNTIMES.includes(runtime)) return pass('function.runtime', `${id} runs on ${runtime}`);
  return fail('function.runtime', `${id} runs on ${runtime}, which cannot run this bundle (built for Node.js 22, ES modules)`, 'Set Runtime: nodejs22.x.');
}

async function handlerChecks(id: string, fn: Resource & { Properties: Record<string, Json> }, options: StaticOptions): Promise<CheckResult[]> {
  const props = fn.Properties;
  const handler = props.Handler;
  if (typeof handler !== 'string' || !/^[\w./-]+\.[\w$]+$/.test(handler)) {
    return [fail('function.handler', `${id} has no Handler of the form module.export`, 'Set Handler: index.handler.')];
  }
  const codeUri = props.CodeUri;
  if (typeof codeUri !== 'string') {
    return [warn('function.handler', `${id}'s code is not a local folder (CodeUri/Code), so it cannot be loaded here`, 'Run doctor online (--stack or --function) to check the deployed handler.')];
  }
  const cut = handler.lastIndexOf('.');
  const [module, exported] = [handler.slice(0, cut), handler.slice(cut + 1)];
  const metadata = (fn as { Metadata?: Record<string, Json> }).Metadata;
  let dir = resolve(options.templateDir, codeUri);
  let built: string | undefined;
  if (metadata?.BuildMethod === 'esbuild') {
    // Build it as `sam build` would, and load what that makes.
    const made = await samBuild(id, metadata.BuildProperties, dir);
    if ('finding' in made) return [made.finding];
    dir = built = made.dir;
  }
  try {
    return await loadFinding(id, handler, module, exported, codeUri, dir, options, built !== undefined);
  } finally {
    if (built) await rm(built, { recursive: true, force: true });
  }
}

async function samBuild(id: string, properties: Json | undefined, codeDir: string): Promise<{ dir: string } | { finding: CheckResult }> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return { finding: warn('function.handler', `${id} is built by sam build with esbuild, and esbuild is not installed here, so the artifact cannot be made and loaded`, 'npm install --save-dev esbuild (sam build needs it too), or run sam build and then doctor --template .aws-sam/build/template.yaml.') };
  }
  const dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-sam-build-'));
  try {
    await esbuild.build(samEsbuildOptions((properties ?? {}) as Record<string, Json>, codeDir, dir) as Parameters<typeof esbuild.build>[0]);
    return { dir };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const first = (err as { errors?: Array<{ text?: string }> }).errors?.[0]?.text ?? (err as Error).message.split('\n')[0];
    return { finding: fail('function.handler', `sam build would fail for ${id}: ${first}`, 'Fix Metadata.BuildProperties (EntryPoints relative to CodeUri, External for packages the runtime provides).') };
  }
}

async function loadFinding(id: string, handler: string, module: string, exported: string, codeUri: string, dir: string, options: StaticOptions, samBuilt: boolean): Promise<CheckResult[]> {
  let file: string | undefined;
  for (const ext of ['.mjs', '.js', '.cjs']) {
    try {
      await access(join(dir, module + ext));
      file = join(dir, module + ext);
      break;
    } catch {
      // try the next extension, as the runtime does
    }
  }
  if (!file) {
    return [samBuilt
      ? fail('function.handler', `Runtime.ImportModuleError: ${id}'s Handler ${handler} names module "${module}", but sam build makes no ${module}.mjs, .js or .cjs from its EntryPoints`, 'Name the Handler after an entry point file: EntryPoints adapters/postgres/lambda.ts gives Handler lambda.handler.')
      : fail('function.handler', `Runtime.ImportModuleError: ${id}'s Handler ${handler} names module "${module}", but ${codeUri} has no ${module}.mjs, .js or .cjs`, 'Run npm run build, or set Handler and CodeUri to the built file, or build with Metadata BuildMethod esbuild (this project\'s template).')];
  }
  const { stdout } = await run(process.execPath, [options.loadCheck ?? LOAD_CHECK, file, exported], {
    env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    timeout: 20_000,
  });
  const loaded = JSON.parse(stdout) as { ok: boolean; errorType?: string; errorMessage?: string };
  if (loaded.ok) return [pass('function.handler', `${samBuilt ? `${module} as sam build makes it (esbuild)` : `${codeUri}/${module}`} loads in a fresh Node.js process and exports ${exported}()`)];
  const fixes: Record<string, string> = {
    'Runtime.UserCodeSyntaxError': 'The artifact does not parse: rebuild it with npm run build (target node22) and deploy the result.',
    'Runtime.ImportModuleError': 'The artifact imports a module that is not in the package: bundle it (npm run build) instead of shipping sources.',
    'Runtime.HandlerNotFound': `Set Handler to ${module}.handler, the function the bundle exports.`,
  };
  return [fail('function.handler', `${loaded.errorType}: ${loaded.errorMessage}`, fixes[loaded.errorType ?? ''] ?? 'Fix the error the module throws while loading.')];
}

/** Whether the timeout fits Cognito's 5 s. */
export function timeoutCheck(id: string, props: Record<string, Json>): CheckResult {
  const timeout = typeof props.Timeout === 'number' ? props.Timeout : 3;
  if (timeout > COGNITO_LIMIT_S) {
    return warn('function.timeout', `${id} has Timeout ${timeout} s, but Cognito gives up after ${COGNITO_LIMIT_S} s (and retries, hitting the store again)`, 'Set Timeout: 5; a longer timeout only keeps a function running that nobody waits for.');
  }
  return pass('function.timeout', `${id} Timeout ${timeout} s (Cognito waits ${COGNITO_LIMIT_S} s)`);
}

async function memoryCheck(id: string, props: Record<string, Json>, template: Template, options: StaticOptions): Promise<CheckResult> {
  const raw = literal(template, props.MemorySize);
  const memory = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : 128;
  const cost = options.bcryptCost ?? 10;
  return memoryFinding(id, memory, cost, options.verifyMsOnFullCpu ?? (await measureBcrypt(cost)));
}

/**
 * Predicts the hash time from the CPU share a memory size buys, against the handler's budget.
 * @example memoryFinding('MigrationFunction', 128, 10, 70) // warn: about 967 ms at 7% of a vCPU
 */
export function memoryFinding(id: string, memory: number, cost: number, fullCpuMs: number): CheckResult {
  const share = Math.min(1, memory / FULL_VCPU_MB);
  const predicted = Math.round(fullCpuMs / share);
  const what = `${id} at ${memory} MB gets ${(share * 100).toFixed(0)}% of a vCPU: a bcrypt cost-${cost} verification takes about ${predicted} ms (${Math.round(fullCpuMs)} ms on a full vCPU here)`;
  const fix = `Raise MemorySize to at least ${Math.min(FULL_VCPU_MB, Math.ceil((fullCpuMs * 4 * FULL_VCPU_MB) / HANDLER_BUDGET_MS / 64) * 64)} MB, so the hash takes under a quarter of the ${HANDLER_BUDGET_MS} ms budget.`;
  if (predicted > HANDLER_BUDGET_MS) return fail('function.memory', `${what}, more than the ${HANDLER_BUDGET_MS} ms budget within Cognito's 5 s`, fix);
  if (predicted > HANDLER_BUDGET_MS / 4) return warn('function.memory', `${what}, a large share of the ${HANDLER_BUDGET_MS} ms budget`, fix);
  return pass('function.memory', what);
}

/** ms of one bcrypt verification of `cost` on this machine (median of 3). */
export async function measureBcrypt(cost: number): Promise<number> {
  const hash = await bcrypt.hash('doctor', cost);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await bcrypt.compare('doctor', hash);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[1]!;
}

const envOf = (props: Record<string, Json>): Record<string, Json> => {
  const env = props.Environment;
  return (typeof env === 'object' && env !== null && !Array.isArray(env) ? (env.Variables ?? {}) : {}) as Record<string, Json>;
};

const BASIC_LOGS = ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole'];
const VPC_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'];

function roleChecks(id: string, fn: Resource & { Properties: Record<string, Json> }, template: Template): CheckResult[] {
  const props = fn.Properties;
  let statements: Statement[];
  let managed: string[];
  const role = target(template, props.Role);
  if (role) {
    const rp = role[1].Properties ?? {};
    statements = statementsOf(rp.Policies);
    managed = branches(rp.ManagedPolicyArns).flatMap((x) => (Array.isArray(x) ? x : [x])).flatMap(branches).filter((x): x is string => typeof x === 'string');
  } else if (props.Role !== undefined) {
    return [warn('role.permissions', `${id}'s role is defined outside the template`, 'Run doctor online (--stack or --function) to simulate its permissions.')];
  } else {
    // SAM builds the role from Policies: managed names, policy templates or inline statements.
    const policies = branches(props.Policies).flatMap((x) => (Array.isArray(x) ? x : [x]));
    managed = [...policies.filter((p): p is string => typeof p === 'string'), 'AWSLambdaBasicExecutionRole'];
    statements = statementsOf(policies.filter((p) => typeof p === 'object'));
    for (const p of policies) {
      if (typeof p === 'object' && p !== null && !Array.isArray(p) && 'AWSSecretsManagerGetSecretValuePolicy' in p) statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' });
    }
  }
  const hasManaged = (names: string[]) => managed.some((m) => names.some((n) => m.endsWith(`/${n}`) || m === n));
  const results: CheckResult[] = [];
  const env = envOf(props);

  if (hasManaged(BASIC_LOGS) || (allows(statements, 'logs:CreateLogStream') && allows(statements, 'logs:PutLogEvents'))) {
    results.push(pass('role.logs', `${id}'s role may write CloudWatch Logs`));
  } else {
    results.push(warn('role.logs', `${id}'s role may not write CloudWatch Logs, so failed sign-ins leave no trace`, 'Attach AWSLambdaBasicExecutionRole.'));
  }
  const secret = env.DATABASE_SECRET_ARN;
  if (branches(secret).length) {
    const secretRef = JSON.stringify(branches(secret)[0]);
    const ok = allows(statements, 'secretsmanager:GetSecretValue', (r) => r === '*' || JSON.stringify(r) === secretRef || (typeof r === 'string' && typeof branches(secret)[0] === 'string' && wildcard(r, branches(secret)[0] as string)));
    results.push(ok
      ? pass('role.secret', `${id}'s role may read the database secret`)
      : fail('role.secret', `AccessDeniedException at the first sign-in: ${id} reads DATABASE_SECRET_ARN, but its role has no secretsmanager:GetSecretValue on that secret`, 'Add an Allow statement for secretsmanager:GetSecretValue on the secret ARN to the role.'));
  }
  if (branches(props.VpcConfig).length) {
    const ok = hasManaged(['AWSLambdaVPCAccessExecutionRole', 'AWSLambdaENIManagementAccess']) || VPC_ACTIONS.every((a) => allows(statements, a));
    results.push(ok
      ? pass('role.vpc', `${id}'s role may create its network interfaces in the VPC`)
      : fail('role.vpc', `${id} runs in a VPC, but its role cannot create network interfaces, so the function cannot start`, 'Attach AWSLambdaVPCAccessExecutionRole.'));
  }
  if (branches(env.OLD_USER_POOL_ID).length || /dist\/cognito/.test(String(props.CodeUri ?? ''))) {
    const missing = ['cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminGetUser'].filter((a) => !allows(statements, a));
    results.push(missing.length
      ? fail('role.cognito', `AccessDeniedException at the first sign-in: ${id}'s role lacks ${missing.join(' and ')} on the old pool`, `Allow ${missing.join(', ')} on arn:aws:cognito-idp:REGION:ACCOUNT:userpool/OLD_POOL_ID.`)
      : pass('role.cognito', `${id}'s role may call AdminInitiateAuth and AdminGetUser`));
  }
  return results;
}

function permissionCheck(id: string, template: Template, pools: Array<[string, Resource]>): CheckResult {
  const permissions = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::Lambda::Permission' && refersTo(r.Properties?.FunctionName, id));
  const forCognito = permissions.filter((r) => r.Properties?.Principal === 'cognito-idp.amazonaws.com' && ['lambda:InvokeFunction', 'lambda:*'].includes(String(r.Properties?.Action)));
  if (forCognito.length === 0) {
    return fail('trigger.permission', `No AWS::Lambda::Permission lets cognito-idp.amazonaws.com invoke ${id}: sign-ins fail with "Exception migrating user in app client"`, 'Add an AWS::Lambda::Permission with Action lambda:InvokeFunction, Principal cognito-idp.amazonaws.com and SourceArn the pool ARN.');
  }
  const withSource = forCognito.filter((r) => branches(r.Properties?.SourceArn).length > 0);
  if (withSource.length === 0) {
    return warn('trigger.permission', `The invoke permission for ${id} has no SourceArn, so any user pool in any account may invoke it`, 'Set SourceArn to the pool ARN (and SourceAccount).');
  }
  const poolIds = pools.map(([pid]) => pid);
  if (poolIds.length && !withSource.some((r) => poolIds.some((pid) => refersTo(r.Properties?.SourceArn, pid)) || branches(r.Properties?.SourceArn).some((v) => typeof v === 'object' && v !== null && 'Ref' in v))) {
    return warn('trigger.permission', `The invoke permission for ${id} names a SourceArn that is not a pool of this template`, 'Point SourceArn at the pool that has this trigger.');
  }
  return pass('trigger.permission', `cognito-idp.amazonaws.com may invoke ${id}, limited by SourceArn`);
}

function poolChecks(template: Template, pools: Array<[string, Resource]>, functions: Functions): CheckResult[] {
  if (pools.length === 0) {
    return [warn('pool.trigger', 'The template declares no user pool, so the trigger wiring cannot be checked here', 'Run doctor online with --user-pool-id (or --stack) to check the pool\'s LambdaConfig.UserMigration.')];
  }
  const results: CheckResult[] = [];
  const clients = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient');
  for (const [pid, pool] of pools) {
    const props = pool.Properties ?? {};
    const lambdaConfig = (props.LambdaConfig ?? {}) as Record<string, Json>;
    const fn = functions.find(([fid]) => refersTo(lambdaConfig.UserMigration, fid));
    if (!fn) {
      results.push(fail('pool.trigger', `User pool ${pid} has no LambdaConfig.UserMigration pointing at the migration function: Cognito never asks it`, 'Set LambdaConfig: { UserMigration: !GetAtt MigrationFunction.Arn } on the pool.'));
      continue;
    }
    results.push(pass('pool.trigger', `User pool ${pid} sends UserMigration to ${fn[0]}`));
    const own = clients.filter(([, c]) => refersTo(c.Properties?.UserPoolId, pid));
    if (own.length === 0) results.push(warn('client.password-auth', `User pool ${pid} has no app client in the template`, 'Check the clients online (doctor --user-pool-id).'));
    for (const [cid, client] of own) results.push(clientCheck(cid, client.Properties?.ExplicitAuthFlows));
    results.push(...completionChecks(pid, props, fn, own));
    results.push(...templatePitfalls(template, pid, props, fn));
    results.push(...mfaChecks(template, pid, props, fn[1].Properties));
  }
  return results;
}

/**
 * The pool pitfalls doctor --online finds (scripts/doctor/pool.ts), judged on
 * what the template declares: its environment with the parameters' defaults,
 * and its triggers by logical id.
 */
function templatePitfalls(template: Template, pid: string, props: Record<string, Json>, [fid, fn]: Functions[number]): CheckResult[] {
  const variables = ((fn.Properties.Environment as Record<string, Json> | undefined)?.Variables ?? {}) as Record<string, Json>;
  const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(literal(template, v) ?? '')]));
  const lambdaConfig = Object.fromEntries(Object.entries((props.LambdaConfig ?? {}) as Record<string, Json>).map(([k, v]) => [k, refersTo(v, fid) ? fid : target(template, v)?.[0] ?? String(literal(template, v) ?? k)]));
  const caseSensitive = literal(template, (props.UsernameConfiguration as Record<string, Json> | undefined)?.CaseSensitive);
  return poolPitfalls({
    Id: pid,
    UsernameAttributes: branches(props.UsernameAttributes).flatMap((x) => (Array.isArray(x) ? x.map(String) : [String(x)])),
    AliasAttributes: branches(props.AliasAttributes).flatMap((x) => (Array.isArray(x) ? x.map(String) : [String(x)])),
    ...(typeof caseSensitive === 'boolean' || caseSensitive === 'true' || caseSensitive === 'false' ? { UsernameConfiguration: { CaseSensitive: String(caseSensitive) === 'true' } } : {}),
    LambdaConfig: lambdaConfig,
  }, env, (name) => name === fid);
}

const COMPLETION_VARIABLES = ['PG_COGNITO_SUB_COLUMN', 'MYSQL_COGNITO_SUB_COLUMN', 'PG_GROUPS_COLUMN', 'MYSQL_GROUPS_COLUMN', 'GROUP_MAP'];

/**
 * A function that can keep a ledger or map groups (its environment names a
 * completion variable) needs the pool to send it Post authentication and Post
 * confirmation, a mutable mark attribute in the schema, and no app client of
 * the template able to write the link or the mark.
 */
function completionChecks(pid: string, props: Record<string, Json>, [fid, fn]: Functions[number], clients: Array<[string, Resource]>): CheckResult[] {
  const variables = ((fn.Properties.Environment as Record<string, Json> | undefined)?.Variables ?? {}) as Record<string, Json>;
  if (!COMPLETION_VARIABLES.some((v) => v in variables)) return [];
  const lambdaConfig = (props.LambdaConfig ?? {}) as Record<string, Json>;
  const missing = ['PostAuthentication', 'PostConfirmation'].filter((t) => !refersTo(lambdaConfig[t], fid));
  const mark = typeof variables.COMPLETION_MARK_ATTRIBUTE === 'string' && variables.COMPLETION_MARK_ATTRIBUTE ? variables.COMPLETION_MARK_ATTRIBUTE : 'custom:migrated_at';
  const schema = ((props.Schema ?? []) as Array<Record<string, Json>>).find((a) => `custom:${a.Name}` === mark);
  const guarded = ['custom:legacy_id', mark];
  return [
    missing.length
      ? fail('pool.completion', `User pool ${pid} does not send ${missing.join(' or ')} to ${fid}, whose settings complete migrations: no sub is written back, no group assigned, and moved users are not refused`, `Add to the pool's LambdaConfig: ${missing.map((t) => `${t}: !GetAtt ${fid}.Arn`).join(', ')}.`)
      : pass('pool.completion', `User pool ${pid} sends Post authentication and Post confirmation to ${fid}`),
    !schema
      ? fail('pool.completion-mark', `User pool ${pid} declares no ${mark}: every completion fails at its last step`, `Add to its Schema: { Name: ${mark.replace(/^custom:/, '')}, AttributeDataType: String, Mutable: true }.`)
      : schema.Mutable === false
      ? fail('pool.completion-mark', `${mark} is immutable in ${pid}: the completion cannot set it`, 'Declare it with Mutable: true.')
      : pass('pool.completion-mark', `User pool ${pid} declares the completion mark ${mark}`),
    ...clients.map(([cid, c]) => {
      const writable = Array.isArray(c.Properties?.WriteAttributes) ? (c.Properties!.WriteAttributes as Json[]).map(String) : [];
      const open = guarded.filter((a) => writable.includes(a));
      return open.length
        ? fail('client.write-attributes', `App client ${cid} lets users write ${open.join(' and ')}: a user could point their account at another legacy row, or skip the completion`, `Remove ${open.join(', ')} from ${cid}'s WriteAttributes.`)
        : pass('client.write-attributes', `App client ${cid} cannot write ${guarded.join(' or ')}`);
    }),
  ];
}

/**
 * Whether an app client's flows let the trigger fire.
 * @example clientCheck('web', ['ALLOW_USER_SRP_AUTH']) // fail
 */
export function clientCheck(name: string, flowsValue: Json | undefined): CheckResult {
  const flows = branches(flowsValue).flatMap((x) => (Array.isArray(x) ? x : [x]));
  if (flows.includes('ALLOW_USER_PASSWORD_AUTH') || flows.includes('USER_PASSWORD_AUTH')) return pass('client.password-auth', `App client ${name} allows ALLOW_USER_PASSWORD_AUTH`);
  const admin = flows.includes('ALLOW_ADMIN_USER_PASSWORD_AUTH') || flows.includes('ADMIN_NO_SRP_AUTH');
  return fail('client.password-auth', `App client ${name} does not allow ALLOW_USER_PASSWORD_AUTH${flows.length ? ` (it allows ${flows.join(', ')})` : ' (no ExplicitAuthFlows: SRP only)'}: SRP never sends the password, so the trigger never fires${admin ? ' except for server-side ADMIN_USER_PASSWORD_AUTH' : ''}`, 'Add ALLOW_USER_PASSWORD_AUTH to ExplicitAuthFlows and sign in with AuthFlow USER_PASSWORD_AUTH during the migration.');
}

function mfaChecks(template: Template, pid: string, props: Record<string, Json>, fnProps: Record<string, Json>): CheckResult[] {
  const results: CheckResult[] = [];
  const mfa = literal(template, props.MfaConfiguration) ?? 'OFF';
  const enabled = branches(props.EnabledMfas).flatMap((x) => (Array.isArray(x) ? x : [x]));
  const sms = mfa !== 'OFF' && (enabled.includes('SMS_MFA') || (enabled.length === 0 && props.SmsConfiguration !== undefined));
  const smsMigration = literal(template, envOf(fnProps).ENABLE_SMS_MFA);
  // SMS MFA is carried over unless ENABLE_SMS_MFA=false.
  if (smsMigration !== 'false' && !sms) {
    // Only legacy SMS users are affected, and they fail closed (no migration), so it is a warning.
    results.push(warn('mfa.sms-migration', `ENABLE_SMS_MFA is ${smsMigration === 'true' ? 'true' : 'on by default'}, but pool ${pid} has no SMS MFA (MfaConfiguration ${String(mfa)}): legacy users with SMS MFA cannot keep it`, 'Enable SMS_MFA on the pool (MfaConfiguration OPTIONAL, EnabledMfas [SMS_MFA], SmsConfiguration), or set ENABLE_SMS_MFA=false to migrate them without it.'));
  }
  if (mfa !== 'OFF' && enabled.includes('SOFTWARE_TOKEN_MFA')) {
    results.push(warn('mfa.totp', `Pool ${pid} uses TOTP MFA: legacy TOTP secrets cannot be migrated, so migrated users must enrol again${mfa === 'ON' ? ' before they can sign in' : ''}`, 'Tell users; with MfaConfiguration ON they are sent to the MFA_SETUP challenge after migration.'));
  }
  if (!sms) return results;
  const smsConfig = props.SmsConfiguration as Record<string, Json> | undefined;
  if (!smsConfig || !branches(smsConfig.SnsCallerArn).length) {
    results.push(fail('mfa.sms-config', `InvalidParameterException: pool ${pid} enables SMS MFA without SmsConfiguration.SnsCallerArn`, 'Add SmsConfiguration { SnsCallerArn: <role ARN>, ExternalId: <id> } to the pool.'));
    return results;
  }
  const role = target(template, smsConfig.SnsCallerArn);
  if (!role) {
    results.push(warn('mfa.sms-role', `Pool ${pid}'s SMS role is outside the template`, 'Run doctor online to check its trust policy and sns:Publish.'));
    return results;
  }
  const roleProps = role[1].Properties ?? {};
  const trust = statementsOf([roleProps.AssumeRolePolicyDocument ?? null]);
  const trusted = trustedServices(roleProps.AssumeRolePolicyDocument).includes('cognito-idp.amazonaws.com');
  const externalId = smsConfig.ExternalId;
  const idMatches = externalId === undefined || trust.some((s) => JSON.stringify(s.Condition ?? {}).includes(JSON.stringify(externalId)));
  if (!trusted || !idMatches) {
    results.push(fail('mfa.sms-role', `InvalidSmsRoleTrustRelationshipException: SMS role ${role[0]} ${!trusted ? 'does not trust cognito-idp.amazonaws.com' : 'expects an sts:ExternalId other than the pool\'s SmsConfiguration.ExternalId'}`, 'Trust cognito-idp.amazonaws.com in the role with Condition StringEquals sts:ExternalId = the pool\'s SmsConfiguration.ExternalId.'));
  } else {
    results.push(pass('mfa.sms-role', `SMS role ${role[0]} trusts cognito-idp.amazonaws.com with the pool's external ID`));
  }
  if (!allows(statementsOf(roleProps.Policies), 'sns:Publish')) {
    results.push(fail('mfa.sms-publish', `InvalidSmsRoleAccessPolicyException: SMS role ${role[0]} may not sns:Publish`, 'Allow sns:Publish on Resource "*" in the role (and check that no SCP denies it).'));
  } else {
    results.push(pass('mfa.sms-publish', `SMS role ${role[0]} may sns:Publish`));
  }
  return results;
}

const IMPORT_LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'];

function csvRoleChecks(template: Template, pools: Array<[string, Resource]>): CheckResult[] {
  const smsRoles = new Set(pools.flatMap(([, p]) => {
    const sms = (p.Properties?.SmsConfiguration ?? {}) as Record<string, Json>;
    const t = target(template, sms.SnsCallerArn);
    return t ? [t[0]] : [];
  }));
  const results: CheckResult[] = [];
  for (const [rid, role] of Object.entries(template.Resources ?? {})) {
    if (role.Type !== 'AWS::IAM::Role' || smsRoles.has(rid)) continue;
    const props = role.Properties ?? {};
    const statements = statementsOf(props.Policies);
    const trusted = trustedServices(props.AssumeRolePolicyDocument).includes('cognito-idp.amazonaws.com');
    const looksLikeImport = /import|csv/i.test(rid) || allows(statements, 'logs:DescribeLogStreams', (r) => typeof r === 'string' && r.includes('/aws/cognito/'));
    if (!trusted && !looksLikeImport) continue;
    if (!trusted) {
      results.push(fail('csv.import-role', `CSV import role ${rid} does not trust cognito-idp.amazonaws.com, so CreateUserImportJob cannot use it`, 'Add a trust statement for Service cognito-idp.amazonaws.com with Action sts:AssumeRole.'));
      continue;
    }
    const onCognitoLogs = (r: Json) => r === '*' || (typeof r === 'string' && /log-group:\/aws\/cognito\/\*?/.test(r)) || JSON.stringify(r).includes('log-group:/aws/cognito/');
    const missing = IMPORT_LOG_ACTIONS.filter((a) => !allows(statements, a, onCognitoLogs));
    results.push(missing.length
      ? fail('csv.import-role', `CSV import role ${rid} lacks ${missing.join(', ')} on log-group:/aws/cognito/*: the import job fails without logs`, 'Allow logs:CreateLogGroup, logs:CreateLogStream, logs:DescribeLogStreams and logs:PutLogEvents on arn:aws:logs:REGION:ACCOUNT:log-group:/aws/cognito/*.')
      : pass('csv.import-role', `CSV import role ${rid} trusts cognito-idp.amazonaws.com and may write the job's logs`));
  }
  return results;
}

/** The folder of a template path, for CodeUri. */
export const templateDirOf = (path: string): string => dirname(resolve(path));
