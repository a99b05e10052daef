import type { SelfCheck } from './checks.js';

/**
 * The store contract: the one interface every legacy store adapter implements.
 *
 * A store answers two questions: "who is this login?" ({@link UserStore.findUser})
 * and, for stores that check passwords themselves (another Cognito pool, an HTTP
 * API), "is this the right password?" ({@link UserStore.authenticate}). Stores that
 * return a password hash leave `authenticate` out and the core verifies the hash.
 */

/** A legacy field value as a store returns it; the attribute mapper turns it into a Cognito string. */
export type LegacyValue = string | number | boolean | Date | null | undefined;

/**
 * A user as the legacy store knows them.
 *
 * @example
 * ```ts
 * const user: LegacyUser = {
 *   id: '42',
 *   passwordHash: row.password_hash,
 *   enabled: true,
 *   fields: { email: 'ada@example.com', email_verified: true, given_name: 'Ada' },
 * }
 * ```
 */
export interface LegacyUser {
  /** The legacy primary key; useful for a `custom:legacy_id` attribute. */
  id: string;
  /**
   * The stored hash, in any format a registered verifier reads (bcrypt `$2b$…`).
   * Absent for stores that implement {@link UserStore.authenticate}.
   */
  passwordHash?: string;
  /** Names the hash format when the string alone does not say it (a raw hex digest). */
  hashFormat?: string;
  /**
   * Inactive legacy accounts are never migrated. Only `true`, or leaving the
   * field out (a store with no such notion), lets the user in: any other
   * value refuses. Adapters read their store's spellings with `parseFlag`.
   */
  enabled?: boolean;
  /** The legacy account used SMS MFA with a verified phone (see `enableSMSMFA`). */
  smsMfa?: boolean;
  /**
   * Problems with this user's data the operator should see, naming fields,
   * never values (e.g. `column "enabled" is NULL`). Logged with the outcome.
   */
  warnings?: string[];
  /** The legacy store says the password must change (a temporary password): migrate as `RESET_REQUIRED`. */
  mustResetPassword?: boolean;
  /**
   * The ledger: the `sub` of the Cognito user this row became, once a
   * migration completed ({@link UserStore.linkAccount}). A row that has one is
   * never migrated again (see the handler's `remigrate`).
   */
  cognitoSub?: string;
  /**
   * The guessing limit's lock, set by this project or by the legacy system:
   * until then the row is refused without its password being checked.
   */
  lockedUntil?: Date;
  /**
   * The legacy account's authenticator (TOTP) secret, as the store keeps it
   * (base32, or hex with `TOTP_ENCODING=hex`), with the row's own algorithm,
   * digits and period where the store has them per row, and the last time
   * step a code was accepted for. With it the migration requires a code
   * (src/totp.ts). Never copied into attributes, never logged.
   */
  totp?: { secret: string; algorithm?: string; digits?: number; period?: number; lastStep?: number };
  /**
   * The social and enterprise identities the person signed in with at the
   * source, as the pool's identity providers name them (`stage` keeps them):
   * what a federated sign-in is matched by, and what the completion links.
   */
  identities?: Array<{ provider: string; sub: string }>;
  /** Every other field, keyed by legacy name; mapped to Cognito attributes by the core. */
  fields: Record<string, LegacyValue>;
}

/**
 * What the core asks a store to look up. Stores must honour every flag: the
 * contract suite checks them.
 *
 * @example
 * ```ts
 * { login: 'Ada@Example.com', matchEmail: true, caseInsensitive: true }
 * ```
 */
export interface LookupQuery {
  /** Exactly what Cognito sent as `userName`. */
  login: string;
  /** Also match the login against the legacy email (pools that sign in with an email alias). */
  matchEmail: boolean;
  /** Compare case-insensitively (legacy systems that treated `Ada` and `ada` as one user). */
  caseInsensitive: boolean;
}

/**
 * Per-invocation context handed to a store.
 *
 * @example
 * ```ts
 * const rows = await pool.query({ text, values, query_timeout: ctx.remainingMs() })
 * ```
 */
export interface StoreContext {
  /** Aborted when the invocation's deadline passes; pass it to fetch() and friends. */
  signal: AbortSignal;
  /** Epoch milliseconds by which the store must have answered. */
  deadline: number;
  /** Milliseconds left before {@link StoreContext.deadline}, never negative. */
  remainingMs(): number;
  /**
   * What the app passed as `ClientMetadata` on sign-in (e.g. a TOTP code for
   * a pool-to-pool migration). User input: never trust or log it.
   */
  clientMetadata?: Readonly<Record<string, string>>;
  /**
   * The handler's password verification (budgeted, on a worker thread, timed
   * for refusals), for stores that read hashes inside `authenticate` (chains).
   */
  verifyPassword?(password: string, encoded: string, format?: string): Promise<boolean>;
  /**
   * The handler's guessing limit, for stores that check passwords inside
   * `authenticate` and hold rows that count attempts (chains): reserve an
   * attempt with {@link UserStore.reserveAttempt} before checking.
   */
  lockout?: { maxAttempts: number; lockSeconds: number };
}

/**
 * What the completion asks a store to record: this legacy row became this
 * Cognito user.
 *
 * @example
 * ```ts
 * { legacyId: '42', sub: '8f0c…-…', expected: null }
 * ```
 */
export interface AccountLink {
  /** The legacy primary key, as the migration put it in `custom:legacy_id`. */
  legacyId: string;
  /** The Cognito user's `sub`. */
  sub: string;
  /**
   * The sub the row must hold now for the link to be written: `null` for a
   * row not linked yet, or the sub of a Cognito user that no longer exists
   * (re-migration under `remigrate: 'if-absent'`). A compare-and-set, so two
   * accounts can never both claim one row.
   */
  expected: string | null;
}

/**
 * What {@link UserStore.linkAccount} answers. `roles` are the row's legacy
 * roles (see `parseRoles`), which the completion maps to Cognito groups.
 */
export type LinkResult =
  /** The row now holds the sub (it held `expected` before); with its social and enterprise identities, when it has any. */
  | { outcome: 'linked'; roles: string[]; identities?: Array<{ provider: string; sub: string }> }
  /** The row already held this very sub: a completion that ran before. */
  | { outcome: 'already_linked'; roles: string[]; identities?: Array<{ provider: string; sub: string }> }
  /** The row holds another account's sub: nothing was written. */
  | { outcome: 'linked_elsewhere'; sub: string }
  /** No row has this legacy id. */
  | { outcome: 'no_row' }
  /** The row is disabled: nothing was written, no groups are given. */
  | { outcome: 'row_disabled' };

/**
 * What tells Cognito's retry of one sign-in from another attempt: a keyed MAC
 * of the request (pool, client, login, password) in this time window, and
 * the same in the window before. A store that keeps the key of the last
 * attempt it counted counts a retry of it once.
 *
 * @example
 * ```ts
 * { key: 'r1.Qk…', previous: 'r1.Zx…' }
 * ```
 */
export interface AttemptRetry {
  key: string;
  previous: string;
}

/** What {@link UserStore.authenticate} answers. */
export type AuthenticateResult =
  | { outcome: 'ok'; user: LegacyUser }
  | { outcome: 'unknown_user' }
  | { outcome: 'wrong_password' }
  | { outcome: 'user_disabled' }
  /** Known, but the legacy store cannot check the password until it is reset: the user should use "Forgot password". */
  | { outcome: 'reset_required' }
  /** The password may be right, but the legacy account has a second factor the request did not prove. */
  | { outcome: 'mfa_required' }
  /** More than one legacy account matches the login. */
  | { outcome: 'ambiguous_login' }
  /** The row is locked (the guessing limit, or the legacy system): its password was not checked. */
  | { outcome: 'locked' };

/**
 * The store contract. Implement `findUser`, optionally `authenticate`; throw
 * `StoreUnavailableError` for outages so they are never taken for a wrong
 * password.
 *
 * @example
 * ```ts
 * const store: UserStore = {
 *   name: 'mine',
 *   async findUser(query) {
 *     const row = await db.get(query.login)
 *     return row && { id: row.id, passwordHash: row.hash, fields: { email: row.email } }
 *   },
 * }
 * ```
 */
export interface UserStore {
  /** Short name for logs and errors, e.g. `postgres`. */
  readonly name: string;
  /** Finds the user for a login; `undefined` when there is none. */
  findUser(query: LookupQuery, ctx: StoreContext): Promise<LegacyUser | undefined>;
  /** For stores that verify passwords themselves; when present the core does not read hashes. */
  authenticate?(query: LookupQuery, password: string, ctx: StoreContext): Promise<AuthenticateResult>;
  /**
   * Deep checks run by the self-check invocation with the function's real
   * role and network (reachable, credentials readable, query valid). Given the
   * lookup mode the handler uses, so only what it will need is checked.
   */
  checks?(mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>): SelfCheck[];
  /**
   * A small, bounded sample of stored users with hashes (at most `limit`),
   * for the self-check that compares the timing hash with the legacy hashes'
   * usual cost. The hashes never leave the function.
   */
  sampleHashes?(limit: number, ctx: StoreContext): Promise<LegacyUser[]>;
  /**
   * Records in the legacy store that this user was migrated (after a
   * successful sign-in), so exports and progress reports can leave them out.
   * Best effort: the handler bounds it by the deadline and a failure never
   * fails the sign-in.
   */
  markMigrated?(user: LegacyUser, ctx: StoreContext): Promise<void>;
  /**
   * The completion's write-back: records on the legacy row (by id) the sub of
   * the Cognito user it became, as a compare-and-set against
   * {@link AccountLink.expected}, and answers the row's legacy roles. Called
   * from the Post authentication and Post confirmation triggers; bounded by
   * their deadline; a failure never fails a sign-in. Stores that read
   * {@link LegacyUser.cognitoSub} must implement it (the contract suite checks).
   */
  linkAccount?(link: AccountLink, ctx: StoreContext): Promise<LinkResult>;
  /**
   * {@link UserStore.linkAccount} for a page of users at once (`complete`
   * writes back up to 60 subs a ListUsers page): the same compare-and-set for
   * each link, one {@link LinkResult} per link in order, in a few statements
   * or calls rather than one per user. Optional: without it `complete` calls
   * `linkAccount` once per user.
   */
  linkAccounts?(links: readonly AccountLink[], ctx: StoreContext): Promise<LinkResult[]>;
  /**
   * The guessing limit (stores that can count per row): records a failed
   * sign-in (a wrong password), locking the row for `policy.lockSeconds` at
   * `policy.maxAttempts` failures, or a success (the count goes back to zero).
   * Atomic under concurrency; bounded by the deadline; a failure to write is
   * logged and never lets a locked row in.
   */
  recordAttempt?(user: LegacyUser, outcome: 'failure' | 'success', policy: { maxAttempts: number; lockSeconds: number }, ctx: StoreContext): Promise<void>;
  /**
   * The guessing limit that holds under any concurrency: atomically counts an
   * attempt on the row before its password is checked, and answers `false`
   * when the row is locked, so no attempt past the limit is ever checked. The
   * attempt that reaches `policy.maxAttempts` locks the row for
   * `policy.lockSeconds`; an expired or cleared lock starts the count again.
   * A success then gives the attempts back (`recordAttempt(…, 'success')`).
   * With it, `recordAttempt(…, 'failure')` is never called.
   */
  reserveAttempt?(user: LegacyUser, policy: { maxAttempts: number; lockSeconds: number }, ctx: StoreContext, retry?: AttemptRetry): Promise<boolean>;
  /**
   * The row that holds a social or enterprise identity, by the pool's
   * provider name and the provider's subject: undefined when none does, an
   * `ambiguous_login` refusal when two do. Indexed: a federated first sign-in
   * waits on it (issue 33).
   */
  findByIdentity?(identity: { provider: string; sub: string }, ctx: StoreContext): Promise<LegacyUser | undefined>;
  /**
   * The TOTP replay guard (stores that keep the last step, RFC 6238 §5.2):
   * records that a code of time step `step` was accepted for this row, as a
   * compare-and-set, and answers `false` when that step or a later one was
   * accepted already (a replayed code). Without it a code is good for its
   * whole window.
   */
  useTotpStep?(user: LegacyUser, step: number, ctx: StoreContext): Promise<boolean>;
  /** Releases connections (tests, scripts). Lambda instances never call it. */
  close?(): Promise<void>;
}
