// A legacy REST API on 127.0.0.1 for the HTTP adapter's tests: it holds users
// and checks passwords itself, as the legacy system would. `behaviour` makes
// it fail or stall.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface ApiUser {
  username: string;
  email: string;
  password: string;
  enabled: boolean;
  [field: string]: unknown;
}

export type Behaviour =
  | { kind: 'ok' } | { kind: 'error'; status: number } | { kind: 'stall' } | { kind: 'slow'; ms: number } | { kind: 'flaky'; failures: number; status: number }
  /** Every request is redirected (a hostile or misconfigured proxy). */
  | { kind: 'redirect'; status: number; location: string }
  /** The verify endpoint answers this status and body, whatever the password. */
  | { kind: 'verify-answers'; status: number; body?: unknown };

export async function startLegacyApi(users: readonly ApiUser[], behaviour: Behaviour = { kind: 'ok' }, token = 'Bearer test-token') {
  const requests: Array<{ method: string; url: string; authorization?: string; body: string }> = [];
  let failuresLeft = behaviour.kind === 'flaky' ? behaviour.failures : 0;
  // Honours the adapter's lookup mode, as the documented protocol asks.
  const find = (login: string, matchEmail = false, caseInsensitive = false) => {
    const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
    return users.find((u) => fold(u.username) === fold(login) || (matchEmail && fold(u.email) === fold(login)));
  };
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const publicUser = ({ password: _password, ...rest }: ApiUser) => ({ id: `u-${rest.username}`, ...rest });
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
    if (behaviour.kind === 'stall') return;
    if (behaviour.kind === 'redirect') {
      res.writeHead(behaviour.status, { location: behaviour.location });
      return res.end();
    }
    if (behaviour.kind === 'slow') await new Promise((r) => setTimeout(r, behaviour.ms));
    if (behaviour.kind === 'error') return send(res, behaviour.status, { error: 'down' });
    if (failuresLeft > 0) {
      failuresLeft--;
      return send(res, (behaviour as { status: number }).status, { error: 'try again' });
    }
    if (req.headers.authorization !== token) return send(res, 401, { error: 'bad token' });
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/api/auth/verify' && behaviour.kind === 'verify-answers') return send(res, behaviour.status, behaviour.body);
    if (req.method === 'POST' && url.pathname === '/api/auth/verify') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { username?: string; password?: string; match_email?: boolean; case_insensitive?: boolean };
      const user = find(body.username ?? '', body.match_email, body.case_insensitive);
      if (!user) return send(res, 404, { error: 'unknown' });
      if (user.password !== body.password) return send(res, 401, { error: 'invalid_password' });
      if (!user.enabled) return send(res, 423, { error: 'disabled' });
      return send(res, 200, { user: publicUser(user) });
    }
    // The ledger, as createHttpStore's linkPath and linksPath document it: a compare-and-set of the user's sub.
    const linkOne = (id: string, body: { sub?: string; expected?: string | null }): [number, Record<string, unknown>] => {
      const user = users.find((u) => `u-${u.username}` === id);
      if (!user) return [404, { error: 'unknown' }];
      if (user.cognito_sub === body.sub) return [200, { roles: user.roles ?? [], already_linked: true }];
      if (user.cognito_sub && user.cognito_sub !== body.expected) return [409, { sub: user.cognito_sub }];
      user.cognito_sub = body.sub;
      return [200, { roles: user.roles ?? [], already_linked: false }];
    };
    const link = /^\/api\/users\/([^/]+)\/cognito$/.exec(url.pathname);
    if (req.method === 'POST' && link) return send(res, ...linkOne(decodeURIComponent(link[1]!), JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
    if (req.method === 'POST' && url.pathname === '/api/users/cognito-links') {
      const { links } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { links: Array<{ id: string; sub: string; expected: string | null }> };
      return send(res, 200, { results: links.map((l) => { const [status, body] = linkOne(l.id, l); return { status, ...body }; }) });
    }
    const byIdentity = /^\/api\/users\/by-identity\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && byIdentity) {
      const [provider, sub] = [decodeURIComponent(byIdentity[1]!), decodeURIComponent(byIdentity[2]!)];
      const holders = users.filter((u) => ((u as { identities?: Array<{ provider: string; sub: string }> }).identities ?? []).some((i) => i.provider === provider && i.sub === sub));
      return holders.length === 1 ? send(res, 200, publicUser(holders[0]!)) : send(res, 404, { error: 'unknown' });
    }
    const match = /^\/api\/users\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const user = find(decodeURIComponent(match[1]!), url.searchParams.get('match_email') === 'true', url.searchParams.get('case_insensitive') === 'true');
      return user ? send(res, 200, publicUser(user)) : send(res, 404, { error: 'unknown' });
    }
    return send(res, 404, { error: 'no route' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A TCP server that accepts connections and never answers. */
export async function startSilentServer() {
  const { createServer: tcp } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = tcp((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
