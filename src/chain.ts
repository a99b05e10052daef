import type { SelfCheck } from './checks.js';
import { CognitoMigrateError, StoreUnavailableError } from './errors.js';
import { type PasswordVerifierRegistry, createPasswordVerifier } from './passwords/registry.js';
import type { AuthenticateResult, LegacyUser, LookupQuery, StoreContext, UserStore } from './types.js';

/**
 * Tries stores in order; the first definitive answer wins.
 *
 * A store that finds the user answers definitively (migrated, wrong password
 * or disabled): later stores are not asked. "Unknown user" passes to the next
 * store. When a store has an outage, every later answer becomes an outage too:
 * the failed store might have known the user, so its outage is never turned
 * into "unknown user" or "wrong password" by a store behind it.
 *
 * @example
 * ```ts
 * const store = createChainStore([createPostgresStore({ … }), createHttpStore({ … })])
 * export const handler = createUserMigrationHandler({ store })
 * ```
 */
export function createChainStore(stores: readonly UserStore[], options: { passwords?: PasswordVerifierRegistry } = {}): UserStore {
  if (stores.length === 0) throw new StoreUnavailableError('chain', 'a chain needs at least one store');
  let own: PasswordVerifierRegistry | undefined;
  const passwords = {
    verify: (...args: Parameters<PasswordVerifierRegistry['verify']>) => (own ??= options.passwords ?? createPasswordVerifier()).verify(...args),
  };
  const name = `chain(${stores.map((s) => s.name).join(',')})`;

  async function walk<T>(ask: (store: UserStore) => Promise<T | undefined>): Promise<T | undefined> {
    let outage: CognitoMigrateError | undefined;
    for (const store of stores) {
      let answer: T | undefined;
      try {
        answer = await ask(store);
      } catch (err) {
        if (err instanceof CognitoMigrateError && err.retriable) {
          outage ??= err;
          continue;
        }
        throw err;
      }
      if (answer !== undefined) {
        if (outage) throw new StoreUnavailableError(name, `an earlier store (${outage.message}) could not answer, so ${store.name}'s answer may not be the one that counts`, { cause: outage });
        return answer;
      }
    }
    if (outage) throw outage;
    return undefined;
  }

  async function authenticate(query: LookupQuery, password: string, ctx: StoreContext): Promise<AuthenticateResult> {
    const result = await walk<AuthenticateResult>(async (store) => {
      if (store.authenticate) {
        const r = await store.authenticate(query, password, ctx);
        return r.outcome === 'unknown_user' ? undefined : r;
      }
      const user = await store.findUser(query, ctx);
      if (!user?.passwordHash) return undefined;
      // The member's lock and count hold behind the chain as they do alone: a locked row is refused unchecked, and
      // each attempt is reserved before the check (UserStore.reserveAttempt).
      if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) return { outcome: 'locked' };
      const policy = ctx.lockout;
      if (policy && store.reserveAttempt && !(await store.reserveAttempt(user, policy, ctx))) return { outcome: 'locked' };
      // The handler's verification when there is one: budgeted, stoppable, and counted for refusal timing.
      const ok = ctx.verifyPassword
        ? await ctx.verifyPassword(password, user.passwordHash, user.hashFormat)
        : await passwords.verify(password, user.passwordHash, user.hashFormat, { deadline: ctx.deadline, signal: ctx.signal });
      if (policy && store.recordAttempt && (ok || !store.reserveAttempt)) await store.recordAttempt(user, ok ? 'success' : 'failure', policy, ctx);
      return ok ? { outcome: 'ok', user } : { outcome: 'wrong_password' };
    });
    // The handler times every refusal, unknown users included.
    return result ?? { outcome: 'unknown_user' };
  }

  return {
    name,
    findUser: (query: LookupQuery, ctx: StoreContext): Promise<LegacyUser | undefined> => walk((store) => store.findUser(query, ctx)),
    authenticate,
    checks: (mode) => stores.flatMap((s): SelfCheck[] => s.checks?.(mode) ?? []),
    close: async () => {
      await Promise.all(stores.map((s) => s.close?.()));
    },
  };
}
