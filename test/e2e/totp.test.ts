// The legacy second factor end to end (issue 36): cognito-local invoking the
// built PostgreSQL bundle as UserMigration trigger, a row with an
// authenticator secret, and the client helper with the real
// amazon-cognito-identity-js (SRP answered by test/support/srp-stand-in.ts,
// which cognito-local lacks). The code travels as InitiateAuth ClientMetadata,
// which Cognito hands the trigger as validationData.
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { startLocalStack } from '../../scripts/lib/stack.mjs';
import { legacyTotpMetadata, needsAuthenticatorEnrolment, signInWithMigration } from '../../src/client/index.js';
import { TOTP_DEFAULTS } from '../../src/totp.js';
import { decodeSecret, totpAt } from '../../src/totp-check.js';
import { databaseUrl, sql } from '../support/database.js';
import { type SrpStandIn, startSrpStandIn } from '../support/srp-stand-in.js';

const SECRET = 'JBSWY3DPEHPK3PXP';
const carol = DEMO_USERS[2] as { username: string; email: string; password: string };
const alice = DEMO_USERS[0] as { username: string; email: string; password: string };
let stack: Awaited<ReturnType<typeof startLocalStack>>;
let srp: SrpStandIn;
const logs: string[] = [];

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl();
  stack = await startLocalStack({ schema: `e2e_totp_${randomBytes(4).toString('hex')}`, functionEnv: { PG_COLUMNS: JSON.stringify({ totpSecret: 'otp_secret', totpLastStep: 'otp_last_step' }) }, onLog: (l) => logs.push(l) });
  await sql(`ALTER TABLE ${stack.table} ADD COLUMN otp_secret text, ADD COLUMN otp_last_step bigint`, [], stack.db.url);
  await sql(`UPDATE ${stack.table} SET otp_secret = $1 WHERE username IN ($2, $3)`, [SECRET, carol.username, alice.username], stack.db.url);
  srp = await startSrpStandIn({ cognitoEndpoint: stack.cognito.endpoint!, userPoolId: stack.userPoolId!, preventUserExistenceErrors: true });
});
afterAll(async () => {
  await srp?.close();
  await stack?.stop();
});

const code = () => totpAt(decodeSecret(SECRET, 'base32')!, Math.floor(Date.now() / 30_000), TOTP_DEFAULTS);

function signIn(who: { email: string }, password: string, askLegacyCode?: () => Promise<string | undefined>) {
  const pool = new CognitoUserPool({ UserPoolId: stack.userPoolId!, ClientId: stack.clientId!, endpoint: srp.url });
  const user = new CognitoUser({ Username: who.email, Pool: pool });
  return signInWithMigration<CognitoUserSession>(user, new AuthenticationDetails({ Username: who.email, Password: password }), {
    ...(askLegacyCode ? { askLegacyCode } : {}),
    withLegacyCode: (c) => new AuthenticationDetails({ Username: who.email, Password: password, ClientMetadata: legacyTotpMetadata(c) }),
  });
}

describe('a legacy user with an authenticator, through cognito-local and the client helper', () => {
  it('without a code the migration is refused as any wrong password; the helper asks once, sends the code, and the user migrates marked to enrol', async () => {
    await expect(signIn(carol, carol.password)).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    let asked = 0;
    const outcome = await signIn(carol, carol.password, async () => { asked++; return code(); });
    expect(asked).toBe(1);
    expect(outcome).toMatchObject({ kind: 'session', fellBack: true });
    if (outcome.kind !== 'session') throw new Error('no session');
    const claims = outcome.session.getIdToken().decodePayload();
    expect(claims['custom:legacy_mfa']).toBe('totp');
    expect(needsAuthenticatorEnrolment(claims, false)).toBe(true);
    expect(needsAuthenticatorEnrolment(claims, true)).toBe(false);
    // The step was kept: the same code cannot serve twice.
    expect((await sql<{ s: string }>(`SELECT otp_last_step::text AS s FROM ${stack.table} WHERE username = $1`, [carol.username], stack.db.url))[0]!.s).toBe(String(Math.floor(Date.now() / 30_000)));
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('a wrong password is asked for a code too (the question reveals nothing), and stays refused', async () => {
    let asked = 0;
    await expect(signIn(alice, 'not the password', async () => { asked++; return code(); })).rejects.toMatchObject({ code: 'NotAuthorizedException' });
    expect(asked).toBe(1);
  });
});
