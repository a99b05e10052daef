// The HTTP store: a legacy system reached through its own API. Either the API
// checks the password (verifyPath) and answers the user, or it answers the
// user with the hash and the core checks it (verifyPath null). Every request
// is bounded by the invocation's deadline and by a size limit, never follows
// a redirect, and a POST that may have reached the server is never sent
// twice. The store is built from one checked settings object (httpSettings)
// that each request function below reads; createHttpStore wires them.
import { checked } from '../../src/settings.js';
import { HTTP_SETTINGS } from './settings.js';
import { randomBytes } from 'node:crypto';
import { type CheckResult, type SelfCheck, fail, pass, warn } from '../../src/checks.js';
import { ConfigurationError, DeadlineExceededError, StoreUnavailableError } from '../../src/errors.js';
import { rejectUnknownKeys } from '../../src/config.js';
import { applyEnabled, parseFlag } from '../../src/flags.js';
import { parseRoles } from '../../src/roles.js';
import type { AccountLink, AuthenticateResult, LegacyUser, LegacyValue, LinkResult, LookupQuery, StoreContext, UserStore } from '../../src/types.js';

/**
 * Options of {@link createHttpStore}.
 *
 * @example
 * ```ts
 * { baseUrl: 'https://legacy.internal/api', verifyPath: '/auth/verify', userPath: '/users/{login}', authorization: 'Bearer …' }
 * ```
 */
export interface HttpStoreOptions {
  /** The legacy API's base URL, e.g. `https://legacy.internal/api`. */
  baseUrl: string;
  /** POST here with `{ username, password }` to check a password (default `/auth/verify`); `null`: the API cannot, the core verifies `passwordHash`. */
  verifyPath?: string | null;
  /** GET here for a user; `{login}` is replaced by the URL-encoded login (default `/users/{login}`). */
  userPath?: string;
  /** Names in the verify request body (default `username` and `password`). */
  loginField?: string;
  passwordField?: string;
  /** Where the user object sits in a response (default: `user` when present, else the whole body). */
  userKey?: string;
  /**
   * Field names in the user object (defaults `id`, `enabled`, `sms_mfa`,
   * `password_hash`, `cognito_sub`, `totp`). `totp`, when the user has an
   * authenticator: `{"secret": "…", "algorithm": "SHA1", "digits": 6,
   * "period": 30}` (all but the secret optional; the TOTP_* settings fill
   * them in); the migration then requires the user's current code.
   */
  fields?: Partial<Record<'id' | 'enabled' | 'smsMfa' | 'passwordHash' | 'cognitoSub' | 'totp', string>>;
  /**
   * The completion's write-back (the ledger), off by default: POST here, with
   * `{id}` replaced by the URL-encoded legacy id, the body
   * `{"sub": "…", "expected": null | "…"}`. The API stores the sub on the
   * user only if the user holds `expected` or nothing, and answers 200
   * `{"roles": [...], "already_linked": false}` (linked; `true` when it held
   * this very sub already), 409 `{"sub": "…"}` (the user holds another sub:
   * nothing written), or 404 (no such user). Users the API returns with a
   * `cognito_sub` are never migrated again. E.g. `/users/{id}/cognito`.
   */
  linkPath?: string;
  /**
   * The write-back for a page of users at once (`complete` writes up to 60
   * subs a page), off by default: POST here the body
   * `{"links": [{"id": "…", "sub": "…", "expected": null | "…"}, …]}`. The API
   * does for each link what `linkPath` does and answers 200
   * `{"results": [...]}`, one per link in order, each what `linkPath` would
   * answer with its status in it: `{"status": 200, "roles": [...],
   * "already_linked": false}`, `{"status": 409, "sub": "…"}` or
   * `{"status": 404}`. Without it `complete` calls `linkPath` once per user.
   * E.g. `/users/cognito-links`.
   */
  linksPath?: string;
  /**
   * The row that holds a social or enterprise identity, off by default: GET
   * here, with `{provider}` and `{sub}` replaced (URL-encoded), answered 200
   * with the user object (as `userPath` answers it) or 404. E.g.
   * `/users/by-identity/{provider}/{sub}`.
   */
  identityPath?: string;
  /**
   * What the verify endpoint's status codes mean (defaults: success 200, wrong
   * password 401, unknown user 404, disabled 423). Only the success status
   * with a user object and its id migrates; any other status is an outage.
   */
  statuses?: Partial<Record<'wrongPassword' | 'unknownUser' | 'disabled', number[]>> & { success?: number };
  /** The Authorization header value, or a function that fetches it (a secret). */
  authorization?: string | (() => Promise<string>);
  /** More request headers. */
  headers?: Record<string, string>;
  /** Per-attempt timeout in ms (default 1000), capped by the invocation's remaining time. */
  timeoutMs?: number;
  /**
   * Extra attempts (default 2), while the budget allows: a GET after a network
   * error, timeout, 5xx or 429; the verify POST only when the connection was
   * never made (refused, name not resolved), since a POST that may have
   * reached the server is never sent twice.
   */
  retries?: number;
  /** The most bytes an answer may have (default 65,536): a longer one is a protocol error, read no further. */
  maxResponseBytes?: number;
  /** The fetch to use (tests). */
  fetch?: typeof fetch;
}

const OPTION_NAMES = ['baseUrl', 'verifyPath', 'userPath', 'loginField', 'passwordField', 'userKey', 'fields', 'linkPath', 'linksPath', 'identityPath', 'statuses', 'authorization', 'headers', 'timeoutMs', 'retries', 'maxResponseBytes', 'fetch'];
const WHERE = 'createHttpStore';
const RETRIABLE = (status: number) => status >= 500 || status === 429 || status === 408;
// Errors raised before any byte of the request left this machine.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Loopback hosts, the only ones plain http:// may be used for. */
function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

class ProtocolError extends StoreUnavailableError {
  override readonly code = 'STORE_PROTOCOL_ERROR';
}

/** How long the start's `HEAD` may take: under startInstance's 2 s cap (src/handler.ts), so it ends inside it. */
const WARM_MS = 1500;

/** The HTTP store; `checks()` is always there. */
export interface HttpStore extends UserStore {
  checks(): SelfCheck[];
  /**
   * Readies the way to the API now; resolves when done (at most 1.5 s) and never rejects. Node loads its fetch
   * (undici) on the first call and compiles its HTTP parser on the first connection, and the first connection pays TCP
   * and TLS: a fresh instance's first sign-in would pay all of it (`bench --only cold`). So this sends one `HEAD` to
   * `baseUrl`, with no credential, header or user data, ignores the answer, and leaves the connection open for the
   * sign-in. The Lambda entry awaits it during init. A store given its own `fetch` is left alone.
   */
  warm(): Promise<void>;
}

/**
 * A store backed by a legacy REST API: a verify-password endpoint and a
 * get-user endpoint. Timeouts and bounded retries fit inside the invocation's
 * deadline; a network error, timeout, 5xx or 429 is an outage, never a wrong
 * password.
 *
 * Protocol (all configurable): `POST /auth/verify {"username","password",
 * "match_email","case_insensitive"}` → 200 with the user (optionally under
 * `user`), 401 wrong password, 404 unknown user, 423 disabled;
 * `GET /users/{login}?match_email=…&case_insensitive=…` → 200 with the user,
 * 404 unknown. The two flags carry the handler's lookup mode; an API that
 * ignores them decides by itself whether emails and other cases match.
 *
 * @example
 * ```ts
 * const store = createHttpStore({ baseUrl: 'https://legacy.internal/api', authorization: async () => `Bearer ${await readToken()}` })
 * ```
 */
export function createHttpStore(options: HttpStoreOptions): HttpStore {
  const http: Http = httpSettings(options);
  return {
    name: 'http',
    findUser: (query, ctx) => findUser(http, query, ctx),
    ...(http.verifyPath === null ? {} : { authenticate: (query: LookupQuery, password: string, ctx: StoreContext) => authenticate(http, query, password, ctx) }),
    ...(options.linkPath === undefined ? {} : { linkAccount: (link: AccountLink, ctx: StoreContext) => linkAccount(http, link, ctx) }),
    ...(options.linksPath === undefined ? {} : { linkAccounts: (links: readonly AccountLink[], ctx: StoreContext) => linkAccounts(http, links, ctx) }),
    ...(options.identityPath === undefined ? {} : { findByIdentity: (identity: { provider: string; sub: string }, ctx: StoreContext) => findByIdentity(http, identity, ctx) }),
    warm: async () => {
      if (!options.fetch) await fetch(http.base, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(WARM_MS) }).then((res) => res.arrayBuffer()).then(() => {}, () => {});
    },
    checks: () => [{
      id: 'http.reachable',
      async run(): Promise<CheckResult> {
        const deadline = Date.now() + 3000;
        const ctx: StoreContext = { signal: AbortSignal.timeout(3000), deadline, remainingMs: () => Math.max(0, deadline - Date.now()) };
        try {
          const login = `cognito-migrate-self-check-${randomBytes(6).toString('hex')}`;
          const user = await findUser(http, { login, matchEmail: false, caseInsensitive: false }, ctx);
          return user
            ? warn('http.reachable', `The legacy API at ${http.base.origin} found a user for a made-up login`, 'Check that userPath answers 404 for unknown users.')
            : pass('http.reachable', `The legacy API at ${http.base.origin} answers, and 404 for an unknown user`);
        } catch (err) {
          return fail('http.reachable', `The legacy API at ${http.base.origin} is not usable: ${(err as Error).message}`, 'Check HTTP_BASE_URL, the network path (VPC, security groups) and the authorization secret.');
        }
      },
    }],
  };
}

/** The options, checked: what every request of the store reads. */
function httpSettings(options: HttpStoreOptions) {
  rejectUnknownKeys(WHERE, options, OPTION_NAMES);
  let base: URL;
  try {
    base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error('protocol');
  } catch {
    throw new ConfigurationError('baseUrl', `${WHERE}: "baseUrl" must be an http(s) URL`, 'Example: https://legacy.internal/api.');
  }
  if (base.protocol === 'http:' && !isLoopback(base.hostname)) {
    throw new ConfigurationError('baseUrl', `${WHERE}: "baseUrl" must use https:// (plain http:// is allowed only for loopback hosts): passwords are sent to it`, 'Serve the legacy API over TLS, e.g. https://legacy.internal/api.');
  }
  const verifyPath = options.verifyPath === undefined ? '/auth/verify' : options.verifyPath;
  const userPath = options.userPath ?? '/users/{login}';
  // A path is joined to baseUrl: `//host/…` or a scheme would send the password to another host, maybe in clear.
  for (const [name, path] of [['verifyPath', verifyPath], ['userPath', userPath]] as const) {
    if (path !== null && (typeof path !== 'string' || !/^\/(?!\/)/.test(path) || /^[a-z][a-z0-9+.-]*:|:\/\//i.test(path) || path.includes('\\'))) {
      throw new ConfigurationError(name, `${WHERE}: "${name}" must be a path under baseUrl, starting with one "/" (no "//", no scheme, no backslash)`, `Example: ${name === 'verifyPath' ? '/auth/verify' : '/users/{login}'}.`);
    }
  }
  const maxResponseBytes = checked(WHERE, HTTP_SETTINGS.maxResponseBytes, options.maxResponseBytes);
  if (!userPath.includes('{login}')) throw new ConfigurationError('userPath', `${WHERE}: "userPath" must contain {login}`, 'Example: /users/{login}.');
  const fields = { id: 'id', enabled: 'enabled', smsMfa: 'sms_mfa', passwordHash: 'password_hash', cognitoSub: 'cognito_sub', totp: 'totp', ...options.fields };
  // `//host/…` would leave baseUrl for another host (a protocol-relative URL).
  if (options.linksPath !== undefined && (typeof options.linksPath !== 'string' || !/^\/(?!\/)/.test(options.linksPath) || options.linksPath.includes('\\') || options.linkPath === undefined)) {
    throw new ConfigurationError('linksPath', `${WHERE}: "linksPath" must be a path under baseUrl (one leading /), beside "linkPath"`, 'Example: linkPath: /users/{id}/cognito, linksPath: /users/cognito-links.');
  }
  if (options.linkPath !== undefined && (typeof options.linkPath !== 'string' || !/^\/(?!\/)/.test(options.linkPath) || options.linkPath.includes('\\') || !options.linkPath.includes('{id}'))) {
    throw new ConfigurationError('linkPath', `${WHERE}: "linkPath" must be a path under baseUrl (one leading /) that contains {id}`, 'Example: /users/{id}/cognito.');
  }
  if (options.identityPath !== undefined && (typeof options.identityPath !== 'string' || !/^\/(?!\/)/.test(options.identityPath) || options.identityPath.includes('\\') || !options.identityPath.includes('{provider}') || !options.identityPath.includes('{sub}'))) {
    throw new ConfigurationError('identityPath', `${WHERE}: "identityPath" must be a path under baseUrl (one leading /) that contains {provider} and {sub}`, 'Example: /users/by-identity/{provider}/{sub}.');
  }
  const statuses = { success: 200, wrongPassword: [401], unknownUser: [404], disabled: [423], ...options.statuses };
  const timeoutMs = checked(WHERE, HTTP_SETTINGS.timeoutMs, options.timeoutMs);
  const retries = checked(WHERE, HTTP_SETTINGS.retries, options.retries);
  const doFetch = options.fetch ?? fetch;
  const url = (path: string) => new URL(base.pathname.replace(/\/$/, '') + path, base).toString();
  return { options, base, verifyPath, userPath, maxResponseBytes, fields, statuses, timeoutMs, retries, doFetch, url };
}

/** One store's settings and its cached authorization value. */
type Http = ReturnType<typeof httpSettings> & { authorization?: Promise<string> | undefined };


async function headers(http: Http): Promise<Record<string, string>> {
  const { options } = http;
  const h: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.authorization) {
    http.authorization ??= (typeof options.authorization === 'function' ? options.authorization() : Promise.resolve(options.authorization)).catch((err) => {
      http.authorization = undefined;
      throw new StoreUnavailableError('http', `the authorization value could not be read (${(err as Error).name})`, { cause: err });
    });
    h.authorization = await http.authorization;
  }
  return h;
}

/** One request with retries; resolves the final response (status and parsed JSON body). */
// `label` is the path as configured, with its placeholders: what an error may say (the path itself holds a login or an id).
async function request(http: Http, method: 'GET' | 'POST', path: string, body: unknown, ctx: StoreContext, label: string = path): Promise<{ status: number; json: unknown }> {
  const { maxResponseBytes, timeoutMs, retries, doFetch, url } = http;
  const shown = label.split('?')[0];
  const baseHeaders = await headers(http);
  // A POST carries the password and may have an effect: never sent twice once it may have arrived.
  const idempotent = method === 'GET';
  let lastProblem = 'no attempt made';
  for (let attempt = 0; attempt <= retries; attempt++) {
    const left = ctx.remainingMs();
    if (left <= 0 || (attempt > 0 && left < Math.min(timeoutMs, 200))) break;
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(Math.min(timeoutMs, left))]);
    try {
      const res = await doFetch(url(path), {
        method, signal,
        // A redirect is never followed: the password would go wherever it points, and its answer would count.
        redirect: 'manual',
        headers: body === undefined ? baseHeaders : { ...baseHeaders, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await boundedText(res, maxResponseBytes, `${method} ${shown}`);
      if (res.status >= 300 && res.status < 400 || res.type === 'opaqueredirect') {
        throw new ProtocolError('http', `protocol error: ${method} ${shown} answered a redirect (HTTP ${res.status}); redirects are never followed, point baseUrl at the final address`);
      }
      if (RETRIABLE(res.status)) {
        if (!idempotent) throw new StoreUnavailableError('http', `${method} ${shown} answered HTTP ${res.status}; the password check is not repeated once it may have reached the server`);
        lastProblem = `HTTP ${res.status}`;
        const retryAfter = Number(res.headers.get('retry-after')) * 1000;
        await pause(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 50 * 2 ** attempt, ctx);
        continue;
      }
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        if (res.ok) throw new StoreUnavailableError('http', `${method} ${shown} answered ${res.status} with a body that is not JSON`);
      }
      return { status: res.status, json };
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      const code = (err as { cause?: { code?: string } }).cause?.code;
      lastProblem = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError' ? 'timeout' : `network error (${code ?? (err as Error).name})`;
      if (!idempotent && !(code && NOT_CONNECTED.has(code))) break;
      await pause(50 * 2 ** attempt, ctx);
    }
  }
  if (ctx.remainingMs() <= 0 || lastProblem === 'timeout') throw new DeadlineExceededError('http', Math.max(0, ctx.deadline - Date.now() + timeoutMs));
  throw new StoreUnavailableError('http', `the legacy API did not answer usefully (last: ${lastProblem})`);
}

/** The user object of a success answer, with its id; anything less is a protocol error, never a migration. */
function toUser(http: Http, json: unknown, what: string): LegacyUser {
  const { options, fields } = http;
  const obj = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const key = options.userKey ?? (obj && Object.hasOwn(obj, 'user') ? 'user' : undefined);
  const raw = (key ? obj?.[key] : obj) as Record<string, unknown> | undefined;
  const id = raw && typeof raw === 'object' && Object.hasOwn(raw, fields.id) ? raw[fields.id] : undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !((typeof id === 'string' && id.length > 0) || typeof id === 'number')) {
    throw new ProtocolError('http', `protocol error: ${what} answered success without a user object carrying "${fields.id}"`);
  }
  const out: Record<string, LegacyValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === fields.passwordHash || name === fields.totp) continue;
    out[name] = value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? (value ?? undefined) : JSON.stringify(value);
  }
  const user: LegacyUser = { id: String(id), fields: out };
  if (typeof raw[fields.passwordHash] === 'string') user.passwordHash = raw[fields.passwordHash] as string;
  // Fails closed: "false", 0, null and anything unreadable refuse.
  if (Object.hasOwn(raw, fields.enabled)) applyEnabled(user, raw[fields.enabled], `field "${fields.enabled}"`);
  if (parseFlag(raw[fields.smsMfa]) === true) user.smsMfa = true;
  const sub = raw[fields.cognitoSub];
  if (typeof sub === 'string' && sub.trim() !== '') user.cognitoSub = sub;
  if (Array.isArray(raw.identities)) {
    const list = (raw.identities as Array<Record<string, unknown>>).filter((i) => i && typeof i.provider === 'string' && typeof i.sub === 'string' && i.provider && i.sub).map((i) => ({ provider: i.provider as string, sub: i.sub as string }));
    if (list.length) user.identities = list;
  }
  const totp = raw[fields.totp] as Record<string, unknown> | null | undefined;
  if (totp && typeof totp === 'object') {
    // A secret that is not text is kept as one the check cannot read: the row is refused, never let through.
    user.totp = { secret: typeof totp.secret === 'string' ? totp.secret : '!' };
    if (totp.algorithm !== undefined) user.totp.algorithm = String(totp.algorithm);
    if (totp.digits !== undefined) user.totp.digits = Number(totp.digits);
    if (totp.period !== undefined) user.totp.period = Number(totp.period);
  }
  return user;
}

// `.` and `..` would be path segments after encoding, and reach another endpoint.
const unsafeLogin = (login: string) => login === '.' || login === '..';

const mode = (query: LookupQuery) => `match_email=${query.matchEmail}&case_insensitive=${query.caseInsensitive}`;

async function findUser(http: Http, query: LookupQuery, ctx: StoreContext): Promise<LegacyUser | undefined> {
  const { userPath } = http;
  if (unsafeLogin(query.login)) return undefined;
  const path = userPath.replace('{login}', encodeURIComponent(query.login));
  const { status, json } = await request(http, 'GET', `${path}${path.includes('?') ? '&' : '?'}${mode(query)}`, undefined, ctx, userPath);
  if (status === 404) return undefined;
  if (status === 200) return toUser(http, json, 'GET user');
  if (status >= 200 && status < 300) throw new ProtocolError('http', `protocol error: GET user answered HTTP ${status}; only 200 with a user object or 404 are answers`);
  throw new StoreUnavailableError('http', `GET user answered HTTP ${status}${status === 401 || status === 403 ? ': the API refused our credentials (check the authorization secret)' : ''}`);
}

async function authenticate(http: Http, query: LookupQuery, password: string, ctx: StoreContext): Promise<AuthenticateResult> {
  const { options, verifyPath, statuses } = http;
  if (unsafeLogin(query.login)) return { outcome: 'unknown_user' };
  const body = { [options.loginField ?? 'username']: query.login, [options.passwordField ?? 'password']: password, match_email: query.matchEmail, case_insensitive: query.caseInsensitive };
  const { status, json } = await request(http, 'POST', verifyPath!, body, ctx);
  if (status === statuses.success) return { outcome: 'ok', user: toUser(http, json, 'verify-password') };
  if (status >= 200 && status < 300) {
    throw new ProtocolError('http', `protocol error: verify-password answered HTTP ${status}, not the success status ${statuses.success}; nothing is migrated on an unproven answer`);
  }
  if (statuses.unknownUser.includes(status)) return { outcome: 'unknown_user' };
  if (statuses.wrongPassword.includes(status)) return { outcome: 'wrong_password' };
  if (statuses.disabled.includes(status)) return { outcome: 'user_disabled' };
  throw new StoreUnavailableError('http', `verify-password answered HTTP ${status}, which is not a known answer (configure statuses if it means something)`);
}

async function findByIdentity(http: Http, identity: { provider: string; sub: string }, ctx: StoreContext): Promise<LegacyUser | undefined> {
  const { options } = http;
  // '.' and '..' would be path segments after encoding, and reach another endpoint.
  if ([identity.provider, identity.sub].some((v) => /^\.{0,2}$/.test(v))) return undefined;
  const path = options.identityPath!.replace('{provider}', encodeURIComponent(identity.provider)).replace('{sub}', encodeURIComponent(identity.sub));
  const { status, json } = await request(http, 'GET', path, undefined, ctx, options.identityPath!);
  if (status === 404) return undefined;
  if (status === 200) return toUser(http, json, 'GET identity');
  throw new StoreUnavailableError('http', `GET identity answered HTTP ${status}; 200 with a user object or 404 are answers`);
}

async function linkAccount(http: Http, link: { legacyId: string; sub: string; expected: string | null }, ctx: StoreContext): Promise<LinkResult> {
  const { options } = http;
  // encodeURIComponent leaves '.' and '..' as they are, and a URL resolves them: the write would go to another path.
  if (/^\.{0,2}$/.test(link.legacyId)) return { outcome: 'no_row' };
  const path = options.linkPath!.replace('{id}', encodeURIComponent(link.legacyId));
  const { status, json } = await request(http, 'POST', path, { sub: link.sub, expected: link.expected }, ctx, options.linkPath!);
  const body = (json && typeof json === 'object' && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  return linkAnswer(status, body, 'the link call');
}

/** One answer of the link or links call, as a link result. */
function linkAnswer(status: unknown, body: Record<string, unknown>, what: string): LinkResult {
  if (status === 200) {
    const identities = Array.isArray(body.identities) ? (body.identities as Array<Record<string, unknown>>).filter((i) => i && typeof i.provider === 'string' && typeof i.sub === 'string' && i.provider && i.sub).map((i) => ({ provider: i.provider as string, sub: i.sub as string })) : [];
    return { outcome: body.already_linked === true ? 'already_linked' : 'linked', roles: parseRoles(body.roles), ...(identities.length ? { identities } : {}) };
  }
  if (status === 404) return { outcome: 'no_row' };
  if (status === 409 && typeof body.sub === 'string' && body.sub) return { outcome: 'linked_elsewhere', sub: body.sub };
  throw new ProtocolError('http', `protocol error: ${what} answered ${typeof status === 'number' ? `HTTP ${status}` : 'no status'}; 200, 404 and 409 with the sub the user holds are answers`);
}

async function linkAccounts(http: Http, links: readonly AccountLink[], ctx: StoreContext): Promise<LinkResult[]> {
  const { options } = http;
  if (links.length === 0) return [];
  const { status, json } = await request(http, 'POST', options.linksPath!, { links: links.map((l) => ({ id: l.legacyId, sub: l.sub, expected: l.expected })) }, ctx, options.linksPath!);
  const results = (json as { results?: unknown } | undefined)?.results;
  if (status !== 200 || !Array.isArray(results) || results.length !== links.length) {
    throw new ProtocolError('http', `protocol error: the links call answered HTTP ${status}${status === 200 ? ' without one result per link' : ''}; it answers 200 {"results": [...]}, one per link in order`);
  }
  return results.map((r) => {
    const body = (r && typeof r === 'object' && !Array.isArray(r) ? r : {}) as Record<string, unknown>;
    return linkAnswer(body.status, body, 'the links call, for one link,');
  });
}


/**
 * The answer's body as text, read no further than `max` bytes: a longer one
 * (announced or not) is cancelled and is a protocol error, so a hostile or
 * broken API cannot fill the function's memory or hold it past the deadline.
 */
async function boundedText(res: Response, max: number, what: string): Promise<string> {
  const tooLong = () => new ProtocolError('http', `protocol error: ${what} answered more than ${max.toLocaleString('en')} bytes (maxResponseBytes); nothing of it is read further`);
  const announced = Number(res.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > max) {
    await res.body?.cancel().catch(() => {});
    throw tooLong();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLong();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function pause(ms: number, ctx: StoreContext): Promise<void> {
  const wait = Math.min(ms, Math.max(0, ctx.remainingMs() - 1));
  return new Promise((resolve) => setTimeout(resolve, wait));
}
