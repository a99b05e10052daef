// cognito-migrate/client: the SRP-first sign-in with one USER_PASSWORD_AUTH
// fallback that lets the migration trigger fire. Runs in browsers and apps:
// it imports nothing, not even the client library; you pass its objects in.

/** The flow the fallback switches to: the only one (with the admin flow) on which Cognito calls the UserMigration trigger. */
export const FALLBACK_FLOW = 'USER_PASSWORD_AUTH';

/** The ClientMetadata key under which the migration reads a legacy authenticator (TOTP) code, for every store. */
export const LEGACY_TOTP_CODE = 'legacy_totp_code';

/**
 * The ClientMetadata that carries a user's current authenticator code to the
 * migration, for users whose legacy account has one. Cognito hands an
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

/** The attribute the migration sets to `totp` on a user whose legacy account had an authenticator. */
export const LEGACY_MFA_ATTRIBUTE = 'custom:legacy_mfa';

/**
 * Whether a signed-in user should enrol an authenticator now: their legacy
 * account had one (the migration proved its code and set
 * {@link LEGACY_MFA_ATTRIBUTE}), and they have none in Cognito yet. Give it
 * the ID token's claims (or GetUser's attributes) and whether the user has a
 * software token (GetUser's `UserMFASettingList` includes
 * `SOFTWARE_TOKEN_MFA`); when true, run AssociateSoftwareToken,
 * VerifySoftwareToken and SetUserMFAPreference. With the pool's MFA ON,
 * Cognito asks itself (the MFA_SETUP challenge) and this is not needed.
 *
 * @example
 * ```ts
 * if (needsAuthenticatorEnrolment(session.getIdToken().decodePayload(), false)) showEnrolment()
 * ```
 */
export function needsAuthenticatorEnrolment(attributes: Readonly<Record<string, unknown>>, hasSoftwareToken: boolean): boolean {
  return attributes[LEGACY_MFA_ATTRIBUTE] === 'totp' && !hasSoftwareToken;
}

/** When the fallback may run; after `fallbackUntil` it never does (the migration is over). */
export interface MigrationFallbackOptions {
  /** A date (or ISO string) after which sign-in is SRP only. */
  fallbackUntil?: Date | string;
  /** For tests: the clock. */
  now?: () => Date;
  /**
   * The legacy authenticator's code, asked only after the fallback was
   * refused and only when none was sent: the app shows an optional field
   * ("If your account had an authenticator app, enter its code") and answers
   * the code, or undefined to give up. Asked after every refused migration,
   * whether the password was right or not, so the question tells nobody
   * anything; the cost is one optional prompt after a mistyped password. The
   * retry is one more attempt against the guessing limit.
   */
  askLegacyCode?: () => Promise<string | undefined>;
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

/**
 * Whether the fallback's refusal is the migration's: the trigger refused the
 * sign-in. Cognito passes a thrown trigger's text on as "UserMigration failed
 * with error <message>" (REFERENCE.md §2); the error's name is
 * `UserNotFoundException` or `NotAuthorizedException` (cognito-local answers
 * the latter), so both are taken. Never a disabled user, a required reset or
 * an outage.
 *
 * @example
 * ```ts
 * isMigrationRefusal({ name: 'UserNotFoundException', message: 'UserMigration failed with error Incorrect username or password.' }) // true
 * ```
 */
export function isMigrationRefusal(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string } | null;
  const name = e?.code ?? e?.name;
  return (name === 'UserNotFoundException' || name === 'NotAuthorizedException') && !/disabled|reset|expired|temporarily unavailable/i.test(e?.message ?? '');
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
 * With `askLegacyCode` and `withLegacyCode` (the same details with the code
 * as ClientMetadata), a refused fallback asks the app for the legacy
 * authenticator's code once and tries again with it.
 *
 * @example
 * ```ts
 * const user = new CognitoUser({ Username: email, Pool: pool })
 * const outcome = await signInWithMigration(user, new AuthenticationDetails({ Username: email, Password: password }), { fallbackUntil: '2027-06-30' })
 * if (outcome.kind === 'session') use(outcome.session.getIdToken().getJwtToken())
 * ```
 */
export async function signInWithMigration<Session = unknown>(user: CognitoUserLike, details: unknown, options: MigrationFallbackOptions & { withLegacyCode?: (code: string) => unknown } = {}): Promise<SignInOutcome<Session>> {
  const allowed = fallbackAllowed(options);
  user.setAuthenticationFlowType('USER_SRP_AUTH');
  try {
    return await attempt<Session>(user, details, false);
  } catch (error) {
    if (!allowed || !isUnknownUserRefusal(error)) throw error;
  }
  user.setAuthenticationFlowType(FALLBACK_FLOW);
  try {
    try {
      return await attempt<Session>(user, details, true);
    } catch (error) {
      const code = await legacyCodeAfter(error, options, sentCode(details));
      if (code === undefined || !options.withLegacyCode) throw error;
      return await attempt<Session>(user, options.withLegacyCode(code), true);
    }
  } finally {
    user.setAuthenticationFlowType('USER_SRP_AUTH');
  }
}

/** The ClientMetadata code `details` (an AuthenticationDetails) already carries, if any. */
function sentCode(details: unknown): boolean {
  const d = details as { getClientMetadata?(): Record<string, string> | undefined; clientMetadata?: Record<string, string> } | null;
  const metadata = typeof d?.getClientMetadata === 'function' ? d.getClientMetadata() : d?.clientMetadata;
  return Boolean(metadata?.[LEGACY_TOTP_CODE]);
}

/** After a refused fallback: the code the app gives when asked, or undefined (not asked, or no code). */
async function legacyCodeAfter(error: unknown, options: MigrationFallbackOptions, sent: boolean): Promise<string | undefined> {
  if (!options.askLegacyCode || sent || !isMigrationRefusal(error)) return undefined;
  const code = await options.askLegacyCode();
  return code === undefined || code === '' ? undefined : legacyTotpMetadata(code)[LEGACY_TOTP_CODE];
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
 * retried. With `askLegacyCode`, a refused fallback asks for the legacy
 * authenticator's code once and tries again with it in `clientMetadata`.
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
  const fallback = { ...input, options: { ...input.options, authFlowType: FALLBACK_FLOW } };
  try {
    return await signIn(fallback);
  } catch (error) {
    const code = await legacyCodeAfter(error, options, Boolean(input.options?.clientMetadata?.[LEGACY_TOTP_CODE]));
    if (code === undefined) throw error;
    return signIn({ ...fallback, options: { ...fallback.options, clientMetadata: legacyTotpMetadata(code, input.options?.clientMetadata) } });
  }
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

/**
 * The text of a federated first sign-in that linked the person's identity to
 * their legacy account (the function's Pre sign-up trigger); equal to the
 * core's `PUBLIC_MESSAGES.federatedLinked`, which a test checks.
 */
export const FEDERATED_LINKED_TEXT = 'Your sign-in is now linked to your existing account. Please sign in again to continue.';

/**
 * Whether a federated sign-in came back with the one error a linked first
 * sign-in causes: the function's {@link FEDERATED_LINKED_TEXT}, or Cognito's
 * own "Already found an entry for username …" (what a Pre sign-up trigger
 * that links without saying so leads to, aws-amplify/amplify-flutter#1716).
 * Give it the redirect URL the hosted UI sent back (its `error_description`,
 * in the query or the fragment) or the error your library raised.
 *
 * @example
 * ```ts
 * isLinkedFirstSignIn(window.location.href) // true after ?error_description=PreSignUp+failed+with+error+Your+sign-in+is+now+linked…
 * ```
 */
export function isLinkedFirstSignIn(from: unknown): boolean {
  let text: string | undefined;
  if (typeof from === 'string' || from instanceof URL) {
    try {
      const url = new URL(String(from));
      text = url.searchParams.get('error_description') ?? new URLSearchParams(url.hash.replace(/^#/, '')).get('error_description') ?? undefined;
    } catch {
      text = String(from);
    }
  } else text = (from as { message?: unknown } | null)?.message as string | undefined;
  return typeof text === 'string' && (text.includes(FEDERATED_LINKED_TEXT) || /Already found an entry for username/.test(text));
}

/** Where {@link retryLinkedSignInOnce} remembers its one retry: `sessionStorage` in a browser. */
export interface RetryMemory {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const RETRIED = 'cognito-migrate:linked-retry';

/**
 * After a federated redirect: when the attempt ended as a linked first
 * sign-in ({@link isLinkedFirstSignIn}), starts the sign-in again once
 * (`retry`, e.g. Amplify's `signInWithRedirect({ provider: 'Google' })`) and
 * answers `true`; the retry signs in as the linked user. A second such error
 * in a row is not retried again (answers `false`, show it), so a broken set-up
 * never loops.
 *
 * @example
 * ```ts
 * Hub.listen('auth', ({ payload }) => {
 *   if (payload.event === 'signInWithRedirect_failure') retryLinkedSignInOnce(payload.data?.error, sessionStorage, () => signInWithRedirect({ provider: 'Google' }))
 * })
 * ```
 */
export function retryLinkedSignInOnce(from: unknown, memory: RetryMemory, retry: () => unknown): boolean {
  if (!isLinkedFirstSignIn(from)) {
    memory.removeItem(RETRIED);
    return false;
  }
  if (memory.getItem(RETRIED)) {
    memory.removeItem(RETRIED);
    return false;
  }
  memory.setItem(RETRIED, '1');
  retry();
  return true;
}
