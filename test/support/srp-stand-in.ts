// A stand-in for Cognito's SRP, in front of cognito-local for the client tests.
// cognito-local implements no USER_SRP_AUTH at all (REFERENCE.md §6), and the
// client helper's whole point is what Cognito answers on SRP. So this server
// answers the SRP calls as Cognito does and passes every other call through:
// - InitiateAuth USER_SRP_AUTH for a user the pool does not have: Cognito's
//   UserNotFoundException, or NotAuthorizedException "Incorrect username or
//   password." when the client prevents user-existence errors (both shapes);
// - for a user it has seen sign in with USER_PASSWORD_AUTH (when Cognito would
//   have stored the SRP verifier), the PASSWORD_VERIFIER exchange with real SRP
//   math (amazon-cognito-identity-js's own group and key derivation), then the
//   tokens cognito-local issues for that user; or an SMS_MFA challenge for the
//   users the test marks as having MFA.
// It keeps the passwords it saw in memory to obtain cognito-local's tokens:
// test code only, never shipped.
import { createHmac, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import * as identity from 'amazon-cognito-identity-js';

// The library's big integers compute modPow through a callback; the server side here uses BigInt.
interface Helper { N: { toString(radix: number): string }; g: { toString(radix: number): string }; k: { toString(radix: number): string }; hash(s: string): string; hexHash(s: string): string; computehkdf(ikm: Buffer, salt: Buffer): Buffer }
type Big = bigint;
const big = (hex: string): Big => BigInt(`0x${hex}`);
function modPow(base: Big, exponent: Big, modulus: Big): Big {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}
/** The library's padHex for positive values: even length, and a leading 00 when the high bit is set. */
function padHex(n: Big): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return '89abcdef'.includes(hex[0]!) ? `00${hex}` : hex;
}

export interface SrpStandIn {
  url: string;
  /** Every call that reached the stand-in: X-Amz-Target and AuthFlow or ChallengeName. */
  calls: Array<{ target: string; flow?: string }>;
  /** Users whose SRP sign-in ends in an SMS_MFA challenge. */
  mfaUsers: Set<string>;
  close(): Promise<void>;
}

export async function startSrpStandIn(options: { cognitoEndpoint: string; userPoolId: string; preventUserExistenceErrors: boolean }): Promise<SrpStandIn> {
  const poolName = options.userPoolId.split('_')[1]!;
  // The library's own SRP group (N, g, k) and key derivation; its types do not declare the class.
  const AuthenticationHelper = (identity as unknown as { AuthenticationHelper: new (pool: string) => Helper }).AuthenticationHelper;
  const helper = new AuthenticationHelper(poolName);
  const [N, g, k] = [big(helper.N.toString(16)), big(helper.g.toString(16)), big(helper.k.toString(16))];
  const known = new Map<string, { password: string; salt: Big; verifier: Big }>();
  const pending = new Map<string, { username: string; A: Big; B: Big; b: Big; secretBlock: string; clientId: string }>();
  const calls: SrpStandIn['calls'] = [];
  const mfaUsers = new Set<string>();

  const forward = async (target: string, body: unknown) => {
    const res = await fetch(options.cognitoEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };
  const userExists = async (username: string) => {
    const res = await forward('AWSCognitoIdentityProviderService.AdminGetUser', { UserPoolId: options.userPoolId, Username: username });
    return res.status === 200;
  };
  const refusal = () => (options.preventUserExistenceErrors
    ? { status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } }
    : { status: 400, body: { __type: 'UserNotFoundException', message: 'User does not exist.' } });

  const handle = async (target: string, body: Record<string, any>): Promise<{ status: number; body?: unknown; text?: string }> => {
    const op = target.split('.')[1];
    calls.push({ target: op ?? target, ...(body.AuthFlow ? { flow: body.AuthFlow } : body.ChallengeName ? { flow: body.ChallengeName } : {}) });
    if (op === 'InitiateAuth' && body.AuthFlow === 'USER_SRP_AUTH') {
      const username = String(body.AuthParameters?.USERNAME ?? '');
      const user = known.get(username);
      if (!user) return (await userExists(username)) ? { status: 400, body: { __type: 'InvalidParameterException', message: 'srp-stand-in: this user never signed in with USER_PASSWORD_AUTH here, so no verifier is known' } } : refusal();
      const A = big(String(body.AuthParameters.SRP_A));
      const b = big(randomBytes(128).toString('hex'));
      const B = (k * user.verifier + modPow(g, b, N)) % N;
      const secretBlock = randomBytes(64).toString('base64');
      const session = randomBytes(16).toString('hex');
      pending.set(session, { username, A, B, b, secretBlock, clientId: String(body.ClientId) });
      return { status: 200, body: { ChallengeName: 'PASSWORD_VERIFIER', Session: session, ChallengeParameters: { SALT: user.salt.toString(16), SRP_B: B.toString(16), SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: username, USERNAME: username } } };
    }
    if (op === 'RespondToAuthChallenge' && body.ChallengeName === 'PASSWORD_VERIFIER') {
      const state = pending.get(String(body.Session));
      pending.delete(String(body.Session));
      if (!state || state.secretBlock !== body.ChallengeResponses?.PASSWORD_CLAIM_SECRET_BLOCK) return { status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } };
      const user = known.get(state.username)!;
      const u = big(helper.hexHash(padHex(state.A) + padHex(state.B)));
      const S = modPow(state.A * modPow(user.verifier, u, N), state.b, N);
      const key = helper.computehkdf(Buffer.from(padHex(S), 'hex'), Buffer.from(padHex(u), 'hex'));
      const expected = createHmac('sha256', key).update(Buffer.concat([Buffer.from(poolName), Buffer.from(state.username), Buffer.from(state.secretBlock, 'base64'), Buffer.from(String(body.ChallengeResponses.TIMESTAMP))])).digest('base64');
      if (expected !== body.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE) return { status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } };
      if (mfaUsers.has(state.username)) return { status: 200, body: { ChallengeName: 'SMS_MFA', Session: randomBytes(16).toString('hex'), ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******0100' } } };
      const res = await forward('AWSCognitoIdentityProviderService.InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: state.clientId, AuthParameters: { USERNAME: state.username, PASSWORD: user.password } });
      return { status: res.status, text: res.text };
    }
    const res = await forward(target, body);
    if (op === 'InitiateAuth' && body.AuthFlow === 'USER_PASSWORD_AUTH' && res.status === 200 && JSON.parse(res.text).AuthenticationResult) {
      // Cognito stores the SRP verifier for the password a user signed in with.
      const username = String(body.AuthParameters.USERNAME);
      const password = String(body.AuthParameters.PASSWORD);
      const salt = big(randomBytes(16).toString('hex'));
      const x = big(helper.hexHash(padHex(salt) + helper.hash(`${poolName}${username}:${password}`)));
      known.set(username, { password, salt, verifier: modPow(g, x, N) });
    }
    return { status: res.status, text: res.text };
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      const out = await handle(String(req.headers['x-amz-target'] ?? ''), JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' }).end(out.text ?? JSON.stringify(out.body));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalErrorException', message: String((err as Error).message) }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls, mfaUsers,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
