// The proof that a pool user was made from a legacy row by this project: the
// UserMigration answer (or the CSV export that a bulk import reads) sets, beside
// `custom:legacy_id`, a keyed MAC of the pool and that id. The completion links
// a row, grants its groups and marks the user only when the MAC holds.
//
// Why a MAC and not the attribute alone: an immutable custom attribute can still
// be written once, at creation, by SignUp or AdminCreateUser, and whether an app
// client that declares no WriteAttributes may write custom attributes is stated
// differently by the API reference (UserPoolClientType, WriteAttributes: standard
// only) and by aws-cdk-lib (all). Configuration narrows the door; the MAC is what
// proves origin, and it needs no ledger, so it holds for every store.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from './errors.js';

/** The default attribute that carries the proof. */
export const DEFAULT_PROOF_ATTRIBUTE = 'custom:legacy_proof';
/** The shortest key accepted: 32 characters (Secrets Manager's generated secret is 64). */
export const MIN_LINK_KEY_LENGTH = 32;

const VERSION = 'v1';

/**
 * The proof for one legacy id in one pool: `v1.` and 32 base64url characters
 * (192 bits of HMAC-SHA-256). Bound to the pool, so a value copied from
 * another pool proves nothing.
 *
 * @example
 * ```ts
 * linkProof(key, 'eu-west-1_Abc', '42') // 'v1.Qk…'
 * ```
 */
export function linkProof(key: string, userPoolId: string, legacyId: string): string {
  const mac = createHmac('sha256', key).update(`cognito-migrate/link/${VERSION}\0${userPoolId}\0${legacyId}`).digest('base64url').slice(0, 32);
  return `${VERSION}.${mac}`;
}

/**
 * Whether `given` is the proof of `legacyId` in this pool, compared in
 * constant time.
 *
 * @example
 * ```ts
 * proofHolds(key, event.userPoolId, attributes['custom:legacy_id'], attributes['custom:legacy_proof'])
 * ```
 */
export function proofHolds(key: string, userPoolId: string, legacyId: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const want = Buffer.from(linkProof(key, userPoolId, legacyId));
  const got = Buffer.from(given);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Where the key comes from: the value itself, or a function that reads it (Secrets Manager) once. */
export type LinkKeySource = string | (() => Promise<string>);

/**
 * Reads the key once, checks its length, and hands it to every caller; a
 * missing source answers `undefined` (the completion then proves nothing and
 * links nothing).
 *
 * @example
 * ```ts
 * const key = linkKeyReader(() => readSecretString(arn, 'LINK_KEY_ARN', fix))
 * await key() // the key, read on the first call only
 * ```
 */
export function linkKeyReader(source: LinkKeySource | undefined): () => Promise<string | undefined> {
  if (source === undefined) return async () => undefined;
  if (typeof source === 'string') {
    checkKey(source);
    return async () => source;
  }
  let read: Promise<string> | undefined;
  return () => {
    read ??= source().then((k) => {
      checkKey(k);
      return k;
    });
    // A failed read is tried again on the next call, not cached.
    read.catch(() => { read = undefined; });
    return read;
  };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.trim().length < MIN_LINK_KEY_LENGTH) {
    throw new ConfigurationError('completion.linkKey', `the link key (LINK_KEY or LINK_KEY_ARN) must be at least ${MIN_LINK_KEY_LENGTH} characters`, 'Generate one, e.g. a Secrets Manager secret with GenerateSecretString (PasswordLength 64, ExcludePunctuation), and set LINK_KEY_ARN to its ARN.');
  }
}

/** What command output shows instead of a proof's value. */
export const PROOF_SHOWN = '(link proof, not shown)';

/**
 * Attributes as command output may show them: a proof's value replaced by
 * {@link PROOF_SHOWN}. The proof is no stored value, but it is what lets a
 * user complete, so it is printed as present, never as itself.
 *
 * @example
 * ```ts
 * printableAttributes({ 'custom:legacy_id': '42', 'custom:legacy_proof': 'v1.…' }) // { …, 'custom:legacy_proof': '(link proof, not shown)' }
 * ```
 */
export function printableAttributes<T extends Record<string, unknown>>(attributes: T, proofAttribute = DEFAULT_PROOF_ATTRIBUTE): T {
  return Object.hasOwn(attributes, proofAttribute) ? { ...attributes, [proofAttribute]: PROOF_SHOWN } : attributes;
}

/** How long Cognito's retries of one request can follow it: three tries of its 5 s wait. */
export const RETRY_WINDOW_MS = 15_000;

/**
 * The retry keys of one sign-in request (see `AttemptRetry`): the link key's
 * MAC of the request in this {@link RETRY_WINDOW_MS} window and in the one
 * before, so a retry that crosses a window's end still matches. Cognito's
 * retry carries the same event and nothing else to tell it by; the password
 * is part of the request, so a different guess is never taken for a retry.
 * Only this MAC is stored, never the password.
 *
 * @example
 * ```ts
 * attemptRetry(key, { userPoolId, clientId, userName, password }) // { key: 'r1.…', previous: 'r1.…' }
 * ```
 */
export function attemptRetry(key: string, request: { userPoolId: string; clientId: string; userName: string; password: string }, now = Date.now()): { key: string; previous: string } {
  const window = Math.floor(now / RETRY_WINDOW_MS);
  const mac = (w: number) => `r1.${createHmac('sha256', key).update(`cognito-migrate/attempt/v1\0${w}\0${request.userPoolId}\0${request.clientId}\0${request.userName}\0${request.password}`).digest('base64url').slice(0, 32)}`;
  return { key: mac(window), previous: mac(window - 1) };
}

/** The ClientMetadata key under which the function's own AdminCreateUser carries {@link creationProof}. */
export const CREATION_PROOF_KEY = 'cognito-migrate:create';

/**
 * The proof that an AdminCreateUser request comes from this function (the
 * federated first sign-in creates the legacy person's user, src/federation.ts):
 * the link key's MAC of the pool, the legacy id and the {@link RETRY_WINDOW_MS}
 * window, sent as ClientMetadata, which Cognito hands to the Pre sign-up
 * trigger and neither stores nor logs (API reference, AdminCreateUser,
 * ClientMetadata). The sign-up guard lets such a creation carry the legacy id
 * and the proof. Nobody without the link key can make one, and one seen
 * is good for that legacy id for 30 s at most.
 *
 * @example
 * ```ts
 * creationProof(key, 'eu-west-1_Abc', '42') // 'c1.…'
 * ```
 */
export function creationProof(key: string, userPoolId: string, legacyId: string, now = Date.now()): string {
  return creationMac(key, userPoolId, legacyId, Math.floor(now / RETRY_WINDOW_MS));
}

/**
 * Whether `given` is a {@link creationProof} of this window or the one
 * before, compared in constant time.
 *
 * @example
 * ```ts
 * creationProofHolds(key, event.userPoolId, attributes['custom:legacy_id'], event.request.clientMetadata?.['cognito-migrate:create'])
 * ```
 */
export function creationProofHolds(key: string, userPoolId: string, legacyId: string, given: string | undefined, now = Date.now()): boolean {
  if (typeof given !== 'string') return false;
  const window = Math.floor(now / RETRY_WINDOW_MS);
  const got = Buffer.from(given);
  return [window, window - 1].some((w) => {
    const want = Buffer.from(creationMac(key, userPoolId, legacyId, w));
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

function creationMac(key: string, userPoolId: string, legacyId: string, window: number): string {
  return `c1.${createHmac('sha256', key).update(`cognito-migrate/create/v1\0${window}\0${userPoolId}\0${legacyId}`).digest('base64url').slice(0, 32)}`;
}
