// Password first, end to end (issue 33): a legacy user with a staged Google
// identity signs in with their password through cognito-local; the built
// function migrates them, and its Post authentication completion links the
// identity to the new user. cognito-local has no AdminLinkProviderForUser:
// test/support/link-stand-in.ts answers that one call as the API reference
// describes it (and checks the pool's schema for immutable custom attributes)
// and passes every other call through.
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import type { startLocalStack } from '../../scripts/lib/stack.mjs';
import { sql } from '../support/database.js';
import { type LinkStandIn, startStackBehindStandIn } from '../support/link-stand-in.js';

const alice = DEMO_USERS[0] as { username: string; email: string; password: string };
// The function's log lines, the stand-in in front of cognito-local, and the stack it fronts.
const logs: string[] = [];
let standIn: LinkStandIn;
let stack: Awaited<ReturnType<typeof startLocalStack>>;

beforeAll(async () => {
  ({ standIn, stack } = await startStackBehindStandIn('e2e_link', { onLog: (l) => logs.push(l) }));
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
