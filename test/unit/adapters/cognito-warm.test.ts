import { createServer } from 'node:http';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { createCognitoStore } from '../../../adapters/cognito/index.js';

describe("the Cognito store's start (issue 35)", () => {
  it('warm() with the real SDK client: no request reaches the pool, and the first real call still does', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'UserNotFoundException' });
        res.end('{"__type":"UserNotFoundException","message":"User does not exist."}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    try {
      const store = createCognitoStore({ userPoolId: 'eu-west-1_OLD', clientId: 'client1', client });
      await expect(store.warm()).resolves.toBeUndefined();
      expect(requests).toBe(0);
      const deadline = Date.now() + 3000;
      await expect(store.findUser({ login: 'ada', matchEmail: false, caseInsensitive: false }, { signal: new AbortController().signal, deadline, remainingMs: () => deadline - Date.now() })).resolves.toBeUndefined();
      expect(requests).toBeGreaterThan(0);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
