import { AuthenticationFailedError, type LegacyUser, type LinkResult, type LookupQuery, type UserStore } from '../../src/index.js';

/**
 * One user of the in-memory store: a login name and everything else a
 * {@link LegacyUser} holds.
 *
 * @example
 * ```ts
 * { username: 'ada', id: '1', passwordHash: '$2b$10$…', fields: { email: 'ada@example.com' } }
 * ```
 */
export interface MemoryUser extends LegacyUser {
  username: string;
  /** Legacy roles, which the completion maps to groups. */
  roles?: string[];
}

/**
 * The smallest complete store: users held in memory. For tests, demos, and as
 * the example to copy when writing an adapter (see the README).
 *
 * @example
 * ```ts
 * const store = createMemoryStore([{ username: 'ada', id: '1', passwordHash, fields: { email: 'ada@example.com' } }])
 * const handler = createUserMigrationHandler({ store, matchEmail: true })
 * ```
 */
export function createMemoryStore(users: readonly MemoryUser[]): UserStore {
  // The ledger lives on the users themselves: a linked user carries its sub from then on.
  const held = users.map((u) => ({ ...u }));
  const fold = (s: unknown, q: LookupQuery) => (typeof s === 'string' ? (q.caseInsensitive ? s.toLowerCase() : s) : undefined);
  return {
    name: 'memory',
    async findUser(query) {
      const login = fold(query.login, query);
      const matches = held.filter((u) => fold(u.username, query) === login || (query.matchEmail && fold(u.fields.email, query) === login));
      // One login is one legacy user: a second match makes it ambiguous, whichever password is given.
      if (matches.length > 1) throw new AuthenticationFailedError('ambiguous_login', 'more than one user matches this login');
      const found = matches[0];
      if (!found) return undefined;
      const { username: _username, roles: _roles, ...user } = found;
      return { ...user, fields: { ...user.fields } };
    },
    async linkAccount(link) {
      const rows = held.filter((u) => u.id === link.legacyId);
      if (rows.length !== 1) return { outcome: 'no_row' };
      const row = rows[0]!;
      // A disabled row gets no link and no groups, as it gets no migration.
      if (row.enabled !== undefined && row.enabled !== true) return { outcome: 'row_disabled' };
      const roles = [...(row.roles ?? [])];
      const carried = row.identities?.length ? { identities: row.identities.map((i) => ({ ...i })) } : {};
      if (row.cognitoSub === link.sub) return { outcome: 'already_linked', roles, ...carried };
      // Compare-and-set: the row may hold nothing yet, or the sub the caller expects to replace.
      if (row.cognitoSub && row.cognitoSub !== link.expected) return { outcome: 'linked_elsewhere', sub: row.cognitoSub };
      row.cognitoSub = link.sub;
      return { outcome: 'linked', roles, ...carried };
    },
    async findByIdentity(identity) {
      const rows = held.filter((u) => (u.identities ?? []).some((i) => i.provider === identity.provider && i.sub === identity.sub));
      if (rows.length > 1) throw new AuthenticationFailedError('ambiguous_login', 'more than one user holds this identity');
      const found = rows[0];
      if (!found) return undefined;
      const { username: _username, roles: _roles, ...user } = found;
      return { ...user, fields: { ...user.fields } };
    },
    async linkAccounts(links, ctx) {
      const results: LinkResult[] = [];
      for (const link of links) results.push(await this.linkAccount!(link, ctx));
      return results;
    },
  };
}
