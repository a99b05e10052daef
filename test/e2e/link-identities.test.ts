// Password first, end to end (issue 33): a legacy user with a staged Google
// identity signs in with their password through cognito-local; the built
// function migrates them, and its Post authentication completion links the
// identity to the new user. cognito-local has no AdminLinkProviderForUser:
// test/support/link-stand-in.ts answers that one call as the API reference
// describes it (and checks the pool's schema for immutable custom attributes)
// and passes every other call through.
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { startLocalStack } from '../../scripts/lib/stack.mjs';
import { databaseUrl, sql } from '../support/database.js';
import { type LinkStandIn, startLinkStandIn } from '../support/link-stand-in.js';

const alice = DEMO_USERS[0] as { username: string; email: string; password: string };
// The function's log lines, the stand-in in front of cognito-local, and the stack it fronts.
const logs: string[] = [];
let standIn: LinkStandIn;
let stack: Awaited<ReturnType<typeof startLocalStack>>;

beforeAll(async () => {
  standIn = await startLinkStandIn();
  process.env.DATABASE_URL = databaseUrl();
  stack = await startLocalStack({
    schema: `e2e_link_${randomBytes(4).toString('hex')}`, completion: true, onLog: (l) => logs.push(l),
    functionEnv: { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: standIn.url, PG_IDENTITIES_COLUMN: 'identities' },
  });
  standIn.target.endpoint = stack.cognito.endpoint!;
  await sql(`ALTER TABLE ${stack.table} ADD COLUMN identities jsonb`, [], stack.db.url);
  await sql(`UPDATE ${stack.table} SET identities = '[{"provider":"Google","sub":"1093-alice"},{"provider":"AcmeSAML","sub":"alice@acme"}]' WHERE username = $1`, [alice.username], stack.db.url);
});
afterAll(async () => {
  await stack?.stop();
  await standIn?.close();
});

describe('password first through cognito-local', () => {
  it('the first sign-in migrates the user, and the completion links their staged identities to them', async () => {
    const out = await stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId!, AuthParameters: { USERNAME: alice.email, PASSWORD: alice.password } }));
    expect(out.AuthenticationResult?.IdToken).toBeTruthy();
    const [username, links] = [...standIn.links.entries()][0] ?? [];
    expect(links).toEqual(['Google_1093-alice', 'AcmeSAML_alice@acme']);
    expect(username).toBeTruthy();
    const record = logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.triggerSource === 'PostAuthentication_Authentication');
    expect(record).toMatchObject({ outcome: 'completed', identitiesLinked: 2 });
    expect(JSON.stringify(record)).not.toContain('1093-alice');
  });
});
