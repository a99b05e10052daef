// What a bulk step costs in Cognito's terms: which quota category each call
// spends, at what default rate, and which calls make a user a billed monthly
// active user. `plan`, `complete` and the README's cost table read it from
// here, so a figure printed anywhere is the code's own count.
//
// Sources: developer guide, "Quotas in Amazon Cognito", "API operation
// categories" (default requests a second per account and Region; UserList and
// UserUpdate are not adjustable; UserPoolResourceUpdate operations are also
// held to 5 a second per pool); ListUsers pages at most 60 users (API
// reference, ListUsers, Limit); REFERENCE.md §10 for the operations of each
// category and for which calls bill a user (a change of a user's attributes
// or groups, or an admin read of the user; ListUsers and CSV import jobs do
// not).

/** The quota categories the bulk steps spend, with their default rates a second. */
export const QUOTAS = {
  UserList: 30,
  UserUpdate: 25,
  UserRead: 120,
  UserPoolResourceUpdate: 15,
} as const;

/** A quota category the bulk steps spend. */
export type QuotaCategory = keyof typeof QUOTAS;

/** The calls the bulk steps make: each one's category, and whether it makes its user a billed MAU this month. */
export const OPERATIONS = {
  ListUsers: { category: 'UserList', billsUser: false },
  AdminUpdateUserAttributes: { category: 'UserUpdate', billsUser: true },
  AdminAddUserToGroup: { category: 'UserUpdate', billsUser: true },
  AdminLinkProviderForUser: { category: 'UserUpdate', billsUser: true },
  AdminGetUser: { category: 'UserRead', billsUser: true },
  CreateGroup: { category: 'UserPoolResourceUpdate', billsUser: false },
} as const satisfies Record<string, { category: QuotaCategory; billsUser: boolean }>;

/** An operation the bulk steps call. */
export type Operation = keyof typeof OPERATIONS;

/** ListUsers' largest page (API reference, ListUsers, Limit). */
export const PAGE_SIZE = 60;

/** Calls by operation. */
export type CallCounts = Partial<Record<Operation, number>>;

/**
 * Calls summed by quota category.
 * @example byCategory({ ListUsers: 2, AdminAddUserToGroup: 3 }) // { UserList: 2, UserUpdate: 3 }
 */
export function byCategory(calls: CallCounts): Partial<Record<QuotaCategory, number>> {
  const out: Partial<Record<QuotaCategory, number>> = {};
  for (const [op, n] of Object.entries(calls) as Array<[Operation, number]>) {
    if (!n) continue;
    const c = OPERATIONS[op].category;
    out[c] = (out[c] ?? 0) + n;
  }
  return out;
}

/**
 * Seconds the calls take when each category runs at `rates` (default: the
 * default quotas), categories side by side: the slowest category sets the time.
 * @example seconds({ ListUsers: 3000 }) // 100
 */
export function seconds(calls: CallCounts, rates: Partial<Record<QuotaCategory, number>> = QUOTAS): number {
  let longest = 0;
  for (const [c, n] of Object.entries(byCategory(calls)) as Array<[QuotaCategory, number]>) longest = Math.max(longest, n / (rates[c] ?? QUOTAS[c]));
  return longest;
}

/** The per-user calls of the eager completion (`complete --touch`) of one user with `groups` groups and `identities` staged identities (5 at most are linked): each group, each link, then the mark. */
export function touchCalls(groups: number, identities = 0): CallCounts {
  return { AdminAddUserToGroup: groups, ...(identities ? { AdminLinkProviderForUser: Math.min(identities, 5) } : {}), AdminUpdateUserAttributes: 1 };
}

/** Adds `more` into `into`. */
export function addCalls(into: CallCounts, more: CallCounts): CallCounts {
  for (const [op, n] of Object.entries(more) as Array<[Operation, number]>) into[op] = (into[op] ?? 0) + n;
  return into;
}
