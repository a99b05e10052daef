// The second half of a migration. After the UserMigration trigger answered,
// Cognito creates the user and goes on: a sign-in ends in the Post
// authentication trigger (PostAuthentication_Authentication), a reset that the
// ForgotPassword migration started ends in the Post confirmation trigger
// (PostConfirmation_ConfirmForgotPassword). Both events carry the user's
// attributes, `sub` and the migration's `custom:legacy_id` among them
// (developer guide, "Post authentication Lambda trigger" and "Post
// confirmation Lambda trigger", request parameters). Here the legacy row
// learns the sub, legacy roles become groups, and a mark on the user makes
// every later sign-in free.
import type { Context } from 'aws-lambda';
import { CognitoMigrateError, ConfigurationError } from './errors.js';
import { HANDLER_SETTINGS } from './handler-settings.js';
import { checked } from './settings.js';
import { DEFAULT_PROOF_ATTRIBUTE, type LinkKeySource, linkKeyReader, proofHolds } from './link-proof.js';
import type { PoolAdmin } from './pool-admin.js';
import type { MigrationLogger, MigrationMetrics } from './telemetry.js';
import type { LinkResult, StoreContext, UserStore } from './types.js';

export { parseRoles } from './roles.js';

/** The trigger sources that complete a migration. */
export const COMPLETION_SOURCES = ['PostAuthentication_Authentication', 'PostConfirmation_ConfirmForgotPassword'] as const;

/** A Post authentication or Post confirmation event, as far as the completion reads it. */
export interface CompletionEvent {
  triggerSource: string;
  userPoolId: string;
  userName: string;
  request: { userAttributes?: Record<string, string> };
  response: Record<string, unknown>;
}

/**
 * How legacy roles become groups, and where the completion leaves its mark.
 *
 * @example
 * ```ts
 * const completion: CompletionOptions = { groupMap: { ROLE_ADMIN: 'admins' }, unmappedRoles: 'ignore' }
 * ```
 */
export interface CompletionOptions {
  /** Legacy role → Cognito group. Roles not in it follow `unmappedRoles`. */
  groupMap?: Readonly<Record<string, string>>;
  /** `ignore` (default) drops a role the map does not name; `same-name` makes it a group of its own name. */
  unmappedRoles?: 'ignore' | 'same-name';
  /** Create a group the pool lacks instead of reporting it (default false: a missing group is a warning and a `group_missing` metric). */
  createMissingGroups?: boolean;
  /** The attribute the migration sets to the legacy id (default `custom:legacy_id`): a user without it did not migrate. */
  legacyIdAttribute?: string;
  /**
   * The attribute that marks a completed user (default `custom:migrated_at`,
   * a mutable String in the pool's schema that no app client may write): a
   * user who has it costs nothing at later sign-ins.
   */
  markAttribute?: string;
  /**
   * The key of the link proof (src/link-proof.ts): the migration sets a MAC of
   * the pool and the legacy id beside it, and the completion links a row,
   * grants groups and marks the user only when that MAC holds. Without a key
   * nothing is linked: an attribute a sign-up can set proves nothing.
   */
  linkKey?: LinkKeySource;
  /** The attribute that carries the proof (default `custom:legacy_proof`, a mutable String no app client may write). */
  proofAttribute?: string;
  /**
   * Time the completion may take, in ms (default 2000, at most 3000): Cognito
   * waits 5 s for the trigger and retries one that does not answer, so the
   * completion keeps well inside it. It stops earlier if the invocation's own
   * time runs out.
   */
  timeoutMs?: number;
}

/** The completion's longest time: Cognito's 5 s less room for a slow cold start and the answer. */
export const COMPLETION_TIMEOUT_MAX_MS = HANDLER_SETTINGS.completionTimeoutMs.max;

/** Cognito's own limit on the groups one user can be in (developer guide, quotas). */
export const MAX_GROUPS_PER_USER = 100;
// Room left for Lambda to serialise the answer before its own timeout.
const MARGIN_MS = 150;

/**
 * The Cognito groups a user's legacy roles map to: through `groupMap`, the
 * unmapped ones kept or dropped, each group once, at most
 * {@link MAX_GROUPS_PER_USER}, and only names Cognito accepts for a group.
 *
 * @example
 * ```ts
 * groupsFor(['ROLE_ADMIN', 'ROLE_X'], { groupMap: { ROLE_ADMIN: 'admins' } }) // ['admins']
 * ```
 */
export function groupsFor(roles: readonly string[], options: Pick<CompletionOptions, 'groupMap' | 'unmappedRoles'>): string[] {
  const groups = new Set<string>();
  for (const role of roles) {
    const group = options.groupMap && Object.hasOwn(options.groupMap, role) ? options.groupMap[role] : options.unmappedRoles === 'same-name' ? role : undefined;
    if (group && GROUP_NAME.test(group)) groups.add(group);
  }
  return [...groups].slice(0, MAX_GROUPS_PER_USER);
}

// CreateGroup's GroupName: 1 to 128 characters of [\p{L}\p{M}\p{S}\p{N}\p{P}] (API reference, CreateGroup, Request Parameters).
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/** The completion's settings, checked once when the handler is built. */
export interface CompletionSettings {
  groupMap: Readonly<Record<string, string>>;
  unmappedRoles: 'ignore' | 'same-name';
  createMissingGroups: boolean;
  legacyIdAttribute: string;
  markAttribute: string;
  proofAttribute: string;
  /** The link key, read once (undefined: no key, nothing is proven). */
  linkKey: () => Promise<string | undefined>;
  timeoutMs: number;
}

/**
 * Checks {@link CompletionOptions} and fills in the defaults; a bad value is
 * a `ConfigurationError` naming it.
 *
 * @example
 * ```ts
 * completionSettings({ groupMap: { admin: 'admins' } }, 'createUserMigrationHandler')
 * ```
 */
export function completionSettings(options: CompletionOptions | undefined, where: string): CompletionSettings {
  const o = options ?? {};
  const map = o.groupMap ?? {};
  if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((g) => typeof g !== 'string' || !GROUP_NAME.test(g))) {
    throw new ConfigurationError('completion.groupMap', `${where}: "groupMap" (GROUP_MAP) must map legacy role names to Cognito group names (1 to 128 characters, no spaces)`, 'Example: GROUP_MAP={"ROLE_ADMIN":"admins","ROLE_STAFF":"staff"}.');
  }
  if (o.unmappedRoles !== undefined && o.unmappedRoles !== 'ignore' && o.unmappedRoles !== 'same-name') {
    throw new ConfigurationError('completion.unmappedRoles', `${where}: "unmappedRoles" (UNMAPPED_ROLES) must be "ignore" or "same-name"`, 'Leave it out to ignore roles the group map does not name.');
  }
  const attribute = (name: 'legacyIdAttribute' | 'markAttribute' | 'proofAttribute', fallback: string) => {
    const value = o[name] ?? fallback;
    if (typeof value !== 'string' || !/^custom:[\w.:-]{1,20}$/.test(value)) {
      throw new ConfigurationError(`completion.${name}`, `${where}: "${name}" must be a custom attribute (custom: and 1 to 20 characters)`, `Leave it out for ${fallback}.`);
    }
    return value;
  };
  const timeoutMs = checked(where, HANDLER_SETTINGS.completionTimeoutMs, o.timeoutMs);
  const names = { legacyIdAttribute: attribute('legacyIdAttribute', 'custom:legacy_id'), markAttribute: attribute('markAttribute', 'custom:migrated_at'), proofAttribute: attribute('proofAttribute', DEFAULT_PROOF_ATTRIBUTE) };
  if (new Set(Object.values(names)).size !== 3) {
    throw new ConfigurationError('completion.proofAttribute', `${where}: the legacy id, the mark and the proof must be three different attributes`, 'Leave them out for custom:legacy_id, custom:migrated_at and custom:legacy_proof.');
  }
  return {
    groupMap: map,
    unmappedRoles: o.unmappedRoles ?? 'ignore',
    createMissingGroups: o.createMissingGroups === true,
    ...names,
    linkKey: linkKeyReader(o.linkKey),
    timeoutMs,
  };
}

/** What the completion flow needs from the handler it is wired into. */
export interface CompletionDeps {
  store: UserStore;
  pool: PoolAdmin;
  settings: CompletionSettings;
  /** `if-absent` lets a row whose linked user is gone from the pool be linked to the new one. */
  remigrate: 'never' | 'if-absent';
  logger: MigrationLogger;
  metrics: MigrationMetrics;
}

/** How one completion ended. */
export type CompletionOutcome = 'completed' | 'completion_failed' | 'completion_conflict' | 'group_missing' | 'completion_unproven';

/**
 * Whether a user needs completing: one the migration created (it carries the
 * legacy id and a sub) that has no mark yet. Everyone else costs nothing.
 *
 * @example
 * ```ts
 * needsCompletion({ sub: '…', 'custom:legacy_id': '42' }, settings) // true
 * ```
 */
export function needsCompletion(attributes: Record<string, string> | undefined, settings: Pick<CompletionSettings, 'legacyIdAttribute' | 'markAttribute'>): boolean {
  return Boolean(attributes && typeof attributes === 'object' && attributes[settings.legacyIdAttribute] && !attributes[settings.markAttribute] && attributes.sub);
}

/**
 * Completes one user, for the trigger and for `cognito-migrate complete`
 * alike: links the legacy row to the user's sub (the store's
 * {@link UserStore.linkAccount}, or `linked`, the answer of a batch that
 * linked it already), adds the user to the groups of their legacy
 * roles, and then sets the mark. Never throws and never outlives `budgetMs`:
 * the answer is the log record, whose `outcome` says how it ended; a user
 * left unmarked is tried again next time.
 *
 * @example
 * ```ts
 * const record = await completeUser(deps, { triggerSource: 'bulk', userPoolId, userName, request: { userAttributes }, response: {} }, 30_000)
 * ```
 */
export async function completeUser(deps: Omit<CompletionDeps, 'logger' | 'metrics'>, event: CompletionEvent, budgetMs: number, linked?: LinkResult & { outcome: 'linked' | 'already_linked' }): Promise<Record<string, unknown> & { outcome: CompletionOutcome }> {
  const { store, pool, settings } = deps;
  const attributes = event.request.userAttributes ?? {};
  const abort = new AbortController();
  const deadline = Date.now() + budgetMs;
  const timer = setTimeout(() => abort.abort(Object.assign(new Error('the completion ran out of time'), { name: 'TimeoutError' })), budgetMs);
  const ctx: StoreContext = { signal: abort.signal, deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
  const record: Record<string, unknown> = { triggerSource: event.triggerSource, userPoolId: event.userPoolId, sub: attributes.sub };

  async function complete(): Promise<CompletionOutcome> {
    const legacyId = attributes[settings.legacyIdAttribute]!;
    const sub = attributes.sub!;
    const opts = { signal: ctx.signal };
    // Before any call: a user whose legacy id this project did not set (a sign-up, an admin creation) gets no row, group or mark.
    const key = await settings.linkKey();
    if (key === undefined) {
      record.problem = 'no link key is configured (LINK_KEY_ARN), so no user can prove that the migration made it';
      return 'completion_unproven';
    }
    if (!proofHolds(key, event.userPoolId, legacyId, attributes[settings.proofAttribute])) {
      record.problem = `the user's ${settings.proofAttribute} does not prove that a migration made it from its legacy id (a sign-up or an admin creation set the id)`;
      return 'completion_unproven';
    }
    let roles: string[] = [];
    let identities: Array<{ provider: string; sub: string }> = [];
    if (linked) {
      // `complete` wrote the page's subs back in one batch (UserStore.linkAccounts) before it touches a user.
      record.link = linked.outcome;
      roles = linked.roles;
      identities = linked.identities ?? [];
    } else if (store.linkAccount) {
      let link = await store.linkAccount({ legacyId, sub, expected: null }, ctx);
      if (link.outcome === 'linked_elsewhere' && deps.remigrate === 'if-absent' && !(await pool.hasSub(event.userPoolId, link.sub, opts))) {
        record.replacedSub = link.sub;
        link = await store.linkAccount({ legacyId, sub, expected: link.sub }, ctx);
      }
      record.link = link.outcome;
      if (link.outcome === 'linked_elsewhere') {
        record.linkedSub = link.sub;
        return 'completion_conflict';
      }
      if (link.outcome === 'no_row') {
        record.problem = 'no legacy row has this user\'s legacy id';
        return 'completion_failed';
      }
      if (link.outcome === 'row_disabled') {
        record.problem = 'the legacy row is disabled: no link and no groups';
        return 'completion_failed';
      }
      roles = link.roles;
      identities = link.identities ?? [];
    }
    const groups = groupsFor(roles, settings);
    record.roles = roles.length;
    record.groups = groups.length;
    const missing = await addToGroups(pool, event, groups, settings.createMissingGroups, opts);
    if (missing.length) {
      // Unmarked, so the next sign-in adds the user once the operator has created the group.
      record.groupsMissing = missing.length;
      return 'group_missing';
    }
    if (identities.length) Object.assign(record, await linkIdentities(pool, event, identities, opts));
    await pool.setAttributes(event.userPoolId, event.userName, { [settings.markAttribute]: new Date().toISOString() }, opts);
    return 'completed';
  }

  const started = performance.now();
  let outcome: CompletionOutcome;
  try {
    outcome = await Promise.race([
      complete(),
      new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true })),
    ]);
  } catch (err) {
    const e = err as { name?: string; code?: unknown };
    outcome = 'completion_failed';
    // Our own errors' texts name things, never values; of anything else only the name and code, since an SDK or driver message may quote a value.
    record.problem = err instanceof CognitoMigrateError ? err.message : typeof e.code === 'string' ? `${e.name ?? 'Error'} ${e.code}` : (e.name ?? 'Error');
  } finally {
    clearTimeout(timer);
  }
  record.durationMs = Math.round(performance.now() - started);
  return Object.assign(record, { outcome });
}

/** Cognito's limit on the identities linked to one user (developer guide, "Linking federated users to an existing user profile"). */
export const MAX_LINKED_IDENTITIES = 5;

/**
 * Links the row's social and enterprise identities to the user (password
 * first: the person proved the row, so their identities follow it), at most
 * {@link MAX_LINKED_IDENTITIES}. A link Cognito refuses (that identity signed
 * in on its own already: merging is not supported; an immutable custom
 * attribute) is counted by error name for the log, and never fails the
 * completion: the person keeps signing in with their password.
 */
async function linkIdentities(pool: PoolAdmin, event: CompletionEvent, identities: ReadonlyArray<{ provider: string; sub: string }>, opts: { signal: AbortSignal }): Promise<Record<string, unknown>> {
  if (!pool.linkProvider) return { identitiesNotLinked: identities.length, identitiesProblem: 'the pool admin cannot link identities' };
  const out: Record<string, unknown> = { identitiesLinked: 0 };
  const refused: Record<string, number> = {};
  for (const identity of identities.slice(0, MAX_LINKED_IDENTITIES)) {
    const answer = await pool.linkProvider(event.userPoolId, event.userName, identity, opts);
    if (answer === 'linked') out.identitiesLinked = (out.identitiesLinked as number) + 1;
    else refused[answer.refused] = (refused[answer.refused] ?? 0) + 1;
  }
  if (Object.keys(refused).length) out.identitiesRefused = refused;
  if (identities.length > MAX_LINKED_IDENTITIES) out.identitiesOverLimit = identities.length - MAX_LINKED_IDENTITIES;
  return out;
}

/** Adds the user to each group (creating a missing one when asked); answers the groups still missing. */
async function addToGroups(pool: PoolAdmin, event: CompletionEvent, groups: readonly string[], create: boolean, opts: { signal: AbortSignal }): Promise<string[]> {
  const missing: string[] = [];
  await Promise.all(groups.map(async (group) => {
    let added = await pool.addToGroup(event.userPoolId, event.userName, group, opts);
    if (added === 'missing' && create) {
      await pool.createGroup(event.userPoolId, group, opts);
      added = await pool.addToGroup(event.userPoolId, event.userName, group, opts);
    }
    if (added === 'missing') missing.push(group);
  }));
  return missing;
}

/**
 * The completion flow of the Post authentication and Post confirmation
 * triggers: {@link completeUser} for a user who needs it, bounded by the
 * invocation's time, then one log line and one metric. A user with the mark,
 * or without a legacy id, costs no call at all. The event always goes back to
 * Cognito unchanged: a thrown Post authentication trigger would fail the
 * sign-in.
 *
 * @example
 * ```ts
 * const complete = createCompletionFlow({ store, pool: cognitoPoolAdmin(), settings: completionSettings({}, 'app'), remigrate: 'never', logger, metrics })
 * export const handler = (event) => complete(event)
 * ```
 */
export function createCompletionFlow(deps: CompletionDeps): <E extends CompletionEvent>(event: E, context?: Partial<Context>) => Promise<E> {
  const { settings, logger, metrics } = deps;
  return async (event, context) => {
    // A store with no ledger and no roles leaves nothing to complete, and nothing to mark.
    if (!deps.store.linkAccount || !needsCompletion(event?.request?.userAttributes, settings)) return event;
    const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() - MARGIN_MS : settings.timeoutMs;
    const record = await completeUser(deps, event, Math.max(0, Math.min(settings.timeoutMs, left)));
    metrics.count(record.outcome);
    if (record.outcome === 'completed' && (record.identitiesRefused || record.identitiesOverLimit)) logger.warn('migration completed; some of the legacy identities could not be linked (see identitiesRefused: an identity that signed in on its own already cannot be merged, and a user takes 5 at most)', record);
    else if (record.outcome === 'completed') logger.info('migration completed', record);
    else if (record.outcome === 'completion_conflict') logger.warn('migration not completed: the legacy row is linked to another Cognito user', record);
    else if (record.outcome === 'completion_unproven') logger.warn('migration not completed: nothing proves that the migration made this user; no row, group or mark is given', record);
    else if (record.outcome === 'group_missing') logger.warn('migration not completed: a group the legacy roles map to is missing from the pool; the next sign-in tries again', record);
    else logger.warn('migration not completed; the next sign-in tries again', record);
    return event;
  };
}
