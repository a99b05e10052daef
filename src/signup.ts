// The third door: a sign-up. A Pre sign-up trigger runs before Cognito
// creates a user from SignUp or AdminCreateUser (developer guide, "Pre sign-up
// Lambda trigger": sources PreSignUp_SignUp and PreSignUp_AdminCreateUser;
// a thrown error refuses the sign-up, and the app sees
// UserLambdaValidationException). Without it, anyone can sign up with the
// email of a legacy user who has not migrated yet: the pool then holds that
// login, the UserMigration trigger never fires for it again, and the real
// owner's legacy password is refused for good (aws-amplify/amplify-js#5081).
// So a sign-up whose username or email is a legacy login that has not
// migrated is refused, and so is one that carries an attribute only the
// migration sets. It loads on the first Pre sign-up event (src/handler.ts).
import type { Context } from 'aws-lambda';
import { AuthenticationFailedError, CognitoMigrateError, PUBLIC_MESSAGES } from './errors.js';
import { CREATION_PROOF_KEY, creationProofHolds, proofHolds } from './link-proof.js';
import type { MigrationLogger, MigrationMetrics } from './telemetry.js';
import type { LookupQuery, StoreContext, UserStore } from './types.js';

/** What a refused sign-up is told: the way in for the legacy account's owner. */
export const SIGNUP_REFUSED = PUBLIC_MESSAGES.signUpTaken;

/** A Pre sign-up event, as far as the guard reads it. */
export interface SignUpEvent {
  triggerSource: string;
  userPoolId: string;
  userName: string;
  request: { userAttributes?: Record<string, string>; clientMetadata?: Record<string, string> };
  response: Record<string, unknown>;
}

/** What the guard needs from the handler it is wired into. */
export interface SignUpGuardDeps {
  store: UserStore;
  /** `refuse` (default) or `off`. */
  mode: 'refuse' | 'off';
  /** The handler's lookup mode: a sign-up login matches a legacy row as a sign-in with it would. */
  lookup: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>;
  /** Attributes only the migration sets (the legacy id, the proof, the marks): a sign-up carrying one is refused. */
  reserved: readonly string[];
  /**
   * The link key and the attributes it proves: the function's own
   * AdminCreateUser (a federated first sign-in, src/federation.ts) carries a
   * {@link creationProof} in its ClientMetadata and passes.
   */
  own?: { linkKey: () => Promise<string | undefined>; legacyIdAttribute: string; proofAttribute: string };
  timeoutMs: number;
  logger: MigrationLogger;
  metrics: MigrationMetrics;
}

/** Why the guard refused, for the log record (never the login itself). */
type Refusal = 'legacy_login' | 'reserved_attribute' | 'store_unavailable';

/**
 * The sign-up guard: answers the event unchanged, or throws (which refuses
 * the sign-up). A store it cannot read refuses too: never let a sign-up
 * through that might take a legacy person's login.
 *
 * @example
 * ```ts
 * const guard = createSignUpGuard({ store, mode: 'refuse', lookup: { matchEmail: true, caseInsensitive: true }, reserved: ['custom:legacy_id'], timeoutMs: 3000, logger, metrics })
 * export const handler = (event) => guard(event)
 * ```
 */
export function createSignUpGuard(deps: SignUpGuardDeps): <E extends SignUpEvent>(event: E, context?: Partial<Context>) => Promise<E> {
  const { store, logger, metrics } = deps;
  return async (event, context) => {
    if (deps.mode === 'off') return event;
    const record: Record<string, unknown> = { triggerSource: event.triggerSource, userPoolId: event.userPoolId };
    const refuse = (reason: Refusal, message: string): never => {
      record.outcome = 'signup_refused';
      record.reason = reason;
      metrics.count(reason === 'store_unavailable' ? 'store_unavailable' : 'signup_refused');
      logger.warn(reason === 'store_unavailable' ? 'sign-up refused: the legacy store could not be read, so it may hold this login' : 'sign-up refused', record);
      throw new Error(message);
    };
    const attributes = event.request?.userAttributes ?? {};
    if (event.triggerSource === 'PreSignUp_AdminCreateUser' && await isOwnCreation(deps, event, attributes)) {
      logger.info('sign-up let through: this function\'s own creation of a legacy person\'s user (federated first sign-in)', record);
      return event;
    }
    const carried = deps.reserved.filter((name) => Object.hasOwn(attributes, name));
    if (carried.length) {
      record.attributes = carried;
      refuse('reserved_attribute', SIGNUP_REFUSED);
    }
    // The username and the email, each looked up as a sign-in with it would be. A phone number is no legacy login.
    const logins = [...new Set([event.userName, attributes.email].filter((l): l is string => typeof l === 'string' && l.length > 0 && l.length <= 2048))];
    const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() - 150 : deps.timeoutMs;
    const budget = Math.max(0, Math.min(deps.timeoutMs, left));
    const deadline = Date.now() + budget;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), budget);
    const ctx: StoreContext = { signal: abort.signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
    try {
      for (const login of logins) {
        let held: boolean;
        try {
          const user = await Promise.race([
            store.findUser({ login, ...deps.lookup }, ctx),
            new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(new Error('deadline')), { once: true })),
          ]);
          // A row with a sub in the ledger has migrated: its login is a Cognito user's now, and Cognito guards it.
          held = Boolean(user && !user.cognitoSub);
        } catch (err) {
          // Two rows for one login are still a legacy person's login.
          if (err instanceof AuthenticationFailedError && err.reason === 'ambiguous_login') held = true;
          else {
            record.problem = err instanceof CognitoMigrateError ? err.code : ((err as { name?: string }).name ?? 'Error');
            return refuse('store_unavailable', PUBLIC_MESSAGES.unavailable);
          }
        }
        if (held) refuse('legacy_login', SIGNUP_REFUSED);
      }
    } finally {
      clearTimeout(timer);
    }
    return event;
  };
}

// Only with the link key: the creation proof of this legacy id, minted in the last 30 s, and the link proof beside it.
async function isOwnCreation(deps: SignUpGuardDeps, event: SignUpEvent, attributes: Record<string, string>): Promise<boolean> {
  const given = event.request?.clientMetadata?.[CREATION_PROOF_KEY];
  if (!deps.own || typeof given !== 'string') return false;
  const key = await deps.own.linkKey().catch(() => undefined);
  const legacyId = attributes[deps.own.legacyIdAttribute];
  return key !== undefined && typeof legacyId === 'string' && creationProofHolds(key, event.userPoolId, legacyId, given) && proofHolds(key, event.userPoolId, legacyId, attributes[deps.own.proofAttribute]);
}
