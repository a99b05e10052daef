// status against the demo's stack: cognito-local with the built bundle as
// UserMigration trigger, embedded PostgreSQL; CloudWatch is the one API stubbed
// (nothing here runs it), answering GetMetricData in its real shape.
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AdminGetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_USERS } from '../../scripts/lib/seed.mjs';
import { startLocalStack } from '../../scripts/lib/stack.mjs';
import { status } from '../../scripts/status/index.js';
import { databaseUrl, sql } from '../support/database.js';

const [alice] = DEMO_USERS as [typeof DEMO_USERS[0]];
const DAY = 86_400_000;
let stack: Awaited<ReturnType<typeof startLocalStack>>;
const cloudwatch = mockClient(CloudWatchClient);

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl();
  stack = await startLocalStack({ schema: `status_${randomBytes(4).toString('hex')}` });
  // alice signs in once: the trigger migrates her. bob is disabled, carol has not signed in.
  await stack.idp.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: stack.clientId, AuthParameters: { USERNAME: alice.email, PASSWORD: alice.password } }));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  cloudwatch.restore();
  await stack?.stop();
});

describe('cognito-migrate status', () => {
  it('--json holds every figure: legacy, pool by status, per day, remaining, rates, projection, and the bulk split of the rest', async () => {
    const today = new Date(new Date().toISOString().slice(0, 10)).getTime();
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'migrated', Label: 'migrated', StatusCode: 'Complete', Timestamps: [new Date(today), new Date(today - DAY), new Date(today - 2 * DAY)], Values: [1, 4, 2] }],
    });
    vi.stubEnv('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', stack.cognito.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.stubEnv('PG_TABLE', stack.table);
    let out = '';
    expect(await status(['--user-pool-id', stack.userPoolId!, '--region', 'local', '--json'], (t) => { out += t; })).toBe(0);
    const s = JSON.parse(out);
    expect(s.legacy).toEqual({ total: 3, enabled: 2, withHash: 3 });
    expect(s.pool).toEqual({ total: 1, byStatus: { CONFIRMED: 1 } });
    expect(s.remaining).toBe(1);
    expect(s.migratedPerDay).toHaveLength(28);
    expect(s.migratedPerDay.slice(-3).map((d: { migrated: number }) => d.migrated)).toEqual([2, 4, 1]);
    expect(s.rate).toEqual({ last7: 1, last28: 0.25 });
    // 2 enabled, 1 in the pool: 90 % and 99 % both need one more, one day at 1/day.
    const tomorrow = new Date(today + DAY).toISOString().slice(0, 10);
    expect(s.projection).toEqual({ p90: tomorrow, p99: tomorrow });
    // carol's bcrypt cost-10 hash is within the import bounds.
    expect(s.bulk).toEqual({ importable: { BCRYPT: 1 }, reset: 0 });
    const query = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!.MetricStat!;
    expect(query).toMatchObject({ Stat: 'Sum', Period: 86_400, Metric: { Namespace: 'CognitoMigrate', MetricName: 'migrated', Dimensions: [{ Name: 'service', Value: 'cognito-migrate' }] } });
  });

  it('prints a table and a per-day chart on a terminal, and needs the pool', async () => {
    let out = '';
    expect(await status(['--user-pool-id', stack.userPoolId!, '--region', 'local', '--no-metrics'], (t) => { out += t; })).toBe(0);
    expect(out).toMatch(/^legacy users +3 \(2 enabled, 3 with a hash\)$/m);
    expect(out).toMatch(/^remaining +1 enabled legacy users not in the pool$/m);
    expect(out).toMatch(/^bulk the rest +1 importable with their hash \(BCRYPT\); 0 would reset their password$/m);
    expect(out).toMatch(/migrated by the trigger per day \(no metrics read\):\n {2}\d{4}-\d{2}-\d{2} /);
    expect(out).not.toMatch(/\$2[aby]\$/);
    await expect(status([], () => {})).rejects.toThrow(/status needs --user-pool-id ID/);
  });
  it('with the ledger, answers from the legacy store alone: the pool is not listed', async () => {
    const user = await stack.idp.send(new AdminGetUserCommand({ UserPoolId: stack.userPoolId!, Username: alice.email }));
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    await sql(`ALTER TABLE ${stack.table} ADD COLUMN IF NOT EXISTS cognito_sub text`);
    await sql(`UPDATE ${stack.table} SET cognito_sub = $1 WHERE username = $2`, [sub, alice.username]);
    vi.stubEnv('PG_TABLE', stack.table);
    vi.stubEnv('PG_COGNITO_SUB_COLUMN', 'cognito_sub');
    // Nothing listens here: a ListUsers call would fail the command.
    vi.stubEnv('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', 'http://127.0.0.1:9');
    let out = '';
    expect(await status(['--user-pool-id', stack.userPoolId!, '--region', 'local', '--no-metrics', '--json'], (t) => { out += t; })).toBe(0);
    const s = JSON.parse(out);
    expect(s.legacy).toEqual({ total: 3, enabled: 2, withHash: 3, migrated: 1 });
    expect(s.pool).toBeUndefined();
    expect(s.remaining).toBe(1);
    expect(s.bulk).toEqual({ importable: { BCRYPT: 1 }, reset: 0 });
    out = '';
    expect(await status(['--user-pool-id', stack.userPoolId!, '--region', 'local', '--no-metrics'], (t) => { out += t; })).toBe(0);
    expect(out).toMatch(/^pool users +not listed: the ledger answers$/m);
    expect(out).toMatch(/^remaining +1 enabled legacy users the ledger links to no Cognito user$/m);
    vi.unstubAllEnvs();
  });

});
