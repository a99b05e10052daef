// cognito-migrate/client: the SRP-first sign-in with one USER_PASSWORD_AUTH
// fallback that lets the migration trigger fire. Runs in browsers and apps:
// it imports nothing, not even the client library; you pass its objects in.

/** The flow the fallback switches to: the only one (with the admin flow) on which Cognito calls the UserMigration trigger. */
export const FALLBACK_FLOW = 'USER_PASSWORD_AUTH';

/** The ClientMetadata key under which the pool-to-pool adapter reads a legacy authenticator (TOTP) code. */
export const LEGACY_TOTP_CODE = 'legacy_totp_code';

/**
 * The ClientMetadata that carries a user's current authenticator code to the
 * migration, for users whose old pool asks for one. Cognito hands an
 * InitiateAuth's ClientMetadata to the UserMigration trigger as
 * `validationData` (API reference, InitiateAuth, ClientMetadata); both helpers
 * send the app's metadata on the fallback request.
 *
 * @example
 * ```ts
 * new AuthenticationDetails({ Username: email, Password: password, ClientMetadata: legacyTotpMetadata(code) }) // amazon-cognito-identity-js
 * amplifySignInWithMigration(signIn, { username: email, password, options: { clientMetadata: legacyTotpMetadata(code) } }) // Amplify v6
 * ```
 */
export function legacyTotpMetadata(code: string, metadata: Record<string, string> = {}): Record<string, string> {
  if (!/^\d{6,8}$/.test(code)) throw new TypeError('an authenticator code is 6 to 8 digits');
  return { ...metadata, [LEGACY_TOTP_CODE]: code };
}

/** When the fallback may run; after `fallbackUntil` it never does (the migration is over). */
export interface MigrationFallbackOptions {
  /** A date (or ISO string) after which sign-in is SRP only. */
  fallbackUntil?: Date | string;
  /** For tests: the clock. */
  now?: () => Date;
}

/**
 * Whether an SRP refusal is the one Cognito gives a user it does not have:
 * `UserNotFoundException`, or with PreventUserExistenceErrors
 * `NotAuthorizedException` "Incorrect username or password." (a wrong password
 * gives that too: the documented cost is one extra round trip). Never a
 * disabled user, a required reset, or anything else.
 *
 * @example
 * ```ts
 * isUnknownUserRefusal({ name: 'UserNotFoundException', message: 'User does not exist.' }) // true
 * isUnknownUserRefusal({ name: 'NotAuthorizedException', message: 'User is disabled.' }) // false
 * ```
 */
export function isUnknownUserRefusal(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string } | null;
  const name = e?.code ?? e?.name;
  if (name === 'UserNotFoundException') return true;
  return name === 'NotAuthorizedException' && e?.message === 'Incorrect username or password.';
}

function fallbackAllowed(options: MigrationFallbackOptions): boolean {
  if (options.fallbackUntil === undefined) return true;
  const until = new Date(options.fallbackUntil).getTime();
  if (Number.isNaN(until)) throw new TypeError(`fallbackUntil is not a date: give a Date or an ISO string such as 2027-06-30`);
  return (options.now?.() ?? new Date()).getTime() <= until;
}

/** The parts of amazon-cognito-identity-js's CognitoUser the helper uses. */
export interface CognitoUserLike {
  setAuthenticationFlowType(type: string): unknown;
  authenticateUser(details: never, callbacks: AuthenticationCallbacks): void;
}

/** The callbacks CognitoUser.authenticateUser calls: a session, a failure, or a challenge. */
export interface AuthenticationCallbacks {
  onSuccess(session: never): void;
  onFailure(error: unknown): void;
  mfaRequired?(challengeName: never, parameters: never): void;
  totpRequired?(challengeName: never, parameters: never): void;
  selectMFAType?(challengeName: never, parameters: never): void;
  mfaSetup?(challengeName: never, parameters: never): void;
  newPasswordRequired?(attributes: never, required: never): void;
  customChallenge?(parameters: never): void;
}

/** How a sign-in ended: a session, or a challenge the app must answer on the same `CognitoUser` (MFA, new password, …). */
export type SignInOutcome<Session> =
  | { kind: 'session'; session: Session; fellBack: boolean }
  | { kind: 'challenge'; challengeName: string; parameters: unknown; fellBack: boolean };

function attempt<Session>(user: CognitoUserLike, details: unknown, fellBack: boolean): Promise<SignInOutcome<Session>> {
  return new Promise((resolve, reject) => {
    const challenge = (challengeName: string) => (parameters: unknown) => resolve({ kind: 'challenge', challengeName, parameters, fellBack });
    user.authenticateUser(details as never, {
      onSuccess: (session: never) => resolve({ kind: 'session', session: session as Session, fellBack }),
      onFailure: reject,
      mfaRequired: (name: string, parameters: unknown) => resolve({ kind: 'challenge', challengeName: name || 'SMS_MFA', parameters, fellBack }),
      totpRequired: (name: string, parameters: unknown) => resolve({ kind: 'challenge', challengeName: name || 'SOFTWARE_TOKEN_MFA', parameters, fellBack }),
      selectMFAType: challenge('SELECT_MFA_TYPE'),
      mfaSetup: challenge('MFA_SETUP'),
      newPasswordRequired: (attributes: unknown, required: unknown) => resolve({ kind: 'challenge', challengeName: 'NEW_PASSWORD_REQUIRED', parameters: { attributes, required }, fellBack }),
      customChallenge: challenge('CUSTOM_CHALLENGE'),
    });
  });
}

/**
 * Signs in with amazon-cognito-identity-js: SRP first; when Cognito answers as
 * for an unknown user, once more with USER_PASSWORD_AUTH, which fires the
 * migration trigger (and which users imported with their hash need for their
 * first sign-in too). Never falls back on any other error or on a challenge.
 * The app client must allow ALLOW_USER_PASSWORD_AUTH. Both attempts send the
 * same `details`, its ClientMetadata included (see {@link legacyTotpMetadata}).
 *
 * @example
 * ```ts
 * const user = new CognitoUser({ Username: email, Pool: pool })
 * const outcome = await signInWithMigration(user, new AuthenticationDetails({ Username: email, Password: password }), { fallbackUntil: '2027-06-30' })
 * if (outcome.kind === 'session') use(outcome.session.getIdToken().getJwtToken())
 * ```
 */
export async function signInWithMigration<Session = unknown>(user: CognitoUserLike, details: unknown, options: MigrationFallbackOptions = {}): Promise<SignInOutcome<Session>> {
  const allowed = fallbackAllowed(options);
  user.setAuthenticationFlowType('USER_SRP_AUTH');
  try {
    return await attempt<Session>(user, details, false);
  } catch (error) {
    if (!allowed || !isUnknownUserRefusal(error)) throw error;
  }
  user.setAuthenticationFlowType(FALLBACK_FLOW);
  try {
    return await attempt<Session>(user, details, true);
  } finally {
    user.setAuthenticationFlowType('USER_SRP_AUTH');
  }
}

/** Amplify v6's `signIn` input, as far as the helper touches it. */
export interface AmplifySignInInput {
  username: string;
  password?: string;
  options?: { authFlowType?: string; clientMetadata?: Record<string, string>; [key: string]: unknown };
}

/**
 * The same for Amplify v6: `signIn` (from `aws-amplify/auth`) with its default
 * SRP flow, then once with `authFlowType: 'USER_PASSWORD_AUTH'` when Cognito
 * answers as for an unknown user, with the same options (`clientMetadata`
 * included). Challenges come back from `signIn` as `nextStep` and are never
 * retried.
 *
 * @example
 * ```ts
 * import { signIn } from 'aws-amplify/auth'
 * const output = await amplifySignInWithMigration(signIn, { username: email, password })
 * ```
 */
export async function amplifySignInWithMigration<Output>(signIn: (input: AmplifySignInInput) => Promise<Output>, input: AmplifySignInInput, options: MigrationFallbackOptions = {}): Promise<Output> {
  const allowed = fallbackAllowed(options);
  try {
    return await signIn(input);
  } catch (error) {
    if (!allowed || !isUnknownUserRefusal(error)) throw error;
  }
  return signIn({ ...input, options: { ...input.options, authFlowType: FALLBACK_FLOW } });
}

/**
 * The Amplify UI Authenticator's `services` with a `handleSignIn` that signs
 * in through {@link amplifySignInWithMigration}: SRP first, one
 * USER_PASSWORD_AUTH fallback for users the pool does not have yet. The
 * Authenticator calls `handleSignIn` with Amplify's `signIn` input and shows
 * whatever `nextStep` it answers.
 *
 * @example
 * ```tsx
 * import { Authenticator } from '@aws-amplify/ui-react'
 * import { signIn } from 'aws-amplify/auth'
 * <Authenticator services={migrationServices(signIn, { fallbackUntil: '2027-06-30' })}>{…}</Authenticator>
 * ```
 */
export function migrationServices<Output>(signIn: (input: AmplifySignInInput) => Promise<Output>, options: MigrationFallbackOptions = {}): { handleSignIn(input: AmplifySignInInput): Promise<Output> } {
  return { handleSignIn: (input) => amplifySignInWithMigration(signIn, input, options) };
}
