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
// every other call passes through unchanged. Test code only.
import { createServer } from 'node:http';

export interface LinkStandIn {
  url: string;
  /** Where calls go on: set once cognito-local runs. */
  target: { endpoint?: string };
  /** Links made: username → ['Google_1093', …]. */
  links: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startLinkStandIn(): Promise<LinkStandIn> {
  const target: { endpoint?: string } = {};
  const links = new Map<string, string[]>();
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
    if (op === 'AdminLinkProviderForUser') {
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
  return { url: `http://127.0.0.1:${port}`, target, links, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
