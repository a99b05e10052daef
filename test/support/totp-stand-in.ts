// A stand-in for one thing cognito-local lacks: MFA challenges (REFERENCE.md
// §6). It sits in front of an old pool's cognito-local and, for the users the
// test names, turns a successful AdminInitiateAuth into the
// SOFTWARE_TOKEN_MFA challenge Cognito answers for a user with an
// authenticator app (API reference, AdminInitiateAuth, ChallengeName), and
// checks AdminRespondToAuthChallenge's SOFTWARE_TOKEN_MFA_CODE against the
// code the test set (CodeMismatchException otherwise, as Cognito answers).
// The password itself is still checked by cognito-local, and every other call
// passes through unchanged. Test code only.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

export interface TotpStandIn {
  url: string;
  /** The code each TOTP user's authenticator shows now. */
  codes: Map<string, string>;
  /** AdminRespondToAuthChallenge calls, with the code they carried. */
  answers: string[];
  close(): Promise<void>;
}

export async function startTotpStandIn(cognitoEndpoint: string): Promise<TotpStandIn> {
  const codes = new Map<string, string>();
  const answers: string[] = [];
  const sessions = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
    const reply = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(payload));
    };
    const forward = await fetch(cognitoEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) })
      .then(async (r) => ({ status: r.status, headers: r.headers, text: await r.text() }));
    if (target.endsWith('.AdminInitiateAuth') && forward.status === 200 && codes.has(body.AuthParameters?.USERNAME)) {
      const session = randomBytes(16).toString('hex');
      sessions.set(session, body.AuthParameters.USERNAME);
      return reply(200, { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: session, ChallengeParameters: { USER_ID_FOR_SRP: body.AuthParameters.USERNAME } });
    }
    if (target.endsWith('.AdminRespondToAuthChallenge') && body.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      const code = String(body.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE ?? '');
      answers.push(code);
      const username = sessions.get(body.Session);
      if (!username) return reply(400, { __type: 'NotAuthorizedException', message: 'Invalid session for the user.' }, 'NotAuthorizedException');
      if (codes.get(username) !== code) return reply(400, { __type: 'CodeMismatchException', message: 'Invalid code received for user' }, 'CodeMismatchException');
      sessions.delete(body.Session);
      return reply(200, { ChallengeParameters: {}, AuthenticationResult: { AccessToken: 'stand-in', IdToken: 'stand-in', RefreshToken: 'stand-in', ExpiresIn: 3600, TokenType: 'Bearer' } });
    }
    res.writeHead(forward.status, { 'content-type': forward.headers.get('content-type') ?? 'application/x-amz-json-1.1', ...(forward.headers.get('x-amzn-errortype') ? { 'x-amzn-errortype': forward.headers.get('x-amzn-errortype')! } : {}) });
    res.end(forward.text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    codes,
    answers,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
