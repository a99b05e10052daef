// The fourth door: a social or enterprise sign-in that comes first. Before
// Cognito creates a federated user on a first Google, Apple or SAML sign-in,
// it calls the Pre sign-up trigger with `PreSignUp_ExternalProvider` and the
// userName `<provider>_<subject>` (developer guide, "Pre sign-up Lambda
// trigger"). A legacy person whose row holds that identity (staged from
// Auth0, Firebase or Keycloak) must not become a second, empty user: here the
// function finds the row, creates the person's native user from it (the
// legacy id, the proof, the mapped attributes), links every staged identity
// to that user with AdminLinkProviderForUser and completes the migration
// (sub written back, groups). A row that has migrated already gets the
// identity linked to its user. Either way the attempt then stops: a linked
// identity makes Cognito's own creation fail ("Already found an entry for
// username …", aws-amplify/amplify-flutter#1716, aws-amplify/docs#2758), and
// the retry signs in as the linked user. So the trigger says that itself,
// in words a person can act on, and the client helper retries once
// (src/client). A stranger signs up untouched, at no call. An email alone
// links nothing unless LINK_BY_EMAIL=verified, and then only when the
// provider and the legacy row both say the email is verified.
// Loaded on the first such event (src/handler.ts).
import type { Context } from 'aws-lambda';
import { type AttributeMapping, mapAttributes, toCognitoAttributes } from './attributes.js';
import { type CompletionSettings, completeUser } from './completion.js';
import { AuthenticationFailedError, CognitoMigrateError, PUBLIC_MESSAGES } from './errors.js';
import { CREATION_PROOF_KEY, creationProof, linkProof, proofHolds } from './link-proof.js';
import type { PoolAdmin } from './pool-admin.js';
import type { SignUpEvent } from './signup.js';
import type { MigrationLogger, MigrationMetrics } from './telemetry.js';
import type { LegacyUser, LookupQuery, StoreContext, UserStore } from './types.js';

/** What a person whose identity was just linked is told: sign in again (the client helper does it once by itself). */
export const FEDERATED_LINKED = PUBLIC_MESSAGES.federatedLinked;

/** An identity: the pool's identity-provider name and the provider's subject. */
export interface Identity {
  provider: string;
  sub: string;
}

// Cognito's own social providers, as AdminLinkProviderForUser names them; a federated userName may spell them in
// lower case ("google_1234", aws-amplify/amplify-flutter#1716), so those are read case-insensitively.
const SOCIAL = ['Google', 'Facebook', 'SignInWithApple', 'LoginWithAmazon'];
// A provider's name is 1 to 32 characters (API reference, CreateIdentityProvider, ProviderName).
const MAX_PROVIDER = 32;

/**
 * The (provider, subject) pairs a federated userName can mean: it is
 * `<provider>_<subject>`, and a provider name may contain `_` itself
 * (`Acme_SAML_alice`), so each `_` within a provider name's length is a
 * candidate split, the shortest provider first.
 *
 * @example
 * ```ts
 * identityCandidates('google_1093') // [{ provider: 'Google', sub: '1093' }]
 * identityCandidates('Acme_SAML_a') // [{ provider: 'Acme', sub: 'SAML_a' }, { provider: 'Acme_SAML', sub: 'a' }]
 * ```
 */
export function identityCandidates(userName: string): Identity[] {
  const out: Identity[] = [];
  if (typeof userName !== 'string' || userName.length > 2048) return out;
  for (let i = userName.indexOf('_'); i > 0 && i <= MAX_PROVIDER; i = userName.indexOf('_', i + 1)) {
    const raw = userName.slice(0, i);
    const sub = userName.slice(i + 1);
    if (!sub) continue;
    out.push({ provider: SOCIAL.find((s) => s.toLowerCase() === raw.toLowerCase()) ?? raw, sub });
  }
  return out;
}

/** What the federated first sign-in needs from the handler it is wired into. */
export interface FederationDeps {
  store: UserStore;
  pool: PoolAdmin;
  completion: CompletionSettings;
  remigrate: 'never' | 'if-absent';
  attributes?: AttributeMapping;
  /** Attributes only the migration sets, dropped from what a mapping produces (the mark, the TOTP mark). */
  dropped: readonly string[];
  /** `off` (default): an email proves nothing. `verified`: link by email when the provider and the row both verified it. */
  linkByEmail: 'off' | 'verified';
  lookup: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>;
  /** The legacy field that is the username, for a pool that signs in by username (neither email nor phone). */
  usernameField: string;
  timeoutMs: number;
  logger: MigrationLogger;
  metrics: MigrationMetrics;
}

type Found = { user: LegacyUser; by: 'identity' | 'email'; identity: Identity };

/**
 * The `PreSignUp_ExternalProvider` flow: answers a stranger's event
 * unchanged, and for a legacy person links the identity (creating and
 * completing their user first if they have none) and then throws
 * {@link FEDERATED_LINKED}, so the retry signs in as that user.
 *
 * @example
 * ```ts
 * const federated = createFederatedFirst({ store, pool, completion, remigrate: 'never', dropped: [], linkByEmail: 'off', lookup, usernameField: 'username', timeoutMs: 3000, logger, metrics })
 * export const handler = (event) => federated(event)
 * ```
 */
export function createFederatedFirst(deps: FederationDeps): <E extends SignUpEvent>(event: E, context?: Partial<Context>) => Promise<E> {
  const { store, logger, metrics } = deps;
  return async (event, context) => {
    // A store that keeps no identities, and no linking by email: nothing to look up, no call made.
    if (!store.findByIdentity && deps.linkByEmail === 'off') return event;
    const record: Record<string, unknown> = { triggerSource: event.triggerSource, userPoolId: event.userPoolId };
    const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() - 150 : deps.timeoutMs;
    const budget = Math.max(0, Math.min(deps.timeoutMs, left));
    const deadline = Date.now() + budget;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(Object.assign(new Error('the federated sign-up ran out of time'), { name: 'TimeoutError' })), budget);
    const ctx: StoreContext = { signal: abort.signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
    const refuse = (reason: string, message: string): never => {
      record.outcome = 'signup_refused';
      record.reason = reason;
      metrics.count(reason === 'store_unavailable' ? 'store_unavailable' : 'signup_refused');
      logger.warn('federated sign-up refused', record);
      throw new Error(message);
    };
    try {
      let found: Found | undefined;
      try {
        found = await Promise.race([
          findRow(deps, event, ctx),
          new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true })),
        ]);
      } catch (err) {
        // Two rows for one identity are a legacy person's still, and nobody's to take.
        if (err instanceof AuthenticationFailedError && err.reason === 'ambiguous_login') return refuse('ambiguous_identity', PUBLIC_MESSAGES.signUpTaken);
        record.problem = problemOf(err);
        return refuse('store_unavailable', PUBLIC_MESSAGES.unavailable);
      }
      if (!found) return event;
      record.matchedBy = found.by;
      if (!(found.user.enabled === true || found.user.enabled === undefined)) return refuse('row_disabled', PUBLIC_MESSAGES.rejected);
      try {
        await Promise.race([
          found.user.cognitoSub ? linkToMigrated(deps, event, found, record, ctx) : createAndComplete(deps, event, found, record, ctx),
          new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true })),
        ]);
      } catch (err) {
        if (err instanceof Refusal) return refuse(err.reason, err.message);
        record.problem = problemOf(err);
        return refuse('pool_unavailable', PUBLIC_MESSAGES.unavailable);
      }
      record.outcome = 'federated_linked';
      metrics.count('federated_linked');
      logger.info('federated first sign-in linked to the legacy person\'s user; the retry signs in as that user', record);
      throw new Error(FEDERATED_LINKED);
    } finally {
      clearTimeout(timer);
    }
  };
}

class Refusal extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** The row that holds the incoming identity, or (LINK_BY_EMAIL=verified) the row of a verified email both sides agree on. */
async function findRow(deps: FederationDeps, event: SignUpEvent, ctx: StoreContext): Promise<Found | undefined> {
  const candidates = identityCandidates(event.userName);
  if (deps.store.findByIdentity) {
    for (const identity of candidates) {
      const user = await deps.store.findByIdentity(identity, ctx);
      if (user) return { user, by: 'identity', identity };
    }
  }
  const attributes = event.request?.userAttributes ?? {};
  const email = attributes.email;
  const incoming = candidates.at(-1);
  if (deps.linkByEmail !== 'verified' || !incoming || typeof email !== 'string' || !email || email.length > 2048 || attributes.email_verified !== 'true') return undefined;
  const user = await deps.store.findUser({ login: email, matchEmail: true, caseInsensitive: deps.lookup.caseInsensitive }, ctx);
  if (!user) return undefined;
  // The row's own word, through the same mapping the migration uses: its email is this one, and verified.
  const mapped = toCognitoAttributes(mapAttributes(user, deps.attributes));
  if (mapped.email_verified !== 'true' || typeof mapped.email !== 'string' || mapped.email.toLowerCase() !== email.toLowerCase()) return undefined;
  return { user, by: 'email', identity: incoming };
}

/** A row that has migrated: the identity becomes a way into its user. */
async function linkToMigrated(deps: FederationDeps, event: SignUpEvent, found: Found, record: Record<string, unknown>, ctx: StoreContext): Promise<void> {
  const { pool } = deps;
  if (!pool.userBySub || !pool.linkProvider) throw new Refusal('pool_unavailable', PUBLIC_MESSAGES.unavailable);
  const username = await pool.userBySub(event.userPoolId, found.user.cognitoSub!, { signal: ctx.signal });
  // The row's user is gone from the pool: it is not for a federated sign-up to re-create what the ledger says exists.
  if (!username) throw new Refusal('linked_user_missing', PUBLIC_MESSAGES.signUpTaken);
  record.migrated = true;
  await linkIncoming(pool, event, username, found.identity, record, ctx);
}

async function linkIncoming(pool: PoolAdmin, event: SignUpEvent, username: string, identity: Identity, record: Record<string, unknown>, ctx: StoreContext): Promise<void> {
  const answer = await pool.linkProvider!(event.userPoolId, username, identity, { signal: ctx.signal });
  // Linked already counts as linked: the retry signs in as the user either way.
  if (answer !== 'linked' && answer.refused !== 'InvalidParameterException') throw new Refusal(`link_refused_${answer.refused}`, PUBLIC_MESSAGES.unavailable);
  record.incomingLinked = answer === 'linked' ? 'linked' : 'was_linked';
}

/** A row with no user yet: create the person's user from it, then complete it as a migration does. */
async function createAndComplete(deps: FederationDeps, event: SignUpEvent, found: Found, record: Record<string, unknown>, ctx: StoreContext): Promise<void> {
  const { pool, completion } = deps;
  if (!pool.createUser || !pool.getUser || !pool.linkProvider || !pool.usernameAttributes || !deps.store.linkAccount) throw new Refusal('pool_unavailable', PUBLIC_MESSAGES.unavailable);
  const key = await completion.linkKey();
  if (key === undefined) {
    record.problem = 'no link key is configured (LINK_KEY_ARN): the created user could not prove that the migration made it';
    throw new Refusal('no_link_key', PUBLIC_MESSAGES.unavailable);
  }
  const attributes = toCognitoAttributes(mapAttributes(found.user, deps.attributes));
  for (const name of [completion.proofAttribute, ...deps.dropped]) delete attributes[name];
  const legacyId = attributes[completion.legacyIdAttribute] ?? found.user.id;
  attributes[completion.legacyIdAttribute] = legacyId;
  attributes[completion.proofAttribute] = linkProof(key, event.userPoolId, legacyId);
  const signIn = await pool.usernameAttributes(event.userPoolId, { signal: ctx.signal });
  const username = signIn.includes('email') && attributes.email ? attributes.email
    : signIn.includes('phone_number') && attributes.phone_number ? attributes.phone_number
      : found.user.fields[deps.usernameField];
  if (typeof username !== 'string' && typeof username !== 'number') {
    record.problem = `the pool signs in by username and the legacy row has no "${deps.usernameField}" field (USERNAME_FIELD)`;
    throw new Refusal('no_username', PUBLIC_MESSAGES.unavailable);
  }
  let made = await pool.createUser(event.userPoolId, String(username), attributes, { [CREATION_PROOF_KEY]: creationProof(key, event.userPoolId, legacyId) }, { signal: ctx.signal });
  if (made === 'exists') {
    // A user with that login exists. Only one this function made for this very row (an earlier attempt that ran out
    // of time) is taken up again; anyone else's is theirs, and an email is no proof.
    const existing = await pool.getUser(event.userPoolId, String(username), { signal: ctx.signal });
    const ours = existing && existing.attributes[completion.legacyIdAttribute] === legacyId && proofHolds(key, event.userPoolId, legacyId, existing.attributes[completion.proofAttribute]);
    if (!existing || !ours || !existing.attributes.sub) throw new Refusal('login_taken', PUBLIC_MESSAGES.signUpTaken);
    made = { username: existing.username, sub: existing.attributes.sub };
    record.resumed = true;
  }
  record.created = true;
  const completed = await completeUser(
    { store: deps.store, pool, settings: completion, remigrate: deps.remigrate },
    { triggerSource: event.triggerSource, userPoolId: event.userPoolId, userName: made.username, request: { userAttributes: { ...attributes, sub: made.sub } }, response: {} },
    ctx.remainingMs(),
  );
  const { triggerSource: _t, userPoolId: _p, ...rest } = completed;
  Object.assign(record, { completion: rest.outcome }, rest.identitiesLinked !== undefined ? { identitiesLinked: rest.identitiesLinked } : {}, rest.identitiesRefused ? { identitiesRefused: rest.identitiesRefused } : {});
  if (completed.outcome === 'completion_conflict') throw new Refusal('row_linked_elsewhere', PUBLIC_MESSAGES.signUpTaken);
  // The incoming identity was staged and is linked now, unless the completion stopped before linking; an email match
  // brings one the row never had.
  const staged = (found.user.identities ?? []).some((i) => i.provider === found.identity.provider && i.sub === found.identity.sub);
  if (!staged || completed.outcome !== 'completed') await linkIncoming(pool, event, made.username, found.identity, record, ctx);
}

function problemOf(err: unknown): string {
  const e = err as { name?: string; code?: unknown };
  return err instanceof CognitoMigrateError ? err.code : typeof e.code === 'string' ? `${e.name ?? 'Error'} ${e.code}` : (e.name ?? 'Error');
}
