// cognito-migrate/cdk: the migration function as an AWS CDK construct. It
// deploys the bundle this package ships (the store's files in dist/functions/,
// with the verification worker), so the user's project needs no esbuild; aws-cdk-lib and
// constructs are optional peer dependencies, loaded only by this entry.
import { Annotations, Aspects, Duration, type IAspect, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the legacy users are, and what the function needs to reach them: one
 * of {@link MigrationStore.postgres}, {@link MigrationStore.mysql},
 * {@link MigrationStore.http} or {@link MigrationStore.cognitoPool}.
 *
 * @example
 * ```ts
 * const store = MigrationStore.postgres({ secret: db.secret!, vpc, securityGroups: [dbClients], environment: { PG_TABLE: 'legacy.users' } })
 * ```
 */
export interface MigrationStore {
  /** The bundle under the package's dist/ folder: postgres, mysql, http or cognito. */
  readonly bundle: 'postgres' | 'mysql' | 'http' | 'cognito';
  /** The function's environment variables for this store (README, "Configuration"). */
  readonly environment: Record<string, string>;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Grants the function what the store needs (a secret, a role to assume). */
  grant(fn: lambda.IFunction): void;
}

/**
 * A SQL store reached through a Secrets Manager secret in the RDS shape (username, password, host, port, dbname).
 *
 * @example
 * ```ts
 * const props: SqlStoreProps = { secret: db.secret!, vpc, securityGroups: [dbClients], environment: { PG_TABLE: 'legacy.users' } }
 * ```
 */
export interface SqlStoreProps {
  /** The database secret (an RDS-managed secret works as it is). */
  readonly secret: secretsmanager.ISecret;
  /** The VPC of the database; the function runs in it. */
  readonly vpc?: ec2.IVpc;
  /** Subnets for the function (default: the VPC's private subnets with egress). */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups for the function; the database's must admit them. */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** More of the store's variables, named as the function's: `PG_TABLE`, `PG_COLUMNS`, `PG_COGNITO_SUB_COLUMN`, … (`MYSQL_…` for MySQL). */
  readonly environment?: Record<string, string>;
}

/**
 * A legacy REST API (README, "Stores").
 *
 * @example
 * ```ts
 * const props: HttpStoreProps = { baseUrl: 'https://legacy.internal/api', authorizationSecret: apiToken, environment: { HTTP_LINK_PATH: '/users/{id}/cognito' } }
 * ```
 */
export interface HttpStoreProps {
  /** `HTTP_BASE_URL`: https:// (plain http only for loopback). */
  readonly baseUrl: string;
  /** A secret whose string is the Authorization header value (`HTTP_AUTH_SECRET_ARN`). */
  readonly authorizationSecret?: secretsmanager.ISecret;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** More variables: `HTTP_VERIFY_PATH`, `HTTP_USER_PATH`, `HTTP_LINK_PATH`, `HTTP_FIELDS`, … */
  readonly environment?: Record<string, string>;
}

/**
 * Another Cognito pool users come from.
 *
 * @example
 * ```ts
 * const props: CognitoPoolStoreProps = { oldUserPoolId: 'eu-west-1_OLD', oldClientId: '1example', environment: { OLD_POOL_GROUPS: 'true' } }
 * ```
 */
export interface CognitoPoolStoreProps {
  /** The old pool (it may be in another account: give `roleArn`). */
  readonly oldUserPoolId: string;
  /** An app client of the old pool that allows ALLOW_ADMIN_USER_PASSWORD_AUTH. */
  readonly oldClientId: string;
  /** The old client's secret, if it has one (`OLD_CLIENT_SECRET_ARN`). */
  readonly oldClientSecret?: secretsmanager.ISecret;
  /** The old pool's region, when it differs. */
  readonly oldUserPoolRegion?: string;
  /** A role in the old pool's account to assume (`OLD_POOL_ROLE_ARN`), with its external ID. */
  readonly roleArn?: string;
  readonly externalId?: string;
  /** More variables: `DROP_ATTRIBUTES`, `OLD_POOL_GROUPS`, … */
  readonly environment?: Record<string, string>;
}

const clean = (env: Record<string, string | undefined>): Record<string, string> => Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));

/**
 * The store descriptions.
 *
 * @example
 * ```ts
 * MigrationStore.http({ baseUrl: 'https://legacy.internal/api', authorizationSecret: token })
 * ```
 */
export const MigrationStore = {
  /**
   * PostgreSQL through its secret (`DATABASE_SECRET_ARN`).
   * @example MigrationStore.postgres({ secret: db.secret!, vpc, securityGroups: [sg], environment: { PG_TABLE: 'legacy.users' } })
   */
  postgres(props: SqlStoreProps): MigrationStore {
    return sqlStore('postgres', props);
  },
  /**
   * MySQL or MariaDB through its secret (`DATABASE_SECRET_ARN`).
   * @example MigrationStore.mysql({ secret: db.secret!, vpc, environment: { MYSQL_TABLE: 'legacy.users' } })
   */
  mysql(props: SqlStoreProps): MigrationStore {
    return sqlStore('mysql', props);
  },
  /**
   * A legacy REST API.
   * @example MigrationStore.http({ baseUrl: 'https://legacy.internal/api' })
   */
  http(props: HttpStoreProps): MigrationStore {
    return {
      bundle: 'http',
      environment: clean({ HTTP_BASE_URL: props.baseUrl, HTTP_AUTH_SECRET_ARN: props.authorizationSecret?.secretArn, ...props.environment }),
      ...(props.vpc ? { vpc: props.vpc } : {}), ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}), ...(props.securityGroups ? { securityGroups: props.securityGroups } : {}),
      grant: (fn) => props.authorizationSecret?.grantRead(fn),
    };
  },
  /**
   * Another Cognito pool: the function may call AdminInitiateAuth and AdminGetUser on it (and, with
   * `OLD_POOL_GROUPS=true`, ListUsers and AdminListGroupsForUser), or assume `roleArn` to do so.
   * @example MigrationStore.cognitoPool({ oldUserPoolId: 'eu-west-1_OLD', oldClientId: '1example' })
   */
  cognitoPool(props: CognitoPoolStoreProps): MigrationStore {
    const groups = props.environment?.OLD_POOL_GROUPS === 'true';
    return {
      bundle: 'cognito',
      environment: clean({
        OLD_USER_POOL_ID: props.oldUserPoolId, OLD_CLIENT_ID: props.oldClientId, OLD_CLIENT_SECRET_ARN: props.oldClientSecret?.secretArn,
        OLD_USER_POOL_REGION: props.oldUserPoolRegion, OLD_POOL_ROLE_ARN: props.roleArn, OLD_POOL_EXTERNAL_ID: props.externalId, ...props.environment,
      }),
      grant(fn) {
        props.oldClientSecret?.grantRead(fn);
        if (props.roleArn) {
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.roleArn] }));
          return;
        }
        const stack = Stack.of(fn);
        fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminGetUser', ...(groups ? ['cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser'] : [])],
          resources: [stack.formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: props.oldUserPoolId, ...(props.oldUserPoolRegion ? { region: props.oldUserPoolRegion } : {}) })],
        }));
      },
    };
  },
};

function sqlStore(bundle: 'postgres' | 'mysql', props: SqlStoreProps): MigrationStore {
  return {
    bundle,
    environment: clean({ DATABASE_SECRET_ARN: props.secret.secretArn, ...props.environment }),
    ...(props.vpc ? { vpc: props.vpc } : {}), ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}), ...(props.securityGroups ? { securityGroups: props.securityGroups } : {}),
    grant: (fn) => props.secret.grantRead(fn),
  };
}

/**
 * Options of {@link CognitoMigration}.
 *
 * @example
 * ```ts
 * { userPool: pool, store: MigrationStore.postgres({ secret, vpc }), environment: { MATCH_EMAIL: 'true', ATTRIBUTE_MAP: '{"email":"email","custom:legacy_id":"id"}' } }
 * ```
 */
export interface CognitoMigrationProps {
  /**
   * The pool users migrate into. A `UserPool` of this stack gets its triggers
   * wired; for an imported one (`UserPool.fromUserPoolId`) the construct adds
   * only Cognito's invoke permission, and the triggers are set on the pool
   * where it is defined. Default: a new pool where users sign in with their
   * email, with `custom:legacy_id` (immutable) and `custom:migrated_at`.
   */
  readonly userPool?: cognito.IUserPool;
  /** The legacy store. */
  readonly store: MigrationStore;
  /** The handler's settings, named as the function's environment variables: `MATCH_EMAIL`, `ATTRIBUTE_MAP`, `GROUP_MAP`, `REMIGRATE`, … */
  readonly environment?: Record<string, string>;
  /**
   * Wire the completion triggers (Post authentication, Post confirmation) and
   * grant their calls on the pool. Default: when the environment keeps a
   * ledger or maps groups (`PG_COGNITO_SUB_COLUMN`, `GROUP_MAP`, …).
   */
  readonly completion?: boolean;
  /** MB of memory, which buys CPU (1,769 MB is one vCPU). Default 1024. */
  readonly memorySize?: number;
  /** Most instances at once, each holding one database connection. Default: none reserved. */
  readonly reservedConcurrency?: number;
  /** The hash every refusal is timed against (`TIMING_HASH`); the self-check prints the value to set. */
  readonly timingHash?: string;
  /** An SNS topic the alarms notify. */
  readonly alarmTopic?: sns.ITopic;
  /** Log retention of the function's log group. Default one month. */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The attributes an app client of the pool may write when it declares none:
 * the standard ones a user edits (template.yaml's client lists the same), and
 * none of `custom:legacy_id`, `custom:migrated_at` or `custom:legacy_proof`.
 */
export const STANDARD_WRITE_ATTRIBUTES = ['address', 'birthdate', 'email', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name', 'nickname', 'phone_number', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo'];

/**
 * Gives every app client of the pool, in this stack, that declares no
 * `WriteAttributes` the standard ones, with a warning: the API reference
 * (UserPoolClientType) says such a client writes standard attributes only,
 * aws-cdk-lib documents "all standard and custom attributes", so the default
 * is never left to either. Matched by resource type, not class: the app's
 * aws-cdk-lib may be another copy than this file's.
 */
class DeclaredWriteAttributes implements IAspect {
  constructor(private readonly userPoolId: string) {}

  visit(node: IConstruct): void {
    const client = node as IConstruct & { cfnResourceType?: string; userPoolId?: unknown; writeAttributes?: string[] };
    if (client.cfnResourceType !== 'AWS::Cognito::UserPoolClient' || client.writeAttributes !== undefined) return;
    const stack = Stack.of(node);
    if (JSON.stringify(stack.resolve(client.userPoolId)) !== JSON.stringify(stack.resolve(this.userPoolId))) return;
    client.writeAttributes = [...STANDARD_WRITE_ATTRIBUTES];
    Annotations.of(node).addWarningV2('cognito-migrate:write-attributes', 'This app client declared no writeAttributes; cognito-migrate set the standard attributes, none of custom:legacy_id, custom:migrated_at or custom:legacy_proof. Declare them yourself to silence this.');
  }
}

const COMPLETION_VARIABLES = ['PG_COGNITO_SUB_COLUMN', 'MYSQL_COGNITO_SUB_COLUMN', 'PG_GROUPS_COLUMN', 'MYSQL_GROUPS_COLUMN', 'GROUP_MAP', 'HTTP_LINK_PATH', 'OLD_POOL_GROUPS'];
const NAMESPACE = 'CognitoMigrate';
const SERVICE = 'cognito-migrate';

/** The package's built functions (this file is dist/lib/src/cdk/index.js once built): dist/functions/, with its manifest. */
function functionsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) if (existsSync(join(dir, 'dist', 'functions', 'manifest.json'))) return join(dir, 'dist', 'functions');
  throw new Error('cognito-migrate/cdk: the built functions (dist/functions/manifest.json) are not in the package; install a published version, or run npm run build');
}

/**
 * One store's function code: dist/functions/ less every file its manifest does not name. The four functions share one
 * folder so the package holds their common chunks once (scripts/build.mjs, bundlePackaged); each asset still holds only
 * what its function loads, since a Lambda zip can load nothing else, and a PostgreSQL function would not carry mysql2.
 */
function functionCode(bundle: MigrationStore['bundle']): lambda.Code {
  const dir = functionsDir();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, string[]>;
  const keep = new Set(manifest[bundle]);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => f.split(sep).join('/')).filter((f) => statSync(join(dir, f)).isFile());
  return lambda.Code.fromAsset(dir, { exclude: files.filter((f) => !keep.has(f)) });
}

/**
 * The migration function, wired to a user pool: the UserMigration trigger
 * (and the completion triggers), Cognito's invoke permission scoped to the
 * pool, least-privilege IAM on that pool and the store's secret, the
 * dashboard and alarms the SAM template has, reserved concurrency and the
 * timing hash. Deploy, then run the self-check once:
 * `npx cognito-migrate doctor --function <functionName> --user-pool-id <pool>`
 * (the stack outputs the command). It is a post-deploy step rather than a
 * custom resource so that a database that is briefly unreachable during a
 * deploy does not roll the stack back.
 *
 * @example
 * ```ts
 * const pool = new cognito.UserPool(this, 'Users', { signInAliases: { email: true } })
 * new CognitoMigration(this, 'Migration', {
 *   userPool: pool,
 *   store: MigrationStore.postgres({ secret: db.secret!, vpc, securityGroups: [dbClients] }),
 *   environment: { MATCH_EMAIL: 'true', ATTRIBUTE_MAP: JSON.stringify({ email: 'email', email_verified: 'email_verified', 'custom:legacy_id': 'id' }) },
 * })
 * ```
 */
export class CognitoMigration extends Construct {
  /** The migration function. */
  readonly function: lambda.Function;
  /** The pool it migrates into: the one given, or the one it created. */
  readonly userPool: cognito.IUserPool;
  /** The dashboard of outcomes, duration, outages and completions. */
  readonly dashboard: cloudwatch.Dashboard;
  /** Store outages, slow sign-ins, and the function's own errors. */
  readonly alarms: cloudwatch.Alarm[];

  /**
   * The link proof's key (src/link-proof.ts), a generated secret the function
   * reads, when it completes migrations. The CLI's `complete` and
   * `csv export` need it too (LINK_KEY_ARN).
   */
  readonly linkKey?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: CognitoMigrationProps) {
    super(scope, id);
    const environment = { ...props.environment };
    const settingOf = (name: string) => environment[name] ?? props.store.environment[name];
    const truthy = (name: string) => ['true', '1', 'yes'].includes(String(settingOf(name) ?? '').trim().toLowerCase());
    const completion = props.completion ?? COMPLETION_VARIABLES.some((k) => Boolean(settingOf(k)));
    if (completion) {
      this.linkKey = new secretsmanager.Secret(this, 'LinkKey', {
        description: 'cognito-migrate link key (proves that a pool user was made from its legacy row)',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
    }
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.function = new lambda.Function(this, 'Function', {
      description: `Cognito UserMigration trigger (cognito-migrate, ${props.store.bundle} store)`,
      code: functionCode(props.store.bundle),
      handler: `${props.store.bundle}.handler`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // Cognito waits 5 s for a trigger and cannot be made to wait longer.
      timeout: Duration.seconds(5),
      memorySize: props.memorySize ?? 1024,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      logGroup,
      ...(props.store.vpc ? { vpc: props.store.vpc, vpcSubnets: props.store.vpcSubnets, securityGroups: props.store.securityGroups } : {}),
      environment: {
        ...props.store.environment,
        ...environment,
        ...(props.timingHash ? { TIMING_HASH: props.timingHash } : {}),
        ...(this.linkKey ? { LINK_KEY_ARN: this.linkKey.secretArn } : {}),
        // The pool's password policy for migrated passwords: counted unless the settings say otherwise.
        ...(settingOf('PASSWORD_POLICY') ? {} : { PASSWORD_POLICY: 'warn' }),
        POWERTOOLS_SERVICE_NAME: SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
      },
    });
    props.store.grant(this.function);
    this.linkKey?.grantRead(this.function);

    const pool = props.userPool ?? new cognito.UserPool(this, 'Users', {
      signInAliases: { email: true },
      autoVerify: { email: true },
      customAttributes: {
        // Set by the migration; no app client may write it (writeAttributes), and legacy_proof proves it. Mutable:
        // AdminLinkProviderForUser refuses a user with any immutable custom attribute.
        legacy_id: new cognito.StringAttribute({ mutable: true }),
        migrated_at: new cognito.StringAttribute({ mutable: true }),
        // The link proof: set by the migration or the CSV export, checked by the completion (src/link-proof.ts).
        legacy_proof: new cognito.StringAttribute({ mutable: true }),
        // "totp" when the legacy account had an authenticator: the app sends the user to enrol one (src/totp.ts).
        legacy_mfa: new cognito.StringAttribute({ mutable: true }),
      },
    });
    this.userPool = pool;
    Aspects.of(Stack.of(this)).add(new DeclaredWriteAttributes(pool.userPoolId));
    // Duck-typed: the app's aws-cdk-lib may be another copy than the one this file loads.
    if (typeof (pool as Partial<cognito.UserPool>).addTrigger === 'function') {
      // addTrigger adds Cognito's invoke permission with the pool's ARN as SourceArn.
      const own = pool as cognito.UserPool;
      own.addTrigger(cognito.UserPoolOperation.USER_MIGRATION, this.function);
      // The sign-up guard (src/signup.ts): a sign-up may not take a legacy login that has not migrated.
      if (settingOf('SIGNUP_GUARD') !== 'off') own.addTrigger(cognito.UserPoolOperation.PRE_SIGN_UP, this.function);
      if (completion) {
        own.addTrigger(cognito.UserPoolOperation.POST_AUTHENTICATION, this.function);
        own.addTrigger(cognito.UserPoolOperation.POST_CONFIRMATION, this.function);
      }
    } else {
      this.function.addPermission('CognitoInvoke', { principal: new iam.ServicePrincipal('cognito-idp.amazonaws.com'), sourceArn: pool.userPoolArn, sourceAccount: Stack.of(this).account });
    }
    // IAM only as the settings need: the completion's writes, the pool look-up of REMIGRATE=if-absent, CreateGroup
    // of CREATE_MISSING_GROUPS (read as the function reads it: true, 1 or yes, from either environment).
    const links = ['PG_IDENTITIES_COLUMN', 'MYSQL_IDENTITIES_COLUMN', 'HTTP_IDENTITY_PATH'].some((name) => Boolean(settingOf(name))) || settingOf('LINK_BY_EMAIL') === 'verified';
    const poolActions = [
      ...(completion ? ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminUpdateUserAttributes'] : []),
      ...(settingOf('REMIGRATE') === 'if-absent' ? ['cognito-idp:ListUsers'] : []),
      ...(completion && truthy('CREATE_MISSING_GROUPS') ? ['cognito-idp:CreateGroup'] : []),
      ...((settingOf('PASSWORD_POLICY') ?? 'warn') !== 'off' && !links ? ['cognito-idp:DescribeUserPool'] : []),
      // Linking identities (src/completion.ts, src/federation.ts): the links, and a federated first sign-in's creation of the person's user.
      ...(links ? ['cognito-idp:AdminLinkProviderForUser', 'cognito-idp:AdminCreateUser', 'cognito-idp:AdminSetUserPassword', 'cognito-idp:AdminGetUser', 'cognito-idp:DescribeUserPool', ...(settingOf('REMIGRATE') === 'if-absent' ? [] : ['cognito-idp:ListUsers'])] : []),
    ];
    if (poolActions.length) {
      // A policy of its own: in the function's role policy it would make the function depend on the pool, which
      // depends on the function (its triggers).
      new iam.Policy(this, 'PoolAccess', {
        roles: [this.function.role!],
        statements: [new iam.PolicyStatement({ actions: poolActions, resources: [pool.userPoolArn] })],
      });
    }

    const metric = (name: string) => new cloudwatch.Metric({ namespace: NAMESPACE, metricName: name, dimensionsMap: { service: SERVICE }, statistic: 'Sum', period: Duration.minutes(5) });
    const metrics = (names: string[]) => names.map(metric);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [[
        new cloudwatch.GraphWidget({ title: 'Sign-ins answered, by outcome', stacked: true, width: 12, left: metrics(['migrated', 'found', 'password_policy_failed', 'wrong_password', 'unknown_user', 'user_disabled', 'shadow_would_migrate', 'shadow_found']) }),
        new cloudwatch.GraphWidget({
          title: 'Duration p50 / p99 against Cognito\'s 5 s', width: 12,
          left: [this.function.metricDuration({ statistic: 'p50' }), this.function.metricDuration({ statistic: 'p99' })],
          leftAnnotations: [{ label: 'Cognito gives up', value: 5000 }, { label: 'alarm', value: 3000 }],
        }),
      ], [
        new cloudwatch.GraphWidget({ title: 'Legacy store outages', width: 12, left: metrics(['store_unavailable', 'deadline_exceeded']) }),
        new cloudwatch.GraphWidget({
          title: 'Refusals the legacy data causes, and errors', width: 12,
          left: metrics(['no_hash', 'malformed_hash', 'hash_over_budget', 'ambiguous_login', 'mfa_required', 'reset_required', 'already_migrated', 'cannot_reset', 'invalid_attributes', 'invalid_event', 'configuration_invalid', 'internal_error']),
        }),
      ], [
        new cloudwatch.GraphWidget({ title: 'Migrations completed, and what kept one from completing', width: 12, left: metrics(['completed', 'completion_failed', 'completion_conflict', 'group_missing', 'completion_unproven']) }),
        new cloudwatch.GraphWidget({ title: 'Guessing limit: locked rows; sign-ups refused because a legacy account holds the login; federated first sign-ins linked', width: 12, left: metrics(['locked', 'signup_refused', 'federated_linked']) }),
      ]],
    });

    const sum = (ids: string[], label: string) => new cloudwatch.MathExpression({
      expression: ids.join(' + '), label, period: Duration.minutes(5),
      usingMetrics: Object.fromEntries(ids.map((m) => [m, metric(m)])),
    });
    this.alarms = [
      // The legacy store did not answer: users cannot sign in.
      new cloudwatch.Alarm(this, 'StoreOutage', {
        alarmDescription: 'The legacy store failed or timed out for sign-ins (outcomes store_unavailable and deadline_exceeded).',
        metric: sum(['store_unavailable', 'deadline_exceeded'], 'Store outages'), threshold: 5, evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'SlowSignIns', {
        alarmDescription: 'The trigger\'s p99 duration is above 3 s; Cognito gives up at 5 s.',
        metric: this.function.metricDuration({ statistic: 'p99', period: Duration.minutes(5) }), threshold: 3000, evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      // Lambda's own Errors metric cannot serve: a Cognito trigger refuses a sign-in by throwing.
      new cloudwatch.Alarm(this, 'FunctionErrors', {
        alarmDescription: 'The trigger failed for a reason of its own (outcomes internal_error, configuration_invalid, invalid_attributes, invalid_event).',
        metric: sum(['internal_error', 'configuration_invalid', 'invalid_attributes', 'invalid_event'], 'Function errors'), threshold: 1, evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (props.alarmTopic) for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
