// Social first, end to end (issue 33): a legacy person's first Google sign-in
// goes through the built function as the pool's Pre sign-up trigger, with
// cognito-local as the pool. cognito-local has no federation, no
// AdminLinkProviderForUser, and calls no Pre sign-up on AdminCreateUser:
// test/support/link-stand-in.ts answers those as the developer guide and the
// API reference describe them (sections named there) and passes every other
// call through.
import { AdminGetUserCommand, AdminListGroupsForUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import type { startLocalStack } from '../../scripts/lib/stack.mjs';
import { PUBLIC_MESSAGES } from '../../src/index.js';
import { sql } from '../support/database.js';
import { type LinkStandIn, startStackBehindStandIn } from '../support/link-stand-in.js';

type Person = { username: string; email: string; password: string };
const alice = DEMO_USERS[0] as Person;
const carol = DEMO_USERS[2] as Person;
const logs: string[] = [];
let standIn: LinkStandIn;
let stack: Awaited<ReturnType<typeof startLocalStack>>;

beforeAll(async () => {
  ({ standIn, stack } = await startStackBehindStandIn('e2e_fed', { signUpGuard: true, onLog: (l) => logs.push(l) }));
  await sql(`UPDATE ${stack.table} SET identities = '[{"provider":"Google","sub":"1093-carol"},{"provider":"AcmeSAML","sub":"carol@acme"}]' WHERE username = $1`, [carol.username], stack.db.url);
});
afterAll(async () => {
  await stack?.stop();
  await standIn?.close();
});

const records = () => logs.filter((l) => l.startsWith('{"level"')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('social first through the stand-in and cognito-local', () => {
  it('a legacy person\'s first Google sign-in: their user is made from the row, both staged identities are linked, the row learns the sub, the group follows; the retry signs in as them', async () => {
    const first = await standIn.federatedSignIn(stack.userPoolId!, 'Google', '1093-carol', { email: carol.email, email_verified: 'true' });
    expect(first).toEqual({ error: `PreSignUp failed with error ${PUBLIC_MESSAGES.federatedLinked}.` });
    const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: carol.email }));
    const attributes = Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(attributes).toMatchObject({ email: carol.email, given_name: 'Carol', 'custom:legacy_id': expect.any(String) });
    expect(attributes['custom:migrated_at']).toBeTruthy();
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(standIn.links.get(user.Username!)).toEqual(['Google_1093-carol', 'AcmeSAML_carol@acme']);
    const [row] = await sql(`SELECT cognito_sub FROM ${stack.table} WHERE username = $1`, [carol.username], stack.db.url) as Array<{ cognito_sub: string }>;
    expect(row!.cognito_sub).toBe(attributes.sub);
    const groups = await stack.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: user.Username! }));
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['support']);
    // The function's own AdminCreateUser passed its own Pre sign-up guard (PreSignUp_AdminCreateUser) with its creation proof.
    expect(records().some((r) => r.triggerSource === 'PreSignUp_AdminCreateUser' && r.message === 'sign-up let through: this function\'s own creation of a legacy person\'s user (federated first sign-in)')).toBe(true);
    expect(await standIn.federatedSignIn(stack.userPoolId!, 'Google', '1093-carol', {})).toEqual({ signedInAs: user.Username });
    expect(await standIn.federatedSignIn(stack.userPoolId!, 'AcmeSAML', 'carol@acme', {})).toEqual({ signedInAs: user.Username });
    expect(JSON.stringify(records())).not.toContain('1093-carol');
  });

  it('a person who migrated by password gets a newly staged identity linked to their user', async () => {
    await stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId!, AuthParameters: { USERNAME: alice.email, PASSWORD: alice.password } }));
    await sql(`UPDATE ${stack.table} SET identities = '[{"provider":"SignInWithApple","sub":"000123.alice"}]' WHERE username = $1`, [alice.username], stack.db.url);
    const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: alice.email }));
    expect(await standIn.federatedSignIn(stack.userPoolId!, 'SignInWithApple', '000123.alice', {})).toEqual({ error: `PreSignUp failed with error ${PUBLIC_MESSAGES.federatedLinked}.` });
    expect(await standIn.federatedSignIn(stack.userPoolId!, 'SignInWithApple', '000123.alice', {})).toEqual({ signedInAs: user.Username });
  });

  it('a stranger\'s Google sign-in makes their own federated user, and the function calls nothing', async () => {
    const before = standIn.calls.length;
    expect(await standIn.federatedSignIn(stack.userPoolId!, 'Google', '7777-stranger', { email: 'stranger@example.com', email_verified: 'true' })).toEqual({ signedInAs: 'Google_7777-stranger' });
    expect(standIn.calls.slice(before)).toEqual([]);
  });

  it('an administrator\'s AdminCreateUser that sets the legacy id without the function\'s proof is refused by the guard', async () => {
    const { AdminCreateUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
    const viaStandIn = new CognitoIdentityProviderClient({ endpoint: standIn.url, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await expect(viaStandIn.send(new AdminCreateUserCommand({
        UserPoolId: stack.userPoolId, Username: 'new-person@example.com', MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: 'new-person@example.com' }, { Name: 'custom:legacy_id', Value: '1' }],
        ClientMetadata: { 'cognito-migrate:create': 'c1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      }))).rejects.toMatchObject({ name: 'UserLambdaValidationException', message: `PreSignUp failed with error ${PUBLIC_MESSAGES.signUpTaken}.` });
    } finally {
      viaStandIn.destroy();
    }
  });
});
