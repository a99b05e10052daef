// doctor --stack / --function: what only the deployed resources can tell,
// through the AWS APIs, then the self-check invocation with the function's own
// role and network. Clients are passed in (tests give cognito-local and mocks).
import { type CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  type CognitoIdentityProviderClient, DescribeUserPoolClientCommand, DescribeUserPoolCommand, GetUserPoolMfaConfigCommand, ListGroupsCommand, ListUserPoolClientsCommand, ListUserPoolReplicasCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetRoleCommand, type IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetPolicyCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type CheckResult, SELF_CHECK_EVENT, fail, pass, warn } from '../../src/checks.js';
import { clientCheck, measureBcrypt, memoryFinding, runtimeCheck, timeoutCheck } from './static.js';
import { poolPitfalls } from './pool.js';
import { type Json, statementsOf, trustedServices, wildcard } from './template.js';

export interface OnlineClients {
  lambda: LambdaClient;
  cognito: CognitoIdentityProviderClient;
  iam: IAMClient;
  cloudformation?: CloudFormationClient;
}

export interface OnlineOptions {
  stack?: string;
  functionName?: string;
  userPoolId?: string;
  bcryptCost?: number;
  verifyMsOnFullCpu?: number;
}

const errorName = (err: unknown) => (err as { name?: string }).name ?? 'Error';

/**
 * Runs the online checks.
 *
 * @example
 * ```ts
 * const results = await onlineChecks({ lambda, cognito, iam, cloudformation }, { stack: 'legacy-migration' })
 * ```
 */
export async function onlineChecks(clients: OnlineClients, options: OnlineOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let { functionName, userPoolId } = options;
  if (options.stack) {
    if (!clients.cloudformation) throw new Error('onlineChecks: --stack needs a CloudFormation client');
    try {
      const { StackResources = [] } = await clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: options.stack }));
      const fns = StackResources.filter((r) => r.ResourceType === 'AWS::Lambda::Function');
      functionName ??= (fns.find((r) => /migrat/i.test(r.LogicalResourceId ?? '')) ?? fns[0])?.PhysicalResourceId;
      userPoolId ??= StackResources.find((r) => r.ResourceType === 'AWS::Cognito::UserPool')?.PhysicalResourceId;
      results.push(pass('online.stack', `Stack ${options.stack}: function ${functionName ?? '(none)'}, user pool ${userPoolId ?? '(none in the stack)'}`));
    } catch (err) {
      results.push(fail('online.stack', `Cannot read stack ${options.stack}: ${errorName(err)}`, 'Check the stack name, the region (AWS_REGION) and cloudformation:DescribeStackResources.'));
      return results;
    }
  }
  if (!functionName) {
    results.push(fail('online.function', 'No function to check', 'Pass --function NAME or --stack NAME.'));
    return results;
  }

  let fn;
  try {
    fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  } catch (err) {
    const name = errorName(err);
    results.push(fail('online.function', `Cannot read function ${functionName}: ${name}`, name === 'ResourceNotFoundException' ? 'The function does not exist in this account and region; check the name and AWS_REGION.' : 'Grant your credentials lambda:GetFunctionConfiguration.'));
    return results;
  }
  const env = fn.Environment?.Variables ?? {};
  results.push(runtimeCheck(functionName, { Runtime: fn.Runtime ?? null }));
  results.push(timeoutCheck(functionName, { Timeout: fn.Timeout ?? 3 }));
  const cost = options.bcryptCost ?? 10;
  results.push(memoryFinding(functionName, fn.MemorySize ?? 128, cost, options.verifyMsOnFullCpu ?? (await measureBcrypt(cost))));
  if (fn.State === 'Failed' || fn.LastUpdateStatus === 'Failed') {
    results.push(fail('online.function', `Function ${functionName} is in state ${fn.State}/${fn.LastUpdateStatus}: ${fn.StateReason ?? fn.LastUpdateStatusReason ?? ''}`, 'Fix the reason Lambda gives (often the VPC role or subnets) and deploy again.'));
  }

  const functionArn = fn.FunctionArn ?? '';
  const [, , , region, account] = functionArn.split(':');
  let poolArn: string | undefined;
  if (userPoolId) {
    try {
      const { UserPool } = await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
      poolArn = UserPool?.Arn ?? `arn:aws:cognito-idp:${region}:${account}:userpool/${userPoolId}`;
      const wired = UserPool?.LambdaConfig?.UserMigration;
      results.push(wired && (wired === functionArn || wired.endsWith(`:function:${functionName}`) || wired === functionName)
        ? pass('pool.trigger', `User pool ${userPoolId} sends UserMigration to ${functionName}`)
        : fail('pool.trigger', `User pool ${userPoolId} ${wired ? `sends UserMigration to ${wired}, not ${functionName}` : 'has no UserMigration trigger'}: Cognito never asks this function`, `Set the pool's Migrate user trigger to ${functionName} (console: Extensions → Lambda triggers).`));
      results.push(...(await mfaOnline(clients, UserPool?.MfaConfiguration, UserPool?.SmsConfiguration, env)));
      results.push(...(await completionOnline(clients.cognito, UserPool ?? {}, env, functionArn, functionName, userPoolId)));
      results.push(...totpOnline(UserPool ?? {}, env, userPoolId));
      results.push(...linkIdentitiesOnline(UserPool ?? {}, env, userPoolId));
      results.push(signUpGuardOnline(UserPool ?? {}, env, userPoolId, (arn) => Boolean(arn) && (arn === functionArn || arn!.endsWith(`:function:${functionName}`) || arn === functionName)));
      results.push(...poolPitfalls(UserPool ?? {}, env, (arn) => Boolean(arn) && (arn === functionArn || arn!.endsWith(`:function:${functionName}`) || arn === functionName)));
      if (env.OLD_USER_POOL_ID) results.push(await mfaAgainstOldPool(clients.cognito, userPoolId, env.OLD_USER_POOL_ID));
      results.push(await replicaOnline(clients.cognito, userPoolId, region ?? ''));
    } catch (err) {
      const name = errorName(err);
      results.push(fail('pool.trigger', `Cannot read user pool ${userPoolId}: ${name}`, name === 'ResourceNotFoundException' ? 'The pool does not exist in this region; check --user-pool-id and AWS_REGION.' : 'Grant your credentials cognito-idp:DescribeUserPool.'));
    }
    results.push(...(await clientsOnline(clients.cognito, userPoolId, completionAttributes(env), completes(env))));
  } else {
    results.push(warn('pool.trigger', 'No user pool given, so the trigger wiring and app clients were not checked', 'Pass --user-pool-id (or use --stack).'));
  }

  results.push(await permissionOnline(clients.lambda, functionName, poolArn));
  results.push(...(await roleOnline(clients.iam, fn.Role, env, region, account, poolArn)));
  const selfCheck = await selfCheckOnline(clients.lambda, functionName);
  results.push(...selfCheck);
  const room = selfCheck.find((c) => c.id === 'postgres.connections')?.data;
  if (room) results.push(await concurrencyOnline(clients.lambda, functionName, room));
  return results;
}

/**
 * Each warm instance holds one database connection, so the instances the
 * function may run at once must fit the database's room: its reserved
 * concurrency, or else the account's unreserved concurrency.
 */
async function concurrencyOnline(lambda: LambdaClient, functionName: string, room: Record<string, number>): Promise<CheckResult> {
  const available = room.available ?? 0;
  if (room.viaProxy) return pass('function.concurrency', `${functionName} connects through RDS Proxy, which pools connections (the database has room for ${available} more)`);
  let limit: number | undefined;
  let source: string;
  try {
    limit = (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }))).ReservedConcurrentExecutions;
    source = 'its reserved concurrency';
    if (limit === undefined) {
      limit = (await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions;
      source = 'the account\'s unreserved concurrency (no reservation)';
    }
  } catch (err) {
    return warn('function.concurrency', `Cannot read ${functionName}'s concurrency: ${errorName(err)}; the database has room for ${available} more connections`, 'Grant your credentials lambda:GetFunctionConcurrency and lambda:GetAccountSettings.');
  }
  if (limit === undefined) return warn('function.concurrency', `Lambda reported no concurrency limit for ${functionName}`, 'Set the ReservedConcurrency template parameter.');
  if (limit <= available) return pass('function.concurrency', `${functionName} may run ${limit} instances at once (${source}), each with one connection; the database has room for ${available} more`);
  return warn('function.concurrency', `${functionName} may run ${limit} instances at once (${source}), each holding one connection, but the database has room for ${available} more: a burst of sign-ins would exhaust max_connections (${room.maxConnections})`, `Set the ReservedConcurrency template parameter to at most ${available} (sam deploy --parameter-overrides ReservedConcurrency=${available}), or point the database host at an RDS Proxy endpoint, which pools connections.`);
}

/**
 * A multi-Region pool: only its PRIMARY replica creates users. A SECONDARY
 * "supports … only end-user operations that do not create or change
 * attributes of a user" (API reference, UserPoolReplicaType, Role), so a
 * sign-in there never migrates anyone. Read with ListUserPoolReplicas.
 *
 * @example
 * ```ts
 * await replicaOnline(cognito, 'eu-west-1_Abc', 'eu-west-1') // pass, warn or fail 'pool.replica'
 * ```
 */
export async function replicaOnline(cognito: CognitoIdentityProviderClient, userPoolId: string, region: string): Promise<CheckResult> {
  try {
    const replicas: Array<{ RegionName?: string; Role?: string }> = [];
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await cognito.send(new ListUserPoolReplicasCommand({ UserPoolId: userPoolId, ...(token ? { NextToken: token } : {}) }));
      replicas.push(...(out.UserPoolReplicas ?? []));
      token = out.NextToken;
      if (!token) break;
    }
    if (replicas.length === 0) return pass('pool.replica', `User pool ${userPoolId} has no replica in another Region: every sign-in can migrate`);
    const primary = replicas.find((r) => r.Role === 'PRIMARY')?.RegionName;
    const here = replicas.find((r) => r.RegionName === region);
    const others = replicas.filter((r) => r.Role !== 'PRIMARY').map((r) => r.RegionName).join(', ');
    if (here?.Role === 'SECONDARY') {
      return fail('pool.replica', `User pool ${userPoolId} is a SECONDARY replica in ${region}: it cannot create users, so no sign-in here ever migrates`, `Wire the migration on the primary pool${primary ? ` in ${primary}` : ''}, and have legacy users sign in there until they are migrated.`);
    }
    return warn('pool.replica', `User pool ${userPoolId} is replicated to ${others || 'other Regions'}: a legacy user who signs in through a replica is not migrated, since only the primary creates users`, `Send sign-ins of users not yet migrated to the primary${primary ? ` (${primary})` : ''}: the client helper's Region, or the app's endpoint, until the migration is done.`);
  } catch (err) {
    return warn('pool.replica', `Cannot list the replicas of ${userPoolId} (${errorName(err)}): whether it is a multi-Region replica was not checked`, 'Grant your credentials cognito-idp:ListUserPoolReplicas.');
  }
}

/**
 * A pool's app clients with their auth flows, or the error that hid one.
 *
 * @example
 * ```ts
 * await poolClients(cognito, 'eu-west-1_Abc') // [{ name: 'web (4c0…)', flows: ['ALLOW_USER_PASSWORD_AUTH'] }]
 * ```
 */
export async function poolClients(cognito: CognitoIdentityProviderClient, userPoolId: string): Promise<Array<{ name: string; flows?: string[]; writeAttributes?: string[]; error?: string }>> {
  const { UserPoolClients = [] } = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  const out: Array<{ name: string; flows?: string[]; writeAttributes?: string[]; error?: string }> = [];
  for (const c of UserPoolClients) {
    try {
      const { UserPoolClient } = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: c.ClientId }));
      out.push({ name: `${UserPoolClient?.ClientName ?? c.ClientName} (${c.ClientId})`, flows: UserPoolClient?.ExplicitAuthFlows ?? [], ...(UserPoolClient?.WriteAttributes?.length ? { writeAttributes: UserPoolClient.WriteAttributes } : {}) });
    } catch (err) {
      out.push({ name: String(c.ClientId), error: errorName(err) });
    }
  }
  return out;
}

async function clientsOnline(cognito: CognitoIdentityProviderClient, userPoolId: string, guarded: string[], completing: boolean): Promise<CheckResult[]> {
  try {
    const clients = await poolClients(cognito, userPoolId);
    if (clients.length === 0) return [warn('client.password-auth', `User pool ${userPoolId} has no app client`, 'Create one that allows ALLOW_USER_PASSWORD_AUTH.')];
    return clients.flatMap((c) => (c.flows
      ? [clientCheck(c.name, c.flows), writeCheck(c.name, c.writeAttributes, guarded, completing)]
      : [fail('client.password-auth', `ResourceNotFoundException-like failure reading app client ${c.name}: ${c.error}`, 'Check that the client exists in this pool; a deleted client id in an app gives "User pool client … does not exist".')]));
  } catch (err) {
    return [fail('client.password-auth', `Cannot list the app clients of ${userPoolId}: ${errorName(err)}`, 'Grant your credentials cognito-idp:ListUserPoolClients and DescribeUserPoolClient.')];
  }
}

/** The attributes the migration relies on, which no app client may write: the legacy link and the completion's mark. */
function completionAttributes(env: Record<string, string>): string[] {
  return ['custom:legacy_id', env.COMPLETION_MARK_ATTRIBUTE || 'custom:migrated_at', env.COMPLETION_PROOF_ATTRIBUTE || 'custom:legacy_proof'];
}

/**
 * An app client that lists a guarded attribute in WriteAttributes lets its
 * users rewrite it with their own access token (UpdateUserAttributes): a
 * rewritten `custom:legacy_id` points the completion at another person's
 * row, a written mark skips the completion. A client that lists none may
 * write only standard attributes (API reference, UserPoolClientType,
 * WriteAttributes).
 */
function writeCheck(client: string, writable: string[] | undefined, guarded: string[], completing: boolean): CheckResult {
  // The API reference (UserPoolClientType, WriteAttributes) says a client that declares none writes standard
  // attributes only; aws-cdk-lib documents "all standard and custom attributes". Never rely on either.
  if (writable === undefined) {
    return completing
      ? fail('client.write-attributes', `App client ${client} declares no WriteAttributes, and the documents disagree on what such a client may write (standard attributes only, or custom ones too)`, `Declare the client's WriteAttributes with the standard attributes your app writes and none of ${guarded.join(', ')} (template.yaml's client shows the list).`)
      : warn('client.write-attributes', `App client ${client} declares no WriteAttributes`, `Declare them without ${guarded.join(', ')}.`);
  }
  const open = guarded.filter((a) => writable.includes(a));
  return open.length
    ? fail('client.write-attributes', `App client ${client} lets users write ${open.join(' and ')}: a user could point their account at another legacy row, or skip the completion`, `Remove ${open.join(', ')} from the client's WriteAttributes (aws cognito-idp update-user-pool-client … --write-attributes with the others only).`)
    : pass('client.write-attributes', `App client ${client} cannot write ${guarded.join(' or ')}`);
}

/**
 * The sign-up door (issue 33): unless SIGNUP_GUARD=off, the pool must send
 * Pre sign-up to the function, or anyone can sign up with the email of a
 * legacy user who has not migrated yet and keep that person out for good.
 */
export function signUpGuardOnline(pool: UserPoolType, env: Record<string, string>, userPoolId: string, ours: (arn: string | undefined) => boolean): CheckResult {
  if (env.SIGNUP_GUARD === 'off') return warn('pool.signup-guard', `SIGNUP_GUARD=off: a sign-up in ${userPoolId} can take the login of a legacy user who has not migrated`, 'Leave SIGNUP_GUARD unset (refuse) and send the pool\'s Pre sign-up trigger to this function, unless the pool allows no self sign-up and no admin creation.');
  const wired = pool.LambdaConfig?.PreSignUp;
  return ours(wired)
    ? pass('pool.signup-guard', `User pool ${userPoolId} sends Pre sign-up to the function: no sign-up takes a legacy login that has not migrated`)
    : warn('pool.signup-guard', `User pool ${userPoolId} ${wired ? `sends Pre sign-up to ${wired.split(':').pop()}, not this function` : 'has no Pre sign-up trigger'}: anyone can sign up with a legacy user's email before that user migrates, and keep them out for good`, 'Set the pool\'s Pre sign-up trigger to this function (template.yaml and the CDK construct do); if another function must run there, call this one from it.');
}

/** True when the function reads social and enterprise identities, which the completion links to the user. */
export function linksIdentities(env: Record<string, string>): boolean {
  return Boolean(env.PG_IDENTITIES_COLUMN || env.MYSQL_IDENTITIES_COLUMN || env.HTTP_IDENTITY_PATH);
}

/**
 * Linking an identity to a user needs every custom attribute of the user
 * mutable (API reference, AdminLinkProviderForUser: "All attributes in the
 * DestinationUser profile must be mutable"); Cognito cannot make an attribute
 * mutable later, so the fix is a new attribute.
 */
export function linkIdentitiesOnline(pool: UserPoolType, env: Record<string, string>, userPoolId: string): CheckResult[] {
  if (!linksIdentities(env)) return [];
  const immutable = (pool.SchemaAttributes ?? []).filter((a) => a.Name?.startsWith('custom:') && a.Mutable === false).map((a) => a.Name!);
  if (!immutable.length) return [pass('pool.link-identities', `Every custom attribute of ${userPoolId} is mutable: staged identities can be linked to migrated users`)];
  const legacyId = env.COMPLETION_LEGACY_ID_ATTRIBUTE || 'custom:legacy_id';
  return [fail('pool.link-identities', `${immutable.join(', ')} ${immutable.length === 1 ? 'is' : 'are'} immutable in ${userPoolId}: Cognito refuses every identity link (AdminLinkProviderForUser needs every custom attribute mutable), so staged Google, Apple or SAML identities stay apart from their users`,
    `Cognito cannot make an attribute mutable. Add a mutable one (aws cognito-idp add-custom-attributes --user-pool-id ${userPoolId} --custom-attributes Name=legacy_ref,AttributeDataType=String,Mutable=true)${immutable.includes(legacyId) ? `, map the legacy id to it (ATTRIBUTE_MAP {"custom:legacy_ref": "id", …} in place of ${legacyId}) and set COMPLETION_LEGACY_ID_ATTRIBUTE=custom:legacy_ref` : ''}; users that already carry an immutable attribute keep it, so their identities cannot be linked.`)];
}

/** True when the store reads authenticator (TOTP) secrets: the SQL stores' `totpSecret` column. */
export function readsTotp(env: Record<string, string>): boolean {
  return ['PG_COLUMNS', 'MYSQL_COLUMNS'].some((k) => {
    try {
      return Boolean(env[k] && (JSON.parse(env[k]!) as Record<string, unknown>).totpSecret);
    } catch {
      return false;
    }
  });
}

/**
 * What the legacy second factor needs from the pool (issue 36): the attribute
 * the migration marks a TOTP user with, and MFA on, so the person enrols an
 * authenticator in Cognito. With MFA OFF they migrate with their code and
 * then sign in with a password alone.
 */
export function totpOnline(pool: UserPoolType, env: Record<string, string>, userPoolId: string): CheckResult[] {
  if (!readsTotp(env)) return [];
  const mark = env.TOTP_MARK_ATTRIBUTE || 'custom:legacy_mfa';
  const out = [(pool.SchemaAttributes ?? []).some((a) => a.Name === mark)
    ? pass('pool.totp-mark', `User pool ${userPoolId} has ${mark}, which tells the app that a migrated user had an authenticator`)
    : fail('pool.totp-mark', `User pool ${userPoolId} has no ${mark} attribute: every user with an authenticator is refused at migration ("Attributes did not conform to the schema")`, `aws cognito-idp add-custom-attributes --user-pool-id ${userPoolId} --custom-attributes Name=${mark.replace(/^custom:/, '')},AttributeDataType=String,Mutable=true`)];
  const mfa = pool.MfaConfiguration ?? 'OFF';
  out.push(mfa === 'OFF'
    ? warn('mfa.totp-enrolment', `The store holds authenticator secrets, but user pool ${userPoolId} has MFA OFF: users who had an authenticator prove it once at migration, then sign in with a password alone`, 'Set MFA to ON (Cognito asks each user to enrol at sign-in: MFA_SETUP) or OPTIONAL with software tokens enabled, and have the app send users with custom:legacy_mfa=totp to AssociateSoftwareToken (README, "The second factor").')
    : pass('mfa.totp-enrolment', `User pool ${userPoolId} has MFA ${mfa}: users who had an authenticator can enrol one${mfa === 'ON' ? ' (Cognito asks at sign-in: MFA_SETUP)' : ' (the app sends users with custom:legacy_mfa=totp to AssociateSoftwareToken)'}`));
  return out;
}

/** True when the function is configured to complete migrations: a ledger column, a groups column or a group map. */
function completes(env: Record<string, string>): boolean {
  return ['PG_COGNITO_SUB_COLUMN', 'MYSQL_COGNITO_SUB_COLUMN', 'PG_GROUPS_COLUMN', 'MYSQL_GROUPS_COLUMN', 'GROUP_MAP', 'HTTP_LINK_PATH'].some((k) => Boolean(env[k])) || env.OLD_POOL_GROUPS === 'true';
}

/**
 * What the completion needs from the pool: the Post authentication and Post
 * confirmation triggers wired to the function, the mark attribute in the
 * schema (mutable, as AdminUpdateUserAttributes writes it), and every group
 * GROUP_MAP names (unless the function creates them).
 */
async function completionOnline(cognito: CognitoIdentityProviderClient, pool: UserPoolType, env: Record<string, string>, functionArn: string, functionName: string, userPoolId: string): Promise<CheckResult[]> {
  if (!completes(env)) return [pass('pool.completion', 'The function keeps no ledger and maps no groups: nothing to complete')];
  const ours = (arn: string | undefined) => Boolean(arn) && (arn === functionArn || arn!.endsWith(`:function:${functionName}`) || arn === functionName);
  const missing = (['PostAuthentication', 'PostConfirmation'] as const).filter((t) => !ours(pool.LambdaConfig?.[t]));
  const out: CheckResult[] = [missing.length
    ? fail('pool.completion', `User pool ${userPoolId} does not send ${missing.join(' or ')} to ${functionName}: no migration ever completes (no sub written back, no groups), and moved users are never refused`, `Set the pool's ${missing.map((t) => (t === 'PostAuthentication' ? 'Post authentication' : 'Post confirmation')).join(' and ')} trigger to ${functionName} (the template does; console: Extensions → Lambda triggers).`)
    : pass('pool.completion', `User pool ${userPoolId} sends Post authentication and Post confirmation to ${functionName}`)];
  const mark = env.COMPLETION_MARK_ATTRIBUTE || 'custom:migrated_at';
  const declared = (pool.SchemaAttributes ?? []).find((a) => a.Name === mark);
  out.push(!declared
    ? fail('pool.completion-mark', `User pool ${userPoolId} has no ${mark} attribute: every completion fails at its last step, and every sign-in completes again`, `aws cognito-idp add-custom-attributes --user-pool-id ${userPoolId} --custom-attributes Name=${mark.replace(/^custom:/, '')},AttributeDataType=String,Mutable=true`)
    : declared.Mutable === false
    ? fail('pool.completion-mark', `${mark} is immutable in user pool ${userPoolId}: the completion cannot set it`, 'Declare a new mutable String attribute and set COMPLETION_MARK_ATTRIBUTE to it (an attribute cannot be made mutable later).')
    : pass('pool.completion-mark', `User pool ${userPoolId} has the completion mark ${mark}`));
  const proof = env.COMPLETION_PROOF_ATTRIBUTE || 'custom:legacy_proof';
  out.push(!(pool.SchemaAttributes ?? []).some((a) => a.Name === proof)
    ? fail('pool.completion-proof', `User pool ${userPoolId} has no ${proof} attribute: with a link key every migration fails ("Attributes did not conform to the schema"), without one no migration completes`, `aws cognito-idp add-custom-attributes --user-pool-id ${userPoolId} --custom-attributes Name=${proof.replace(/^custom:/, '')},AttributeDataType=String,Mutable=true`)
    : pass('pool.completion-proof', `User pool ${userPoolId} has the link proof attribute ${proof}`));
  out.push(!env.LINK_KEY_ARN && !env.LINK_KEY
    ? fail('completion.link-key', 'The function has no link key (LINK_KEY_ARN): no user can prove that the migration made it, so no migration completes', 'Create a secret of 64 random characters and set LINK_KEY_ARN to its ARN (template.yaml makes LinkKeySecret).')
    : pass('completion.link-key', `The function has a link key (${env.LINK_KEY_ARN ? 'LINK_KEY_ARN' : 'LINK_KEY'})`));
  let groupMap: Record<string, unknown> = {};
  try {
    groupMap = env.GROUP_MAP ? JSON.parse(env.GROUP_MAP) : {};
  } catch {
    out.push(fail('pool.groups', 'GROUP_MAP is not JSON', 'Example: GROUP_MAP={"ROLE_ADMIN":"admins"}.'));
    return out;
  }
  const wanted = [...new Set(Object.values(groupMap).map(String))];
  if (wanted.length === 0) return out;
  try {
    const have = new Set<string>();
    let token: string | undefined;
    // A pool holds at most 10,000 groups: 167 pages of 60 at the most.
    for (let page = 0; page < 170; page++) {
      const res = await cognito.send(new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, ...(token ? { NextToken: token } : {}) }));
      for (const g of res.Groups ?? []) if (g.GroupName) have.add(g.GroupName);
      token = res.NextToken;
      if (!token) break;
    }
    const absent = wanted.filter((g) => !have.has(g));
    out.push(absent.length === 0
      ? pass('pool.groups', `Every group GROUP_MAP names exists in ${userPoolId}: ${wanted.join(', ')}`)
      : env.CREATE_MISSING_GROUPS === 'true'
      ? pass('pool.groups', `${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} missing from ${userPoolId}; the function creates ${absent.length === 1 ? 'it' : 'them'} (CREATE_MISSING_GROUPS=true)`)
      : warn('pool.groups', `GROUP_MAP names ${absent.length === 1 ? 'a group' : 'groups'} that ${userPoolId} lacks: ${absent.join(', ')}; users with those roles stay incomplete (group_missing)`, `Create ${absent.length === 1 ? 'it' : 'them'} (aws cognito-idp create-group --user-pool-id ${userPoolId} --group-name NAME), or set CREATE_MISSING_GROUPS=true.`));
  } catch (err) {
    out.push(warn('pool.groups', `Cannot list the groups of ${userPoolId}: ${errorName(err)}`, 'Grant your credentials cognito-idp:ListGroups.'));
  }
  return out;
}

async function permissionOnline(lambda: LambdaClient, functionName: string, poolArn: string | undefined): Promise<CheckResult> {
  let policy: { Statement?: Array<Record<string, Json>> };
  try {
    const out = await lambda.send(new GetPolicyCommand({ FunctionName: functionName }));
    policy = JSON.parse(out.Policy ?? '{}');
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') {
      return fail('trigger.permission', `Function ${functionName} has no resource policy, so Cognito may not invoke it: sign-ins fail with "Exception migrating user in app client"`, `aws lambda add-permission --function-name ${functionName} --statement-id cognito-migrate --action lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn ${poolArn ?? 'POOL_ARN'}`);
    }
    return warn('trigger.permission', `Cannot read the resource policy of ${functionName}: ${errorName(err)}`, 'Grant your credentials lambda:GetPolicy.');
  }
  const forCognito = (policy.Statement ?? []).filter((s) => {
    const principal = s.Principal as Record<string, Json> | string | undefined;
    const service = typeof principal === 'object' && principal !== null ? principal.Service : principal;
    return s.Effect === 'Allow' && service === 'cognito-idp.amazonaws.com' && ['lambda:InvokeFunction', 'lambda:*'].includes(String(s.Action));
  });
  if (forCognito.length === 0) {
    return fail('trigger.permission', `No statement in ${functionName}'s resource policy lets cognito-idp.amazonaws.com invoke it: sign-ins fail with "Exception migrating user in app client"`, `aws lambda add-permission --function-name ${functionName} --statement-id cognito-migrate --action lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn ${poolArn ?? 'POOL_ARN'}`);
  }
  const sources = forCognito.map((s) => ((s.Condition as Record<string, Record<string, string>> | undefined)?.ArnLike ?? {})['AWS:SourceArn']).filter(Boolean) as string[];
  if (sources.length === 0) return warn('trigger.permission', `Cognito may invoke ${functionName} from any pool (no AWS:SourceArn condition)`, 'Add --source-arn with the pool ARN to the permission.');
  if (poolArn && !sources.some((src) => wildcard(src, poolArn))) {
    return fail('trigger.permission', `The invoke permission names ${sources.join(', ')}, not this pool (${poolArn}): Cognito's invocation is refused`, `Add a permission with --source-arn ${poolArn}.`);
  }
  return pass('trigger.permission', `cognito-idp.amazonaws.com may invoke ${functionName} from ${sources.join(', ')}`);
}

async function simulate(iam: IAMClient, roleArn: string, actions: string[], resources?: string[]): Promise<Record<string, string>> {
  const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: actions, ...(resources ? { ResourceArns: resources } : {}) }));
  return Object.fromEntries((out.EvaluationResults ?? []).map((r) => [r.EvalActionName ?? '', r.EvalDecision ?? 'implicitDeny']));
}

async function roleOnline(iam: IAMClient, roleArn: string | undefined, env: Record<string, string>, region?: string, account?: string, poolArn?: string): Promise<CheckResult[]> {
  if (!roleArn) return [warn('role.permissions', 'The function has no role ARN in its configuration', 'Check the function in the console.')];
  const groups: Array<{ id: string; actions: string[]; resources?: string[]; why: string; fix: string }> = [
    { id: 'role.logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], why: 'failed sign-ins leave no log', fix: 'Attach AWSLambdaBasicExecutionRole.' },
  ];
  if (env.DATABASE_SECRET_ARN) {
    groups.push({ id: 'role.secret', actions: ['secretsmanager:GetSecretValue'], resources: [env.DATABASE_SECRET_ARN], why: 'AccessDeniedException at the first sign-in', fix: 'Allow secretsmanager:GetSecretValue on DATABASE_SECRET_ARN.' });
  }
  if (env.OLD_USER_POOL_ID) {
    const oldRegion = env.OLD_USER_POOL_REGION ?? env.OLD_USER_POOL_ID.split('_')[0] ?? region;
    const carry = env.OLD_POOL_GROUPS === 'true' ? ['cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser'] : [];
    groups.push({ id: 'role.cognito', actions: ['cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminGetUser', ...carry], resources: [`arn:aws:cognito-idp:${oldRegion}:${account}:userpool/${env.OLD_USER_POOL_ID}`], why: 'AccessDeniedException from the old pool at the first sign-in (or, for the groups, at its completion)', fix: `Allow cognito-idp:AdminInitiateAuth and AdminGetUser${carry.length ? ', ListUsers and AdminListGroupsForUser' : ''} on the old pool's ARN.` });
  }
  if (completes(env) && poolArn) {
    const actions = ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminUpdateUserAttributes', ...(env.REMIGRATE === 'if-absent' ? ['cognito-idp:ListUsers'] : []), ...(env.CREATE_MISSING_GROUPS === 'true' ? ['cognito-idp:CreateGroup'] : [])];
    groups.push({ id: 'role.completion', actions, resources: [poolArn], why: 'every completion fails (completion_failed) and the next sign-in tries again', fix: `Allow ${actions.join(', ')} on ${poolArn} (the template's PoolAccessPolicy).` });
  }
  const out: CheckResult[] = [];
  for (const g of groups) {
    try {
      const decisions = await simulate(iam, roleArn, g.actions, g.resources);
      const denied = g.actions.filter((a) => decisions[a] !== 'allowed');
      out.push(denied.length
        ? (g.id === 'role.logs' ? warn : (id: string, m: string, f: string) => fail(id, m, f))(g.id, `The function role is denied ${denied.map((a) => `${a} (${decisions[a] ?? 'implicitDeny'})`).join(', ')}: ${g.why}`, g.fix)
        : pass(g.id, `The function role may ${g.actions.join(', ')}`));
    } catch (err) {
      out.push(warn(g.id, `Cannot simulate the function role's policy: ${errorName(err)}`, 'Grant your credentials iam:SimulatePrincipalPolicy, or check the role by hand.'));
    }
  }
  return out;
}

const MFA_RANK: Record<string, number> = { OFF: 0, OPTIONAL: 1, ON: 2 };

interface MfaState {
  level: string;
  totp: boolean;
  sms: boolean;
}

async function mfaState(cognito: CognitoIdentityProviderClient, poolId: string): Promise<MfaState> {
  const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  const level = UserPool?.MfaConfiguration ?? 'OFF';
  let totp = false;
  let sms = level !== 'OFF' && Boolean(UserPool?.SmsConfiguration?.SnsCallerArn);
  try {
    const config = await cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    totp = level !== 'OFF' && config.SoftwareTokenMfaConfiguration?.Enabled === true;
    sms = level !== 'OFF' && Boolean(config.SmsMfaConfiguration?.SmsConfiguration?.SnsCallerArn ?? UserPool?.SmsConfiguration?.SnsCallerArn);
  } catch {
    // Older emulators and narrow credentials: DescribeUserPool's answer is what we have.
  }
  return { level, totp, sms };
}

/** The target pool must ask at least what the old one asked: a migration never weakens sign-in. */
async function mfaAgainstOldPool(cognito: CognitoIdentityProviderClient, target: string, old: string): Promise<CheckResult> {
  let from: MfaState;
  let to: MfaState;
  try {
    [from, to] = [await mfaState(cognito, old), await mfaState(cognito, target)];
  } catch (err) {
    return warn('mfa.weaker', `Cannot compare the MFA of old pool ${old} with ${target}: ${errorName(err)}`, 'Grant your credentials cognito-idp:DescribeUserPool and GetUserPoolMfaConfig on both pools (and run doctor in the old pool\'s region if it differs).');
  }
  const gaps: string[] = [];
  if ((MFA_RANK[to.level] ?? 0) < (MFA_RANK[from.level] ?? 0)) gaps.push(`MFA is ${to.level} here but ${from.level} in the old pool`);
  if (from.totp && !to.totp) gaps.push('the old pool has authenticator-app (TOTP) MFA and this one does not');
  if (from.sms && !to.sms) gaps.push('the old pool has SMS MFA and this one does not (ENABLE_SMS_MFA cannot carry it)');
  if (gaps.length === 0) return pass('mfa.weaker', `Pool ${target} asks at least the second factors old pool ${old} asked (MFA ${to.level})`);
  return warn('mfa.weaker', `Pool ${target} is weaker than old pool ${old}: ${gaps.join('; ')}. Migrated users would sign in with less than they had`, `Set MfaConfiguration ${from.level} and enable ${[from.totp && 'SOFTWARE_TOKEN_MFA', from.sms && 'SMS_MFA'].filter(Boolean).join(' and ') || 'the same factors'} on ${target} (SetUserPoolMfaConfig) before switching the trigger on.`);
}

async function mfaOnline(clients: OnlineClients, mfa: string | undefined, sms: { SnsCallerArn?: string; ExternalId?: string } | undefined, env: Record<string, string>): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const smsOn = mfa !== undefined && mfa !== 'OFF' && !!sms?.SnsCallerArn;
  // SMS MFA is carried over unless ENABLE_SMS_MFA=false: by default a legacy SMS user keeps the factor.
  const smsWanted = env.ENABLE_SMS_MFA !== 'false';
  if (smsWanted && (mfa === undefined || mfa === 'OFF')) {
    // Only legacy SMS users are affected, and they fail closed (no migration), so it is a warning.
    out.push(warn('mfa.sms-migration', `ENABLE_SMS_MFA is ${env.ENABLE_SMS_MFA === 'true' ? 'true' : 'on by default'}, but the pool has MFA off: legacy users with SMS MFA cannot be migrated with it`, 'Turn on SMS MFA in the pool (with an SMS role), or set ENABLE_SMS_MFA=false to migrate them without their second factor.'));
  }
  if (mfa !== undefined && mfa !== 'OFF' && !sms?.SnsCallerArn && smsWanted) {
    out.push(fail('mfa.sms-config', 'InvalidParameterException: SMS MFA is wanted but the pool has no SmsConfiguration.SnsCallerArn', 'Set the pool\'s SMS configuration (SetUserPoolMfaConfig with SmsMfaConfiguration.SmsConfiguration).'));
  }
  if (!smsOn) return out;
  const roleName = sms!.SnsCallerArn!.split('/').pop()!;
  try {
    const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
    const doc = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}')) as Json;
    const trusted = trustedServices(doc).includes('cognito-idp.amazonaws.com');
    const idOk = !sms!.ExternalId || statementsOf([doc]).some((s) => JSON.stringify(s.Condition ?? {}).includes(JSON.stringify(sms!.ExternalId)));
    out.push(trusted && idOk
      ? pass('mfa.sms-role', `SMS role ${roleName} trusts cognito-idp.amazonaws.com with the pool's external ID`)
      : fail('mfa.sms-role', `InvalidSmsRoleTrustRelationshipException: SMS role ${roleName} ${!trusted ? 'does not trust cognito-idp.amazonaws.com' : 'expects another sts:ExternalId than the pool\'s'}`, 'Trust cognito-idp.amazonaws.com with Condition StringEquals sts:ExternalId = the pool\'s SMS external ID.'));
    const decisions = await simulate(clients.iam, Role?.Arn ?? sms!.SnsCallerArn!, ['sns:Publish'], ['*']);
    out.push(decisions['sns:Publish'] === 'allowed'
      ? pass('mfa.sms-publish', `SMS role ${roleName} may sns:Publish`)
      : fail('mfa.sms-publish', `InvalidSmsRoleAccessPolicyException: SMS role ${roleName} is denied sns:Publish (${decisions['sns:Publish'] ?? 'implicitDeny'})`, 'Allow sns:Publish on "*" in the role, and check that no SCP denies it.'));
  } catch (err) {
    out.push(warn('mfa.sms-role', `Cannot read SMS role ${roleName}: ${errorName(err)}`, 'Grant your credentials iam:GetRole and iam:SimulatePrincipalPolicy.'));
  }
  return out;
}

async function selfCheckOnline(lambda: LambdaClient, functionName: string): Promise<CheckResult[]> {
  let out;
  try {
    out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(SELF_CHECK_EVENT)) }));
  } catch (err) {
    return [warn('self-check', `Cannot invoke ${functionName}: ${errorName(err)}`, 'Grant your credentials lambda:InvokeFunction to run the self-check.')];
  }
  const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
  let body: { errorType?: string; errorMessage?: string; ok?: boolean; checks?: CheckResult[] };
  try {
    body = JSON.parse(text || '{}');
  } catch {
    return [fail('self-check', `${functionName} answered the self-check with something that is not JSON`, 'Check that the deployed code is cognito-migrate\'s bundle.')];
  }
  if (out.FunctionError) {
    const fixes: Record<string, string> = {
      'Runtime.ImportModuleError': 'The Handler names a module or file that is not in the package: deploy the built dist/ folder and set Handler index.handler.',
      'Runtime.HandlerNotFound': 'The module has no such export: set Handler to index.handler.',
      'Runtime.UserCodeSyntaxError': 'The deployed code does not parse on this runtime: deploy the esbuild bundle (npm run build).',
      'Sandbox.Timedout': 'The function timed out during the self-check: a check hung; see its log.',
    };
    return [fail('self-check', `${functionName} failed the self-check invocation with ${body.errorType}: ${body.errorMessage}`, fixes[body.errorType ?? ''] ?? 'See the function log.')];
  }
  if (!Array.isArray(body.checks)) {
    return [fail('self-check', `${functionName} did not answer the self-check event with a report: it is not cognito-migrate, or an old version`, 'Deploy the current bundle.')];
  }
  return [pass('self-check', `${functionName} ran its self-check with its own role and network`), ...body.checks];
}
