// The CDK construct (src/cdk), synthesized with the real aws-cdk-lib: its
// resources and IAM asserted with aws-cdk-lib/assertions, and the synthesized
// template validated through cloudformation-include, as template.yaml is.
// test/e2e/package.test.ts runs the README's example from the packed package
// and signs a user in through the synthesized asset.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoMigration, MigrationStore } from '../../src/cdk/index.js';
import { OUTCOMES } from '../../src/index.js';
import { synthesizedViolations } from '../support/cfn-validate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cognito-migrate-cdk-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function synth(build: (stack: Stack) => void) {
  const app = new App({ outdir: join(dir, `out-${Math.random().toString(36).slice(2)}`) });
  const stack = new Stack(app, 'Migration', { env: { account: '123456789012', region: 'eu-west-1' } });
  build(stack);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every IAM statement of the template, from roles' inline policies and AWS::IAM::Policy resources. */
function statements(template: Template): Array<{ Action: unknown; Resource: unknown }> {
  const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  return Object.values(json.Resources).flatMap((r) => (r.Type === 'AWS::IAM::Policy' ? r.Properties.PolicyDocument.Statement : []));
}

describe('CognitoMigration (aws-cdk-lib)', () => {
  it('a PostgreSQL store in a VPC: the function from the bundle, the three triggers, the invoke permission on the pool, IAM on that pool and secret only', async () => {
    const { template } = synth((stack) => {
      const pool = new cognito.UserPool(stack, 'Users', { signInAliases: { email: true } });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const secret = new secretsmanager.Secret(stack, 'Db');
      const clients = new ec2.SecurityGroup(stack, 'DbClients', { vpc });
      new CognitoMigration(stack, 'Migration', {
        userPool: pool,
        store: MigrationStore.postgres({ secret, vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [clients], environment: { PG_TABLE: 'legacy.users', PG_COGNITO_SUB_COLUMN: 'cognito_sub' } }),
        environment: { MATCH_EMAIL: 'true', GROUP_MAP: '{"ROLE_ADMIN":"admins"}' },
        reservedConcurrency: 20,
        timingHash: '$2b$12$abcdefghijklmnopqrstuuQyqW5Jw0mUv6C2yQ1xTt0mQ1bU8nK2W',
        alarmTopic: new sns.Topic(stack, 'Alarms'),
      });
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'postgres.handler', Runtime: 'nodejs22.x', Timeout: 5, MemorySize: 1024, Architectures: ['arm64'], ReservedConcurrentExecutions: 20,
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue(), SubnetIds: Match.anyValue() }),
      Environment: { Variables: Match.objectLike({ DATABASE_SECRET_ARN: Match.anyValue(), PG_TABLE: 'legacy.users', MATCH_EMAIL: 'true', TIMING_HASH: Match.stringLikeRegexp('^\\$2b\\$12\\$'), POWERTOOLS_METRICS_NAMESPACE: 'CognitoMigrate' }) },
    });
    const functionArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^MigrationFunction'), 'Arn'] };
    template.hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: { UserMigration: functionArn, PostAuthentication: functionArn, PostConfirmation: functionArn, PreSignUp: functionArn } });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'cognito-idp.amazonaws.com', SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Users'), 'Arn'] } });
    const all = statements(template);
    const cognitoStatements = all.filter((s) => JSON.stringify(s.Action).includes('cognito-idp:'));
    // IAM only as the settings need: no ListUsers without REMIGRATE=if-absent, no CreateGroup without CREATE_MISSING_GROUPS.
    // DescribeUserPool: the pool's password policy, checked against migrated passwords (PASSWORD_POLICY=warn by default here).
    expect(cognitoStatements).toEqual([{ Effect: 'Allow', Action: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminUpdateUserAttributes', 'cognito-idp:DescribeUserPool'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Users/), 'Arn'] } }]);
    for (const s of all) expect(JSON.stringify(s.Action)).not.toMatch(/cognito-idp:\*|"\*"/);
    // The database secret, and the link key the construct generates and hands over as LINK_KEY_ARN.
    const secretReads = all.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue')).map((s) => JSON.stringify(s.Resource));
    expect(secretReads.sort()).toEqual([expect.stringMatching(/"Ref":"Db/), expect.stringMatching(/"Ref":"MigrationLinkKey/)]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ LINK_KEY_ARN: { Ref: Match.stringLikeRegexp('^MigrationLinkKey') } }) } });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }] });
  });

  it('the dashboard and alarms watch the outcomes the handler emits, every one of them', () => {
    const { template } = synth((stack) => {
      new CognitoMigration(stack, 'Migration', { userPool: new cognito.UserPool(stack, 'Users'), store: MigrationStore.http({ baseUrl: 'https://legacy.example/api' }) });
    });
    const json = JSON.stringify(template.toJSON());
    const names = new Set([...json.matchAll(/\\"CognitoMigrate\\",\\"([a-z_]+)\\"/g)].map((m) => m[1]));
    for (const outcome of OUTCOMES) expect(names, outcome).toContain(outcome);
    // No ledger, no group map: no completion triggers, and of the pool only its password policy.
    template.hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: Match.not(Match.objectLike({ PostAuthentication: Match.anyValue() })) });
    expect(statements(template).filter((s) => JSON.stringify(s.Action).includes('cognito-idp:')).flatMap((s) => s.Action as string[])).toEqual(['cognito-idp:DescribeUserPool']);
  });

  it('IAM follows the settings: CREATE_MISSING_GROUPS=1 (as the function reads it) adds CreateGroup, REMIGRATE=if-absent adds ListUsers', () => {
    const { template } = synth((stack) => {
      new CognitoMigration(stack, 'Migration', {
        userPool: new cognito.UserPool(stack, 'Users'),
        store: MigrationStore.http({ baseUrl: 'https://legacy.example/api', environment: { HTTP_LINK_PATH: '/users/{id}/cognito', CREATE_MISSING_GROUPS: '1' } }),
        environment: { REMIGRATE: 'if-absent', GROUP_MAP: '{"admin":"admins"}' },
      });
    });
    const actions = statements(template).filter((s) => JSON.stringify(s.Action).includes('cognito-idp:')).flatMap((s) => s.Action as string[]);
    expect(actions.sort()).toEqual(['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminUpdateUserAttributes', 'cognito-idp:CreateGroup', 'cognito-idp:DescribeUserPool', 'cognito-idp:ListUsers']);
  });

  it('wires the sign-up guard as Pre sign-up unless SIGNUP_GUARD=off (issue 33)', () => {
    const wired = (environment: Record<string, string>) => synth((stack) => {
      new CognitoMigration(stack, 'Migration', { userPool: new cognito.UserPool(stack, 'Users'), store: MigrationStore.http({ baseUrl: 'https://legacy.example/api' }), environment });
    }).template;
    wired({}).hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: Match.objectLike({ PreSignUp: Match.anyValue() }) });
    wired({ SIGNUP_GUARD: 'off' }).hasResourceProperties('AWS::Cognito::UserPool', { LambdaConfig: Match.not(Match.objectLike({ PreSignUp: Match.anyValue() })) });
  });

  it('every app client of the pool declares WriteAttributes: one that declares none gets the standard ones and a warning, none of the link, mark or proof (issue 32)', () => {
    const { template } = synth((stack) => {
      const pool = new cognito.UserPool(stack, 'Users');
      pool.addClient('Web');
      pool.addClient('Editor', { writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }) });
      new CognitoMigration(stack, 'Migration', { userPool: pool, store: MigrationStore.http({ baseUrl: 'https://legacy.example/api', environment: { HTTP_LINK_PATH: '/users/{id}/cognito' } }) });
    });
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient')) as Array<{ Properties: { WriteAttributes?: string[] } }>;
    const lists = clients.map((c) => c.Properties.WriteAttributes).sort((a, b) => (a?.length ?? 0) - (b?.length ?? 0));
    expect(lists[0]).toEqual(['email']);
    expect(lists[1]).toEqual(expect.arrayContaining(['email', 'given_name', 'phone_number']));
    for (const list of lists) expect(list!.some((a) => a.startsWith('custom:'))).toBe(false);
  });

  it('an imported pool gets the invoke permission; pool to pool grants the old pool\'s calls on that pool only', () => {
    const { template } = synth((stack) => {
      new CognitoMigration(stack, 'Migration', {
        userPool: cognito.UserPool.fromUserPoolId(stack, 'Existing', 'eu-west-1_Existing'),
        store: MigrationStore.cognitoPool({ oldUserPoolId: 'eu-west-1_OLD', oldClientId: 'oldclient', environment: { OLD_POOL_GROUPS: 'true' } }),
      });
    });
    const permission = Object.values(template.findResources('AWS::Lambda::Permission'))[0] as { Properties: { Principal: string; SourceArn: unknown } };
    expect(permission.Properties.Principal).toBe('cognito-idp.amazonaws.com');
    expect(JSON.stringify(permission.Properties.SourceArn)).toMatch(/:userpool\/eu-west-1_Existing"/);
    const old = statements(template).find((s) => JSON.stringify(s.Action).includes('AdminInitiateAuth'))!;
    expect(old.Action).toEqual(['cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminGetUser', 'cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser']);
    expect(JSON.stringify(old.Resource)).toMatch(/userpool\/eu-west-1_OLD/);
  });

  it('without a pool, creates one with the legacy id and the mark, and wires it', () => {
    let made: CognitoMigration | undefined;
    const { template } = synth((stack) => {
      made = new CognitoMigration(stack, 'Migration', { store: MigrationStore.http({ baseUrl: 'https://legacy.example/api', environment: { HTTP_LINK_PATH: '/users/{id}/cognito' } }) });
    });
    expect(made!.userPool).toBeDefined();
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      Schema: Match.arrayWith([Match.objectLike({ Name: 'legacy_id', Mutable: true }), Match.objectLike({ Name: 'migrated_at', Mutable: true })]),
      LambdaConfig: { UserMigration: Match.anyValue(), PostAuthentication: Match.anyValue(), PostConfirmation: Match.anyValue() },
    });
  });

  it('the synthesized template passes cloudformation-include\'s validation with no warning', async () => {
    const { template } = synth((stack) => {
      const secret = new secretsmanager.Secret(stack, 'Db');
      new CognitoMigration(stack, 'Migration', { userPool: new cognito.UserPool(stack, 'Users'), store: MigrationStore.mysql({ secret }), environment: { MYSQL_GROUPS_COLUMN: 'roles', GROUP_MAP: '{"a":"b"}' } });
    });
    expect(await synthesizedViolations(template.toJSON(), dir)).toEqual([]);
  });
});
