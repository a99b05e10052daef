// The few calls the core makes on the user pool it migrates into: the
// completion's group assignment and mark, and the re-migration check. Behind a
// small interface, so tests hand in cognito-local or a fake, and the SDK loads
// only when a completion or re-migration check first needs it.
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import type { PasswordRules } from './password-policy.js';

/**
 * What the core asks of the user pool. Every call takes the invocation's
 * abort signal.
 *
 * @example
 * ```ts
 * const pool: PoolAdmin = cognitoPoolAdmin(new CognitoIdentityProviderClient({}))
 * await pool.addToGroup('eu-west-1_AbC', 'ada', 'admins', { signal })
 * ```
 */
export interface PoolAdmin {
  /**
   * AdminAddUserToGroup. Answers `missing` for a group the pool does not have
   * (ResourceNotFoundException, API reference, AdminAddUserToGroup, Errors).
   */
  addToGroup(poolId: string, username: string, group: string, opts: { signal: AbortSignal }): Promise<'added' | 'missing'>;
  /** CreateGroup; a group that exists already (GroupExistsException) counts as created. */
  createGroup(poolId: string, group: string, opts: { signal: AbortSignal }): Promise<void>;
  /** AdminUpdateUserAttributes, for the completion's mark. */
  setAttributes(poolId: string, username: string, attributes: Record<string, string>, opts: { signal: AbortSignal }): Promise<void>;
  /**
   * AdminLinkProviderForUser: the identity (a provider's subject) becomes a
   * way into this native user, as `Cognito_Subject` (API reference,
   * AdminLinkProviderForUser: DestinationUser `Cognito` and the username;
   * SourceUser the provider, `Cognito_Subject` and the subject). Answers
   * `refused` with Cognito's error name when the link cannot be made (the
   * identity signed in on its own already, the user has 5, an immutable
   * custom attribute); absent in fakes that have none.
   */
  linkProvider?(poolId: string, username: string, identity: { provider: string; sub: string }, opts: { signal: AbortSignal }): Promise<'linked' | { refused: string }>;
  /**
   * The pool's sign-in attributes (DescribeUserPool, `UsernameAttributes`:
   * `email`, `phone_number`, or none for usernames), read once an instance.
   */
  usernameAttributes?(poolId: string, opts: { signal: AbortSignal }): Promise<string[]>;
  /**
   * AdminCreateUser with `MessageAction: SUPPRESS` (no invitation: the person
   * is signing in already), then AdminSetUserPassword with a random permanent
   * password nobody knows, so the user is CONFIRMED and can reset it
   * (a FORCE_CHANGE_PASSWORD user cannot: API reference, ForgotPassword).
   * `clientMetadata` reaches the Pre sign-up trigger. Answers the user's
   * username and sub, or `exists` (UsernameExistsException, AliasExistsException).
   */
  createUser?(poolId: string, username: string, attributes: Record<string, string>, clientMetadata: Record<string, string>, opts: { signal: AbortSignal }): Promise<{ username: string; sub: string } | 'exists'>;
  /** AdminGetUser: the user's username and attributes, or undefined (UserNotFoundException). */
  getUser?(poolId: string, username: string, opts: { signal: AbortSignal }): Promise<{ username: string; attributes: Record<string, string> } | undefined>;
  /** The username of the user with this `sub` (ListUsers, `sub = "…"`), or undefined. */
  userBySub?(poolId: string, sub: string, opts: { signal: AbortSignal }): Promise<string | undefined>;
  /** Whether a user with this `sub` exists: ListUsers with the filter `sub = "…"` (sub is one of ListUsers' filterable attributes). */
  hasSub(poolId: string, sub: string, opts: { signal: AbortSignal }): Promise<boolean>;
  /** The pool's password policy (DescribeUserPool, `Policies.PasswordPolicy`); absent in fakes that have none. */
  passwordPolicy?(poolId: string, opts: { signal: AbortSignal }): Promise<PasswordRules>;
}

/**
 * The {@link PoolAdmin} over an SDK client. With no client, one is created on
 * first use, in the function's region (a trigger's pool is in its region); the
 * SDK also reads `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, which the local
 * stack points at cognito-local.
 *
 * @example
 * ```ts
 * const pool = cognitoPoolAdmin() // or cognitoPoolAdmin(new CognitoIdentityProviderClient({ endpoint }))
 * ```
 */
export function cognitoPoolAdmin(client?: CognitoIdentityProviderClient): PoolAdmin {
  // Long because it is the interface: one closure over one lazily made client, each method one API call and the
  // errors that call answers as data.
  let sdk: Promise<typeof import('@aws-sdk/client-cognito-identity-provider')> | undefined;
  let made: CognitoIdentityProviderClient | undefined = client;
  let signIn: Promise<string[]> | undefined;
  const idp = async () => {
    const m = await (sdk ??= import('@aws-sdk/client-cognito-identity-provider'));
    // Two attempts, not the SDK's three: every call runs inside a trigger's few seconds.
    made ??= new m.CognitoIdentityProviderClient({ maxAttempts: 2 });
    return { m, c: made };
  };
  return {
    async addToGroup(poolId, username, group, { signal }) {
      const { m, c } = await idp();
      try {
        await c.send(new m.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }), { abortSignal: signal });
        return 'added';
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException') return 'missing';
        throw err;
      }
    },
    async createGroup(poolId, group, { signal }) {
      const { m, c } = await idp();
      try {
        await c.send(new m.CreateGroupCommand({ UserPoolId: poolId, GroupName: group, Description: 'Created by cognito-migrate from a legacy role' }), { abortSignal: signal });
      } catch (err) {
        if ((err as { name?: string }).name !== 'GroupExistsException') throw err;
      }
    },
    async setAttributes(poolId, username, attributes, { signal }) {
      const { m, c } = await idp();
      await c.send(new m.AdminUpdateUserAttributesCommand({
        UserPoolId: poolId, Username: username, UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      }), { abortSignal: signal });
    },
    async linkProvider(poolId, username, identity, { signal }) {
      const { m, c } = await idp();
      try {
        await c.send(new m.AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: username },
          SourceUser: { ProviderName: identity.provider, ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: identity.sub },
        }), { abortSignal: signal });
        return 'linked';
      } catch (err) {
        const name = (err as { name?: string }).name ?? 'Error';
        // The caller's to report; throttling and outages are thrown, to be tried again.
        if (['InvalidParameterException', 'AliasExistsException', 'LimitExceededException', 'NotAuthorizedException', 'UserNotFoundException'].includes(name)) return { refused: name };
        throw err;
      }
    },
    async passwordPolicy(poolId, { signal }) {
      const { m, c } = await idp();
      const out = await c.send(new m.DescribeUserPoolCommand({ UserPoolId: poolId }), { abortSignal: signal });
      const p = out.UserPool?.Policies?.PasswordPolicy ?? {};
      return { MinimumLength: p.MinimumLength, RequireUppercase: p.RequireUppercase, RequireLowercase: p.RequireLowercase, RequireNumbers: p.RequireNumbers, RequireSymbols: p.RequireSymbols };
    },
    async usernameAttributes(poolId, { signal }) {
      signIn ??= (async () => {
        const { m, c } = await idp();
        const out = await c.send(new m.DescribeUserPoolCommand({ UserPoolId: poolId }), { abortSignal: signal });
        return out.UserPool?.UsernameAttributes ?? [];
      })();
      // A failed read is tried again by the next sign-up, not kept.
      signIn.catch(() => { signIn = undefined; });
      return signIn;
    },
    async createUser(poolId, username, attributes, clientMetadata, { signal }) {
      const { m, c } = await idp();
      let out;
      try {
        out = await c.send(new m.AdminCreateUserCommand({
          UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', ClientMetadata: clientMetadata,
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }), { abortSignal: signal });
      } catch (err) {
        if (['UsernameExistsException', 'AliasExistsException'].includes((err as { name?: string }).name ?? '')) return 'exists';
        throw err;
      }
      const made = out.User?.Username ?? username;
      // 24 random bytes and one character of each class a password policy can require: nobody knows it, and it passes any policy.
      const password = `${randomBytes(24).toString('base64url')}aA1!`;
      await c.send(new m.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: made, Password: password, Permanent: true }), { abortSignal: signal });
      const sub = out.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? '';
      return { username: made, sub };
    },
    async getUser(poolId, username, { signal }) {
      const { m, c } = await idp();
      try {
        const out = await c.send(new m.AdminGetUserCommand({ UserPoolId: poolId, Username: username }), { abortSignal: signal });
        return { username: out.Username ?? username, attributes: Object.fromEntries((out.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value ?? ''])) };
      } catch (err) {
        if ((err as { name?: string }).name === 'UserNotFoundException') return undefined;
        throw err;
      }
    },
    async userBySub(poolId, sub, { signal }) {
      const { m, c } = await idp();
      if (!/^[0-9a-f-]{1,64}$/i.test(sub)) return undefined;
      const out = await c.send(new m.ListUsersCommand({ UserPoolId: poolId, Filter: `sub = "${sub}"`, Limit: 1, AttributesToGet: ['sub'] }), { abortSignal: signal });
      return out.Users?.[0]?.Username;
    },
    async hasSub(poolId, sub, { signal }) {
      const { m, c } = await idp();
      // A sub is a UUID; anything else must not reach the filter's quotes, and counts as present: a value nobody can
      // look up proves no user gone, so the row stays refused rather than migrating a second time.
      if (!/^[0-9a-f-]{1,64}$/i.test(sub)) return true;
      // AttributesToGet with a filter and an attribute every user has, as ListUsers allows (API reference, ListUsers).
      const out = await c.send(new m.ListUsersCommand({ UserPoolId: poolId, Filter: `sub = "${sub}"`, Limit: 1, AttributesToGet: ['sub'] }), { abortSignal: signal });
      return (out.Users ?? []).length > 0;
    },
  };
}
