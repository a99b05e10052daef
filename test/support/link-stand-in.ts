// A stand-in for one call cognito-local lacks: AdminLinkProviderForUser
// (REFERENCE.md §10). It sits between the function and cognito-local and
// answers that call as the API reference describes it ("AdminLinkProviderForUser":
// DestinationUser {ProviderName "Cognito", ProviderAttributeValue the
// username}, which must exist; SourceUser {ProviderName, ProviderAttributeName
// "Cognito_Subject" for social providers, ProviderAttributeValue}; every custom
// attribute of the destination's pool must be mutable, else
// InvalidParameterException; a source linked already, InvalidParameterException
// "Merging is not currently supported"; 5 identities a user at most,
// LimitExceededException). It checks the destination and the schema against
// cognito-local itself (AdminGetUser, DescribeUserPool) and records each link;
// every other call passes through unchanged.
//
// With `trigger` set, it stands in for two more things cognito-local lacks:
// - AdminCreateUser runs the pool's Pre sign-up trigger first, as
//   PreSignUp_AdminCreateUser with the request's ClientMetadata as
//   `request.clientMetadata` (API reference, AdminCreateUser, ClientMetadata;
//   developer guide, "Pre sign-up Lambda trigger"); a trigger that throws
//   fails the call with UserLambdaValidationException "PreSignUp failed with
//   error <message>." and nothing is created.
// - federatedSignIn() is what Cognito does when an identity provider sends a
//   person back (developer guide, "Linking federated users to an existing
//   user profile" and "Pre sign-up Lambda trigger"): an identity linked to a
//   user signs in as that user; a federated user signs in as itself; else
//   Pre sign-up runs with PreSignUp_ExternalProvider and the userName
//   `<provider>_<subject>`, and a thrown error ends the attempt with its
//   text. When the trigger linked the identity, Cognito's own creation then
//   fails with "Already found an entry for username <userName>"
//   (aws-amplify/amplify-flutter#1716, aws-amplify/docs#2758). Otherwise a
//   federated user is created (kept here: cognito-local's pool signs in by
//   email and a federated user's username is not one).
// Test code only.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FUNCTION_NAME, startLocalStack } from '../../scripts/lib/stack.mjs';
import { databaseUrl, sql } from './database.js';

export interface LinkStandIn {
  url: string;
  /** Where calls go on: set once cognito-local runs; `trigger` the Invoke URL of the pool's Pre sign-up function. */
  target: { endpoint?: string; trigger?: string };
  /** The operations the function called, in order. */
  calls: string[];
  /** Federated users the stand-in created: `<provider>_<subject>`. */
  federatedUsers: Set<string>;
  /** A person back from their identity provider: whom Cognito signs them in as, or the error it redirects with. */
  federatedSignIn(poolId: string, provider: string, sub: string, attributes: Record<string, string>): Promise<{ signedInAs: string } | { error: string }>;
  /** Links made: username → ['Google_1093', …]. */
  links: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startLinkStandIn(): Promise<LinkStandIn> {
  const target: { endpoint?: string; trigger?: string } = {};
  const links = new Map<string, string[]>();
  const calls: string[] = [];
  const federatedUsers = new Set<string>();
  const invokePreSignUp = async (event: Record<string, unknown>): Promise<string | undefined> => {
    const out = await fetch(target.trigger!, { method: 'POST', body: JSON.stringify(event) });
    const body = await out.json() as { errorMessage?: string } | null;
    return out.headers.get('x-amz-function-error') ? (body?.errorMessage ?? 'error') : undefined;
  };
  const preSignUpEvent = (triggerSource: string, userPoolId: string, userName: string, userAttributes: Record<string, string>, clientMetadata?: Record<string, string>) => ({
    version: '1', triggerSource, region: 'local', userPoolId, userName, callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
    request: { userAttributes, validationData: null, ...(clientMetadata ? { clientMetadata } : {}) }, response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  });
  const forward = (op: string, body: string, headers: Record<string, string>) => fetch(target.endpoint!, {
    method: 'POST', body, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}`, ...headers },
  });
  const error = (type: string, message: string) => ({ status: 400, body: JSON.stringify({ __type: type, message }) });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const targetHeader = String(req.headers['x-amz-target'] ?? '');
    const op = targetHeader.replace(/^AWSCognitoIdentityProviderService\./, '');
    let answer: { status: number; body: string };
    calls.push(op);
    if (op === 'AdminCreateUser' && target.trigger) {
      const input = JSON.parse(body) as { UserPoolId: string; Username: string; UserAttributes?: Array<{ Name: string; Value: string }>; ClientMetadata?: Record<string, string> };
      const refused = await invokePreSignUp(preSignUpEvent('PreSignUp_AdminCreateUser', input.UserPoolId, input.Username, Object.fromEntries((input.UserAttributes ?? []).map((a) => [a.Name, a.Value])), input.ClientMetadata ?? {}));
      if (refused !== undefined) answer = error('UserLambdaValidationException', `PreSignUp failed with error ${refused}.`);
      else {
        const passed = await forward(op, body, {});
        answer = { status: passed.status, body: await passed.text() };
      }
    } else if (op === 'AdminLinkProviderForUser') {
      const input = JSON.parse(body) as { UserPoolId: string; DestinationUser?: { ProviderName?: string; ProviderAttributeValue?: string }; SourceUser?: { ProviderName?: string; ProviderAttributeName?: string; ProviderAttributeValue?: string } };
      const username = input.DestinationUser?.ProviderAttributeValue ?? '';
      const user = await forward('AdminGetUser', JSON.stringify({ UserPoolId: input.UserPoolId, Username: username }), {});
      const pool = await (await forward('DescribeUserPool', JSON.stringify({ UserPoolId: input.UserPoolId }), {})).json() as { UserPool?: { SchemaAttributes?: Array<{ Name?: string; Mutable?: boolean }> } };
      const key = `${input.SourceUser?.ProviderName}_${input.SourceUser?.ProviderAttributeValue}`;
      const mine = links.get(username) ?? [];
      if (input.DestinationUser?.ProviderName !== 'Cognito' || !input.SourceUser?.ProviderName || !input.SourceUser.ProviderAttributeValue) answer = error('InvalidParameterException', 'Invalid DestinationUser or SourceUser.');
      else if (!user.ok) answer = error('UserNotFoundException', 'User does not exist.');
      else if ((pool.UserPool?.SchemaAttributes ?? []).some((a) => a.Name?.startsWith('custom:') && a.Mutable === false)) answer = error('InvalidParameterException', 'All attributes in the DestinationUser profile must be mutable.');
      else if ([...links.values()].some((l) => l.includes(key))) answer = error('InvalidParameterException', 'Merging is not currently supported, provide a SourceUser that has not been linked already.');
      else if (mine.length >= 5) answer = error('LimitExceededException', 'Too many identities linked to this user.');
      else {
        links.set(username, [...mine, key]);
        answer = { status: 200, body: '{}' };
      }
    } else {
      const passed = await forward(op, body, { ...(req.headers.authorization ? { authorization: String(req.headers.authorization) } : {}) });
      answer = { status: passed.status, body: await passed.text() };
    }
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  async function federatedSignIn(poolId: string, provider: string, sub: string, attributes: Record<string, string>): Promise<{ signedInAs: string } | { error: string }> {
    const userName = `${provider}_${sub}`;
    const linkedTo = [...links.entries()].find(([, l]) => l.includes(userName))?.[0];
    if (linkedTo) return { signedInAs: linkedTo };
    if (federatedUsers.has(userName)) return { signedInAs: userName };
    const refused = await invokePreSignUp(preSignUpEvent('PreSignUp_ExternalProvider', poolId, userName, { ...attributes, 'cognito:user_status': 'EXTERNAL_PROVIDER' }));
    if (refused !== undefined) return { error: `PreSignUp failed with error ${refused}.` };
    if ([...links.values()].some((l) => l.includes(userName))) return { error: `Already found an entry for username ${userName}` };
    federatedUsers.add(userName);
    return { signedInAs: userName };
  }
  return { url: `http://127.0.0.1:${port}`, target, links, calls, federatedUsers, federatedSignIn, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/**
 * The local stack with its Cognito calls through the stand-in: the function
 * completes migrations, reads staged identities from an `identities` jsonb
 * column (added here), and, with `signUpGuard`, is the Pre sign-up trigger
 * the stand-in runs too.
 */
export async function startStackBehindStandIn(prefix: string, options: { signUpGuard?: boolean; onLog: (line: string) => void }) {
  const standIn = await startLinkStandIn();
  process.env.DATABASE_URL = databaseUrl();
  const stack = await startLocalStack({
    schema: `${prefix}_${randomBytes(4).toString('hex')}`, completion: true, signUpGuard: options.signUpGuard === true, onLog: options.onLog,
    functionEnv: { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: standIn.url, PG_IDENTITIES_COLUMN: 'identities' },
  });
  standIn.target.endpoint = stack.cognito.endpoint!;
  if (options.signUpGuard) standIn.target.trigger = `${stack.lambda.url}/2015-03-31/functions/${FUNCTION_NAME}/invocations`;
  await sql(`ALTER TABLE ${stack.table} ADD COLUMN identities jsonb`, [], stack.db.url);
  return { standIn, stack, stop: async () => { await stack.stop(); await standIn.close(); } };
}
