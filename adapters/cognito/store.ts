// The pool-to-pool store: users still in another Cognito user pool (an old
// one, maybe in another account) are checked there with their password
// (AdminInitiateAuth), their attributes read (AdminGetUser), and their old
// groups carried as roles. Every login costs the same calls whether anyone
// has it or not, and a TOTP user proves the code to the old pool. The store is
// built from one checked settings object (oldPoolSettings) that each call
// below reads; createCognitoStore wires them.
import {
  AdminGetUserCommand, type AdminGetUserCommandOutput, AdminInitiateAuthCommand, AdminListGroupsForUserCommand, AdminRespondToAuthChallengeCommand, CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand, DescribeUserPoolCommand, ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createHmac, randomBytes } from 'node:crypto';
import { type CheckResult, type SelfCheck, fail, pass, warn } from '../../src/checks.js';
import { rejectUnknownKeys } from '../../src/config.js';
import { ConfigurationError, StoreUnavailableError } from '../../src/errors.js';
import { type AccountLink, type AuthenticateResult, type LegacyUser, type LegacyValue, type LinkResult, type LookupQuery, type StoreContext, type UserStore } from '../../src/types.js';

/**
 * Options of {@link createCognitoStore}.
 *
 * @example
 * ```ts
 * { userPoolId: 'eu-west-1_OLD', clientId: '1example23456789', roleArn: 'arn:aws:iam::111122223333:role/read-old-pool' }
 * ```
 */
export interface CognitoStoreOptions {
  /** The old pool, e.g. `eu-west-1_AbCdEf`. */
  userPoolId: string;
  /** An app client of the old pool that allows ALLOW_ADMIN_USER_PASSWORD_AUTH. */
  clientId: string;
  /** That client's secret, when it has one (SECRET_HASH is computed from it), or a function that reads it (Secrets Manager). */
  clientSecret?: string | (() => Promise<string>);
  /** Region of the old pool (default: the prefix of the pool id). */
  region?: string;
  /** Role in the old pool's account to assume (cross-account), with an optional external ID. */
  roleArn?: string;
  externalId?: string;
  /** Attributes never copied, on top of `sub`, `identities` and Cognito's own. */
  dropAttributes?: readonly string[];
  /** A ready client (tests, custom endpoints). Default: one for `region`, created on first use. */
  client?: Pick<CognitoIdentityProviderClient, 'send'>;
  /**
   * Carry the old pool's groups: the completion reads the groups of the old
   * user (`AdminListGroupsForUser`, found by the old sub, the legacy id) as the
   * legacy roles, mapped by GROUP_MAP (or kept by name with
   * UNMAPPED_ROLES=same-name). The old pool keeps no ledger: nothing is
   * written to it. Needs `cognito-idp:ListUsers` and
   * `AdminListGroupsForUser` on the old pool, and the mapping must set
   * `custom:legacy_id` from `id`. Default false.
   */
  carryGroups?: boolean;
}

const OPTION_NAMES = ['userPoolId', 'clientId', 'clientSecret', 'region', 'roleArn', 'externalId', 'dropAttributes', 'client', 'carryGroups'];
const WHERE = 'createCognitoStore';
// Cognito owns these: never copied to the new pool.
const ALWAYS_DROPPED = new Set(['sub', 'identities', 'cognito:user_status', 'cognito:mfa_enabled', 'cognito:username']);
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
/** The `ClientMetadata` key that carries the user's current TOTP code for a legacy account with an authenticator app. */
export const TOTP_METADATA_KEY = 'legacy_totp_code';
// Challenges Cognito issues only after the password was right, and that leave no second factor behind.
const PASSWORD_PROVEN = new Set(['NEW_PASSWORD_REQUIRED', 'SMS_MFA', 'MFA_SETUP']);
type Client = Pick<CognitoIdentityProviderClient, 'send'>;
type CognitoError = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
type AuthAnswer = { AuthenticationResult?: unknown; ChallengeName?: string; Session?: string };

/**
 * Migrates from another Cognito user pool (pool-to-pool): `AdminInitiateAuth`
 * with `ADMIN_USER_PASSWORD_AUTH` on the old pool checks the password, then
 * `AdminGetUser` reads the attributes.
 *
 * Every sign-in makes the same calls whether or not the user exists
 * (`ListUsers` by email when matching emails, then `AdminInitiateAuth` and
 * `AdminGetUser`), so neither their number nor their order tells who has an
 * account. Decisions for what the old pool may answer:
 * - tokens: migrated;
 * - `NEW_PASSWORD_REQUIRED` (the password is a temporary one): migrated as `RESET_REQUIRED`;
 * - `SMS_MFA`: the password is proven and the user keeps SMS MFA (phone
 *   carried, `enableSMSMFA`); `MFA_SETUP`: proven, no factor yet;
 * - `SOFTWARE_TOKEN_MFA` (and `SELECT_MFA_TYPE`): never on the password
 *   alone. The app passes the user's current code as `ClientMetadata`
 *   `legacy_totp_code`; only when the old pool accepts it is the user
 *   migrated (the TOTP secret itself cannot move: they enrol again). Without
 *   it, or with a wrong one, the refusal is `mfa_required`. `EMAIL_OTP`
 *   likewise refuses (`mfa_required`): such users use "Forgot password";
 * - `PasswordResetRequiredException`: refused as `reset_required`;
 * - refusals (`NotAuthorizedException`, `InvalidPasswordException`) are told
 *   apart with the `AdminGetUser` answer: unknown, disabled or wrong password;
 * - throttling, access denied, missing client: outages, never a wrong password.
 *
 * @example
 * ```ts
 * const store = createCognitoStore({ userPoolId: 'eu-west-1_OLD', clientId: process.env.OLD_CLIENT_ID! })
 * export const handler = createUserMigrationHandler({ store, attributes: { email: 'email', email_verified: 'email_verified' } })
 * ```
 */
export function createCognitoStore(options: CognitoStoreOptions): CognitoStore {
  const pool: OldPool = { ...oldPoolSettings(options), ...(options.client ? { client: options.client } : {}) };
  return {
    name: 'cognito',
    async warm() {
      // The SDK resolves its credentials, and builds its middleware stack and endpoint on the first send; the app
      // client's secret is read once. All of it here, during init. The send carries an already-aborted signal, so the
      // SDK stops at its HTTP handler and no request leaves (`bench --only cold`: the first sign-in's extra over a warm
      // one went from 34.1 to 21.5 ms with this send).
      const client = getClient(pool);
      const config = (client as { config?: { credentials?: () => Promise<unknown> } }).config;
      await Promise.allSettled([config?.credentials?.(), readSecret(pool)]);
      await client.send(new AdminGetUserCommand({ UserPoolId: options.userPoolId, Username: WARM_UP_USERNAME }) as never, { abortSignal: AbortSignal.abort() as never }).catch(() => {});
    },
    findUser: (query, ctx) => findUser(pool, query, ctx),
    authenticate: (query, password, ctx) => authenticate(pool, query, password, ctx),
    ...(options.carryGroups ? { linkAccount: (link: AccountLink, ctx: StoreContext) => linkAccount(pool, link, ctx) } : {}),
    checks: () => cognitoChecks(options, () => getClient(pool), (username: string) => secretHash(pool, username)),
  };
}

/** The username of the warm-up's send, which never leaves the process (its signal is aborted before it is made). */
const WARM_UP_USERNAME = 'cognito-migrate-warm-up';

/** The Cognito store, with the start work its Lambda entry awaits during init. */
export interface CognitoStore extends UserStore {
  /** Makes the SDK client, resolves its credentials, reads the app client's secret and runs the SDK's send path once without a request; resolves when done, never rejects. */
  warm(): Promise<void>;
}

/** The options, checked: the old pool and app client every call goes to. */
function oldPoolSettings(options: CognitoStoreOptions) {
  rejectUnknownKeys(WHERE, options, OPTION_NAMES);
  if (!options.userPoolId || !POOL_ID.test(options.userPoolId)) {
    throw new ConfigurationError('userPoolId', `${WHERE}: "userPoolId" must be a user pool id like eu-west-1_AbCdEf`, 'Pass the old pool\'s id (OLD_USER_POOL_ID).');
  }
  if (!options.clientId) throw new ConfigurationError('clientId', `${WHERE}: "clientId" is required`, 'Pass an app client id of the old pool that allows ALLOW_ADMIN_USER_PASSWORD_AUTH (OLD_CLIENT_ID).');
  const region = options.region ?? options.userPoolId.split('_')[0]!;
  const dropped = new Set([...ALWAYS_DROPPED, ...(options.dropAttributes ?? [])]);
  return { options, region, dropped };
}

/** One old pool: its settings, its SDK client (made on first use) and its app client's secret (read once). */
type OldPool = ReturnType<typeof oldPoolSettings> & { client?: Client; secret?: Promise<string | undefined> | undefined };


function getClient(pool: OldPool): Client {
  const { options, region } = pool;
  if (!pool.client) {
    const credentials = options.roleArn ? assumeRoleCredentials(options.roleArn, options.externalId, region) : undefined;
    // Two attempts at most: the SDK's default of three with backoff can outlast Cognito's 5 s.
    pool.client = new CognitoIdentityProviderClient({ region, maxAttempts: 2, ...(credentials ? { credentials } : {}) });
  }
  return pool.client;
}

/** The old app client's secret, read once (a failed read is tried again next time). */
function readSecret(pool: OldPool): Promise<string | undefined> {
  const source = pool.options.clientSecret;
  pool.secret ??= (typeof source === 'function' ? source() : Promise.resolve(source)).catch((err) => {
    pool.secret = undefined;
    throw new StoreUnavailableError('cognito', `the old app client's secret could not be read (${(err as Error).name})`, { cause: err });
  });
  return pool.secret;
}

/** SECRET_HASH for a username, when the old app client has a secret (API reference, AdminInitiateAuth, AuthParameters). */
async function secretHash(pool: OldPool, username: string): Promise<string | undefined> {
  const value = await readSecret(pool);
  return value ? createHmac('sha256', value).update(username + pool.options.clientId).digest('base64') : undefined;
}

async function call<T>(pool: OldPool, command: unknown, ctx: StoreContext): Promise<T> {
  return (await getClient(pool).send(command as never, { abortSignal: ctx.signal as never })) as T;
}

function outage(pool: OldPool, err: CognitoError, action: string): StoreUnavailableError {
  const { options } = pool;
  const name = err.name ?? 'Error';
  const hints: Record<string, string> = {
    AccessDeniedException: `the function role may not call cognito-idp:${action} on ${options.userPoolId}`,
    ResourceNotFoundException: `the old pool or app client does not exist (${err.message ?? 'ResourceNotFoundException'})`,
    InvalidParameterException: `the old app client refused the request (${err.message ?? ''}); it must allow ALLOW_ADMIN_USER_PASSWORD_AUTH`,
    TooManyRequestsException: 'the old pool throttled the request',
    LimitExceededException: 'the old pool throttled the request',
  };
  return new StoreUnavailableError('cognito', `${action} failed with ${name}: ${hints[name] ?? 'see the cause'}`, { cause: err });
}

async function getUser(pool: OldPool, username: string, ctx: StoreContext): Promise<AdminGetUserCommandOutput | undefined> {
  const { options } = pool;
  try {
    return await call<AdminGetUserCommandOutput>(pool, new AdminGetUserCommand({ UserPoolId: options.userPoolId, Username: username }), ctx);
  } catch (err) {
    if ((err as CognitoError).name === 'UserNotFoundException') return undefined;
    throw outage(pool, err as CognitoError, 'AdminGetUser');
  }
}

// Finds the old pool's username for an email when the old pool does not accept the email as an alias.
async function byEmail(pool: OldPool, email: string, ctx: StoreContext): Promise<string | undefined> {
  const { options } = pool;
  if (!email.includes('@') || /["\\]/.test(email)) return undefined;
  try {
    const out = await call<{ Users?: Array<{ Username?: string }> }>(pool, new ListUsersCommand({ UserPoolId: options.userPoolId, Filter: `email = "${email}"`, Limit: 2 }), ctx);
    return out.Users?.length === 1 ? out.Users[0]!.Username : undefined;
  } catch (err) {
    throw outage(pool, err as CognitoError, 'ListUsers');
  }
}

async function findUser(pool: OldPool, query: LookupQuery, ctx: StoreContext): Promise<LegacyUser | undefined> {
  const { dropped } = pool;
  // As in authenticate: the same calls whether or not anyone has this login.
  const byMail = query.matchEmail && query.login.includes('@') ? await byEmail(pool, query.login, ctx) : undefined;
  const found = await getUser(pool, byMail ?? query.login, ctx);
  return found && toLegacyUser(found, dropped);
}

async function initiate(pool: OldPool, username: string, password: string, ctx: StoreContext): Promise<{ out?: AuthAnswer; err?: CognitoError }> {
  const { options } = pool;
  const hash = await secretHash(pool, username);
  try {
    const out = await call<AuthAnswer>(pool, new AdminInitiateAuthCommand({
      UserPoolId: options.userPoolId, ClientId: options.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password, ...(hash ? { SECRET_HASH: hash } : {}) },
    }), ctx);
    return { out };
  } catch (err) {
    return { err: err as CognitoError };
  }
}

/**
 * With a code given, every sign-in sends exactly one SOFTWARE_TOKEN_MFA answer to the old pool: the real one
 * when the old pool asked for it, otherwise this one, against a session that does not exist (the old pool
 * refuses it; the answer is ignored). So a right and a wrong password make the same calls, in about the same time.
 */
async function decoyTotp(pool: OldPool, username: string, code: string, ctx: StoreContext): Promise<void> {
  const { options } = pool;
  const hash = await secretHash(pool, username);
  await call(pool, new AdminRespondToAuthChallengeCommand({
    UserPoolId: options.userPoolId, ClientId: options.clientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: randomBytes(96).toString('base64url'),
    ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code, ...(hash ? { SECRET_HASH: hash } : {}) },
  }), ctx).catch(() => {});
}

/** Answers a TOTP challenge with the code the app passed; true only when the old pool accepts it. */
async function proveTotp(pool: OldPool, username: string, first: AuthAnswer, ctx: StoreContext, sent: { code: boolean }): Promise<boolean> {
  const { options } = pool;
  const code = ctx.clientMetadata?.[TOTP_METADATA_KEY];
  if (typeof code !== 'string' || !/^\d{6,8}$/.test(code)) return false;
  const hash = await secretHash(pool, username);
  const respond = (name: string, session: string | undefined, answer: Record<string, string>) => call<AuthAnswer>(pool, new AdminRespondToAuthChallengeCommand({
    UserPoolId: options.userPoolId, ClientId: options.clientId, ChallengeName: name as never, Session: session,
    ChallengeResponses: { USERNAME: username, ...answer, ...(hash ? { SECRET_HASH: hash } : {}) },
  }), ctx);
  try {
    let step = first;
    if (step.ChallengeName === 'SELECT_MFA_TYPE') step = await respond('SELECT_MFA_TYPE', step.Session, { ANSWER: 'SOFTWARE_TOKEN_MFA' });
    if (step.ChallengeName !== 'SOFTWARE_TOKEN_MFA') return false;
    sent.code = true;
    const done = await respond('SOFTWARE_TOKEN_MFA', step.Session, { SOFTWARE_TOKEN_MFA_CODE: code });
    return Boolean(done.AuthenticationResult);
  } catch (err) {
    const name = (err as CognitoError).name;
    if (name === 'CodeMismatchException' || name === 'NotAuthorizedException' || name === 'ExpiredCodeException' || name === 'EnableSoftwareTokenMFAException') return false;
    throw outage(pool, err as CognitoError, 'AdminRespondToAuthChallenge');
  }
}

async function authenticate(pool: OldPool, query: LookupQuery, password: string, ctx: StoreContext): Promise<AuthenticateResult> {
  const code = ctx.clientMetadata?.[TOTP_METADATA_KEY];
  const sent = { code: false };
  const result = await decide(pool, query, password, ctx, sent);
  if (typeof code === 'string' && /^\d{6,8}$/.test(code) && !sent.code) await decoyTotp(pool, query.login, code, ctx);
  return result;
}

async function decide(pool: OldPool, query: LookupQuery, password: string, ctx: StoreContext, sent: { code: boolean }): Promise<AuthenticateResult> {
  const { dropped } = pool;
  // The same calls for every login, known or not: ListUsers (emails), AdminInitiateAuth, AdminGetUser.
  const byMail = query.matchEmail && query.login.includes('@') ? await byEmail(pool, query.login, ctx) : undefined;
  const username = byMail ?? query.login;
  const { out, err } = await initiate(pool, username, password, ctx);
  const user = await getUser(pool, username, ctx);
  if (err) {
    const name = err.name;
    if (name === 'PasswordResetRequiredException') return user ? { outcome: 'reset_required' } : { outcome: 'unknown_user' };
    if (name === 'UserNotConfirmedException') return { outcome: 'user_disabled' };
    if (name === 'UserNotFoundException' || name === 'NotAuthorizedException' || name === 'InvalidPasswordException') {
      if (/attempts exceeded/i.test(err.message ?? '')) throw outage(pool, err, 'AdminInitiateAuth');
      if (!user) return { outcome: 'unknown_user' };
      if (user.Enabled === false) return { outcome: 'user_disabled' };
      return { outcome: 'wrong_password' };
    }
    throw outage(pool, err, 'AdminInitiateAuth');
  }
  if (!user) return { outcome: 'unknown_user' };
  if (user.Enabled === false) return { outcome: 'user_disabled' };
  const challenge = out?.AuthenticationResult ? undefined : out?.ChallengeName;
  if (challenge === 'SOFTWARE_TOKEN_MFA' || challenge === 'SELECT_MFA_TYPE') {
    if (!(await proveTotp(pool, username, out!, ctx, sent))) return { outcome: 'mfa_required' };
  } else if (challenge === 'EMAIL_OTP') {
    return { outcome: 'mfa_required' };
  } else if (challenge && !PASSWORD_PROVEN.has(challenge)) {
    throw new StoreUnavailableError('cognito', `the old pool answered with the ${challenge} challenge, which does not prove the password; these users must reset it`);
  } else if (!out?.AuthenticationResult && !challenge) {
    throw new StoreUnavailableError('cognito', 'protocol error: AdminInitiateAuth answered neither tokens nor a challenge');
  }
  const legacy = toLegacyUser(user, dropped);
  if (challenge === 'NEW_PASSWORD_REQUIRED') legacy.mustResetPassword = true;
  if (challenge === 'SMS_MFA') legacy.smsMfa = true;
  return { outcome: 'ok', user: legacy };
}

/** The old user's groups as legacy roles; the old user is found by its sub, which the migration made the legacy id. */
async function linkAccount(pool: OldPool, link: { legacyId: string }, ctx: StoreContext): Promise<LinkResult> {
  const { options } = pool;
  // A sub is a UUID; anything else is no old user, and must not reach the filter's quotes.
  if (!/^[0-9a-f-]{1,64}$/i.test(link.legacyId)) return { outcome: 'no_row' };
  let username: string | undefined;
  try {
    const out = await call<{ Users?: Array<{ Username?: string }> }>(pool, new ListUsersCommand({ UserPoolId: options.userPoolId, Filter: `sub = "${link.legacyId}"`, Limit: 2 }), ctx);
    if (out.Users?.length !== 1 || !out.Users[0]!.Username) return { outcome: 'no_row' };
    username = out.Users[0]!.Username;
    const roles: string[] = [];
    let token: string | undefined;
    // A user is in at most 100 groups: two pages of 60.
    do {
      const page = await call<{ Groups?: Array<{ GroupName?: string }>; NextToken?: string }>(pool, new AdminListGroupsForUserCommand({ UserPoolId: options.userPoolId, Username: username, Limit: 60, ...(token ? { NextToken: token } : {}) }), ctx);
      for (const g of page.Groups ?? []) if (g.GroupName) roles.push(g.GroupName);
      token = page.NextToken;
    } while (token && roles.length < 100);
    return { outcome: 'linked', roles };
  } catch (err) {
    throw outage(pool, err as CognitoError, username ? 'AdminListGroupsForUser' : 'ListUsers');
  }
}

function toLegacyUser(out: AdminGetUserCommandOutput, dropped: Set<string>): LegacyUser {
  const fields: Record<string, LegacyValue> = { username: out.Username };
  let id = out.Username ?? '';
  for (const { Name, Value } of out.UserAttributes ?? []) {
    if (!Name) continue;
    if (Name === 'sub') id = Value ?? id;
    if (!dropped.has(Name)) fields[Name] = Value;
  }
  const user: LegacyUser = { id, fields, enabled: out.Enabled !== false };
  const mfa = out.UserMFASettingList ?? [];
  if (mfa.includes('SMS_MFA') || (out.MFAOptions ?? []).some((o) => o.DeliveryMedium === 'SMS')) user.smsMfa = true;
  if (out.UserStatus === 'FORCE_CHANGE_PASSWORD') user.mustResetPassword = true;
  return user;
}

/** Credentials from STS AssumeRole, refreshed five minutes before they expire; STS is loaded only when a role is given. */
function assumeRoleCredentials(roleArn: string, externalId: string | undefined, region: string) {
  let cached: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const out = await new STSClient({ region }).send(new AssumeRoleCommand({
      RoleArn: roleArn, RoleSessionName: 'cognito-migrate', DurationSeconds: 3600, ...(externalId ? { ExternalId: externalId } : {}),
    }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new StoreUnavailableError('cognito', `AssumeRole of ${roleArn} returned no credentials`);
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

const checkSignal = () => AbortSignal.timeout(3000);

function cognitoChecks(options: CognitoStoreOptions, getClient: () => Client, secretHash: (username: string) => Promise<string | undefined>): SelfCheck[] {
  const probeHash = async (username: string): Promise<Record<string, string>> => {
    const hash = await secretHash(username);
    return hash ? { SECRET_HASH: hash } : {};
  };
  const send = <T>(command: unknown) => getClient().send(command as never, { abortSignal: checkSignal() as never }) as Promise<T>;
  const name = (err: unknown) => (err as CognitoError).name ?? 'Error';
  return [
    {
      id: 'cognito.pool',
      async run(): Promise<CheckResult> {
        try {
          const out = await send<{ UserPool?: { Name?: string } }>(new DescribeUserPoolCommand({ UserPoolId: options.userPoolId }));
          return pass('cognito.pool', `Old pool ${options.userPoolId} (${out.UserPool?.Name ?? 'unnamed'}) exists`);
        } catch (err) {
          if (name(err) === 'ResourceNotFoundException') return fail('cognito.pool', `ResourceNotFoundException: old pool ${options.userPoolId} does not exist in ${options.region ?? options.userPoolId.split('_')[0]}`, 'Check OLD_USER_POOL_ID and OLD_USER_POOL_REGION.');
          if (name(err) === 'AccessDeniedException') return warn('cognito.pool', 'The function role may not DescribeUserPool on the old pool, so the pool could not be checked', 'Allow cognito-idp:DescribeUserPool for the self-check, or ignore this.');
          return fail('cognito.pool', `DescribeUserPool failed: ${name(err)}`, 'Check the region and the network path to Cognito.');
        }
      },
    },
    {
      id: 'cognito.client',
      async run(): Promise<CheckResult> {
        try {
          const out = await send<{ UserPoolClient?: { ExplicitAuthFlows?: string[]; ClientName?: string } }>(new DescribeUserPoolClientCommand({ UserPoolId: options.userPoolId, ClientId: options.clientId }));
          const flows = out.UserPoolClient?.ExplicitAuthFlows ?? [];
          if (!flows.includes('ALLOW_ADMIN_USER_PASSWORD_AUTH') && !flows.includes('ADMIN_NO_SRP_AUTH')) {
            return fail('cognito.client', `Old app client ${options.clientId} does not allow ALLOW_ADMIN_USER_PASSWORD_AUTH, so AdminInitiateAuth is refused`, 'Add ALLOW_ADMIN_USER_PASSWORD_AUTH to that client\'s auth flows.');
          }
          return pass('cognito.client', `Old app client ${out.UserPoolClient?.ClientName ?? options.clientId} allows ALLOW_ADMIN_USER_PASSWORD_AUTH`);
        } catch (err) {
          if (name(err) === 'ResourceNotFoundException') return fail('cognito.client', `ResourceNotFoundException: User pool client ${options.clientId} does not exist in ${options.userPoolId}`, 'Set OLD_CLIENT_ID to an app client of the old pool.');
          if (name(err) === 'AccessDeniedException') return warn('cognito.client', 'The function role may not DescribeUserPoolClient, so the client could not be checked', 'Allow cognito-idp:DescribeUserPoolClient for the self-check, or ignore this.');
          return fail('cognito.client', `DescribeUserPoolClient failed: ${name(err)}`, 'Check OLD_CLIENT_ID.');
        }
      },
    },
    {
      id: 'cognito.permission',
      async run(): Promise<CheckResult[]> {
        // A username no one has: only the permission decides between "no such user" and AccessDenied.
        const probe = `cognito-migrate-probe-${randomBytes(8).toString('hex')}`;
        const results: CheckResult[] = [];
        const attempts: Array<[string, unknown]> = [
          ['AdminInitiateAuth', new AdminInitiateAuthCommand({ UserPoolId: options.userPoolId, ClientId: options.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: probe, PASSWORD: probe, ...(await probeHash(probe)) } })],
          ['AdminGetUser', new AdminGetUserCommand({ UserPoolId: options.userPoolId, Username: probe })],
        ];
        for (const [action, command] of attempts) {
          try {
            await send(command);
            results.push(warn('cognito.permission', `${action} with a made-up username succeeded, which it should not`, 'Check that OLD_USER_POOL_ID is the old pool, and that it has no UserMigration trigger of its own.'));
          } catch (err) {
            const n = name(err);
            if (n === 'UserNotFoundException' || n === 'NotAuthorizedException' || n === 'InvalidPasswordException') results.push(pass('cognito.permission', `The function role may call ${action} on the old pool (probe answered ${n})`));
            else if (n === 'AccessDeniedException') results.push(fail('cognito.permission', `AccessDeniedException: the function role may not call cognito-idp:${action} on ${options.userPoolId}`, `Allow cognito-idp:${action} on arn:aws:cognito-idp:REGION:ACCOUNT:userpool/${options.userPoolId}${options.roleArn ? ` in the role ${options.roleArn}` : ''}.`));
            else results.push(fail('cognito.permission', `${action} probe failed with ${n}`, n === 'ResourceNotFoundException' ? 'Check OLD_USER_POOL_ID and OLD_CLIENT_ID.' : 'See the function log.'));
          }
        }
        return results;
      },
    },
  ];
}
