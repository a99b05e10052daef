// A stand-in for the part of the Cognito user pools API that `complete`
// calls, enforcing Cognito's per-category request quotas, for the bench
// (`npm run bench -- --only complete`) and the tests. It speaks the API's own
// wire protocol (AWS JSON 1.1: POST /, X-Amz-Target
// AWSCognitoIdentityProviderService.<Operation>, errors as {"__type": …}), so
// the real SDK and the built CLI run against it unchanged.
//
// What it follows, and where from:
// - Quotas: developer guide, "Quotas in Amazon Cognito", API operation
//   categories: UserList 30/s (ListUsers), UserUpdate 25/s
//   (AdminUpdateUserAttributes, AdminAddUserToGroup), UserRead 120/s
//   (AdminGetUser), UserPoolResourceUpdate 15/s (CreateGroup), per account.
//   A request over its category's rate is refused with
//   TooManyRequestsException (API reference, each operation's Errors). Each
//   category is a token bucket that holds one second of requests.
// - ListUsers: Limit at most 60, PaginationToken, Filter `sub ^= "…"` (prefix)
//   and `sub = "…"` (API reference, ListUsers, Request Parameters).
// - AdminAddUserToGroup refuses a group the pool lacks with
//   ResourceNotFoundException; CreateGroup refuses one it has with
//   GroupExistsException (API reference, Errors).
// - Billing: a change of a user's attributes or groups, or an admin read of
//   the user, makes the user a monthly active user (REFERENCE.md §10); the
//   stand-in counts those users. ListUsers bills nobody.
// Everything else answers UnsupportedOperation: it is not what `complete` calls.
import { createServer } from 'node:http';

export const DEFAULT_QUOTAS = { UserList: 30, UserUpdate: 25, UserRead: 120, UserPoolResourceUpdate: 15 };
const CATEGORY = {
  ListUsers: 'UserList', AdminUpdateUserAttributes: 'UserUpdate', AdminAddUserToGroup: 'UserUpdate', AdminLinkProviderForUser: 'UserUpdate', AdminGetUser: 'UserRead', CreateGroup: 'UserPoolResourceUpdate', AdminListGroupsForUser: 'UserRead',
};
const BILLS = new Set(['AdminUpdateUserAttributes', 'AdminAddUserToGroup', 'AdminGetUser', 'AdminLinkProviderForUser']);

class ApiError extends Error {
  constructor(type, message, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

/**
 * Starts the stand-in. `users`: [{ Username, UserStatus, attributes: { sub, … } }];
 * `latencyMs`: [min, max] added to every answer; `quotas`: requests a second per category.
 * @example const api = await startQuotaCognito({ userPoolId, users, groups: ['admins'], latencyMs: [50, 100] })
 * @param {{ userPoolId: string, users: Array<{ Username: string, UserStatus?: string, attributes: Record<string, string> }>, groups?: string[], latencyMs?: [number, number], quotas?: Record<string, number>, now?: () => number }} options
 */
export async function startQuotaCognito({ userPoolId, users, groups = [], latencyMs = [0, 0], quotas = DEFAULT_QUOTAS, now = () => performance.now() }) {
  const byUsername = new Map();
  const bySub = new Map();
  // Users by the first two hex digits of their sub, in the order they were made: a prefix filter reads one list.
  const byPrefix = new Map();
  for (const u of users) {
    const user = { Username: u.Username, UserStatus: u.UserStatus ?? 'CONFIRMED', Enabled: true, attributes: { ...u.attributes }, groups: new Set() };
    byUsername.set(user.Username, user);
    bySub.set(user.attributes.sub, user);
    const p = user.attributes.sub.slice(0, 2);
    if (!byPrefix.has(p)) byPrefix.set(p, []);
    byPrefix.get(p).push(user);
  }
  const poolGroups = new Set(groups);
  // Each prefix's users in one list, made once: a stand-in that copied the pool on every page would be slower than Cognito.
  const lists = new Map();
  const listed = (prefix) => {
    if (!lists.has(prefix)) lists.set(prefix, [...byPrefix.entries()].filter(([p]) => p.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b)).flatMap(([, l]) => l));
    return lists.get(prefix);
  };
  /** @type {Record<string, number>} */
  const calls = {};
  /** @type {Record<string, number>} */
  const throttled = {};
  /** @type {Set<string>} */
  const billed = new Set();
  const buckets = Object.fromEntries(Object.entries(quotas).map(([c, rate]) => [c, { tokens: rate, at: now() }]));
  let inFlight = 0;
  let maxInFlight = 0;

  const take = (category) => {
    const b = buckets[category];
    const t = now();
    b.tokens = Math.min(quotas[category], b.tokens + ((t - b.at) / 1000) * quotas[category]);
    b.at = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
  /** @param {{ UserPoolId?: string, Username?: string }} input */
  const userOf = (input) => {
    if (input.UserPoolId !== userPoolId) throw new ApiError('ResourceNotFoundException', 'User pool does not exist.');
    const user = byUsername.get(input.Username);
    if (!user) throw new ApiError('UserNotFoundException', 'User does not exist.');
    return user;
  };
  const wire = (u) => ({ Username: u.Username, UserStatus: u.UserStatus, Enabled: u.Enabled, Attributes: Object.entries(u.attributes).map(([Name, Value]) => ({ Name, Value })) });

  const operations = {
    ListUsers(input) {
      if (input.UserPoolId !== userPoolId) throw new ApiError('ResourceNotFoundException', 'User pool does not exist.');
      const limit = input.Limit ?? 60;
      if (!Number.isInteger(limit) || limit < 1 || limit > 60) throw new ApiError('InvalidParameterException', '1 validation error detected: Value at \'limit\' failed to satisfy constraint: Member must have value less than or equal to 60');
      const filter = input.Filter ?? '';
      let list;
      const exact = /^sub = "([^"]*)"$/.exec(filter);
      const prefix = /^sub \^= "([0-9a-f]{0,2})"$/.exec(filter);
      if (exact) list = bySub.has(exact[1]) ? [bySub.get(exact[1])] : [];
      else if (prefix || !filter) list = listed(prefix ? prefix[1] : '');
      else throw new ApiError('InvalidParameterException', 'Error while parsing filter.');
      let start = 0;
      if (input.PaginationToken) {
        const token = JSON.parse(Buffer.from(input.PaginationToken, 'base64url').toString('utf8'));
        if (token.f !== filter) throw new ApiError('InvalidParameterException', 'Invalid pagination token.');
        start = token.o;
      }
      const page = list.slice(start, start + limit);
      const next = start + limit < list.length ? Buffer.from(JSON.stringify({ f: filter, o: start + limit })).toString('base64url') : undefined;
      const pick = input.AttributesToGet;
      return { Users: page.map((u) => { const w = wire(u); if (pick) w.Attributes = w.Attributes.filter((a) => pick.includes(a.Name)); return w; }), ...(next ? { PaginationToken: next } : {}) };
    },
    AdminUpdateUserAttributes(input) {
      const user = userOf(input);
      for (const { Name, Value } of input.UserAttributes ?? []) user.attributes[Name] = Value;
      return {};
    },
    AdminAddUserToGroup(input) {
      const user = userOf(input);
      if (!poolGroups.has(input.GroupName)) throw new ApiError('ResourceNotFoundException', 'Group not found.');
      user.groups.add(input.GroupName);
      return {};
    },
    // AdminLinkProviderForUser (API reference): DestinationUser is Cognito and the username; SourceUser the provider,
    // Cognito_Subject and the subject. A user takes 5 identities; a subject linked already is refused.
    AdminLinkProviderForUser(input) {
      const user = userOf({ UserPoolId: input.UserPoolId, Username: input.DestinationUser?.ProviderAttributeValue });
      if (input.DestinationUser?.ProviderName !== 'Cognito' || input.SourceUser?.ProviderAttributeName !== 'Cognito_Subject') throw new ApiError('InvalidParameterException', 'Invalid SourceUser or DestinationUser.');
      const key = `${input.SourceUser.ProviderName}_${input.SourceUser.ProviderAttributeValue}`;
      for (const other of byUsername.values()) if (other.links?.has(key)) throw new ApiError('InvalidParameterException', 'Merging is not currently supported, provide a SourceUser that has not been linked already.');
      user.links ??= new Set();
      if (user.links.size >= 5) throw new ApiError('LimitExceededException', 'The user has 5 linked identities already.');
      user.links.add(key);
      return {};
    },
    AdminGetUser(input) {
      const u = wire(userOf(input));
      return { Username: u.Username, UserStatus: u.UserStatus, Enabled: u.Enabled, UserAttributes: u.Attributes };
    },
    AdminListGroupsForUser(input) {
      return { Groups: [...userOf(input).groups].map((GroupName) => ({ GroupName, UserPoolId: userPoolId })) };
    },
    CreateGroup(input) {
      if (poolGroups.has(input.GroupName)) throw new ApiError('GroupExistsException', 'A group with the name already exists.');
      poolGroups.add(input.GroupName);
      return { Group: { GroupName: input.GroupName, UserPoolId: userPoolId } };
    },
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(/^AWSCognitoIdentityProviderService\./, '');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let status = 200;
      let body;
      try {
        const category = CATEGORY[op];
        if (!category) throw new ApiError('UnsupportedOperation', `${op} is not part of this stand-in`);
        calls[op] = (calls[op] ?? 0) + 1;
        if (!take(category)) {
          throttled[category] = (throttled[category] ?? 0) + 1;
          throw new ApiError('TooManyRequestsException', 'Rate exceeded');
        }
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (BILLS.has(op) && byUsername.has(input.Username)) billed.add(input.Username);
        body = operations[op](input);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        status = err.status;
        body = { __type: err.type, message: err.message };
      }
      const [lo, hi] = latencyMs;
      if (hi > 0) await new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));
      inFlight--;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': String(Math.random()).slice(2) });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Requests by operation, throttled ones included. */
    calls,
    /** Refused requests by category. */
    throttled,
    /** Users a billing call reached: monthly active users. */
    billed,
    maxInFlight: () => maxInFlight,
    user: (username) => byUsername.get(username),
    /** The identities linked to a user, as `Provider_subject`. */
    links: (username) => [...(byUsername.get(username)?.links ?? [])],
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
