// Everything a real sign-in needs, on this machine: PostgreSQL with legacy
// users, the built function behind a local Lambda Invoke API, and cognito-local
// with a user pool whose UserMigration trigger is that function.
import {
  CognitoIdentityProviderClient, CreateGroupCommand, CreateUserPoolClientCommand, CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import pg from 'pg';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCognitoLocal } from './cognito-local.mjs';
import { startLambdaServer } from './lambda-server.mjs';
import { freePort, startPostgres } from './postgres.mjs';
import { DEMO_ATTRIBUTE_MAP, seedLegacyUsers } from './seed.mjs';

// This machine runs Node 20; the SDK's notice about its support window is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FUNCTION_NAME = 'cognito-migrate';

/** The local stack's link key: a fixed value, for this machine's emulator only. */
export const LOCAL_LINK_KEY = 'local-stack-link-key-not-a-secret-0123456789';

/** The function's ledger and group settings when the stack completes migrations. */
export const LEDGER_ENV = {
  PG_COGNITO_SUB_COLUMN: 'cognito_sub',
  PG_COGNITO_SUB_TIME_COLUMN: 'cognito_linked_at',
  PG_GROUPS_COLUMN: 'roles',
  GROUP_MAP: JSON.stringify({ ROLE_ADMIN: 'admins', ROLE_SUPPORT: 'support' }),
  // The link proof's key (src/link-proof.ts); a deployed function reads a generated secret (LINK_KEY_ARN) instead.
  LINK_KEY: LOCAL_LINK_KEY,
};

async function addLedger(url, table) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(`ALTER TABLE ${table} ADD COLUMN cognito_sub text, ADD COLUMN cognito_linked_at timestamptz, ADD COLUMN roles text[]`);
    await client.query(`UPDATE ${table} SET roles = CASE username WHEN 'alice' THEN '{ROLE_ADMIN}'::text[] WHEN 'carol' THEN '{ROLE_SUPPORT}'::text[] END`);
  } finally {
    await client.end();
  }
}

/**
 * Starts the stack; `stop()` ends every process it started, in reverse order.
 * @param {{ schema?: string, functionEnv?: Record<string,string>, completion?: boolean, signUpGuard?: boolean, onLog?: (line: string) => void, log?: (line: string) => void, maxConcurrency?: number }} [options]
 *   `completion: true` wires the function as Post authentication and Post confirmation trigger too, lets it call the
 *   emulator's Cognito API (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) as the deployed function calls its pool, and
 *   gives it a ledger: the legacy table gets cognito_sub, cognito_linked_at and roles columns (alice is ROLE_ADMIN,
 *   carol ROLE_SUPPORT), GROUP_MAP maps them to the pool's groups admins and support; `signUpGuard: true` wires it as
 *   Pre sign-up trigger (cognito-local calls it on SignUp)
 * @example
 * const stack = await startLocalStack(); try { … stack.idp.send(new InitiateAuthCommand(…)) } finally { await stack.stop() }
 */
export async function startLocalStack({ schema = 'legacy', functionEnv = {}, completion = false, signUpGuard = false, onLog = () => {}, log = () => {}, maxConcurrency = 4 } = {}) {
  const stops = [];
  const stop = async () => {
    while (stops.length) await stops.pop()().catch(() => {});
  };
  try {
    const db = await startPostgres({ log });
    stops.push(db.stop);
    const table = await seedLegacyUsers(db.url, { schema });
    if (completion) await addLedger(db.url, table);
    const cognitoPort = await freePort();
    const lambda = await startLambdaServer({
      maxConcurrency,
      onLog,
      functions: {
        [FUNCTION_NAME]: {
          file: join(root, 'dist', 'postgres', 'index.mjs'),
          env: {
            DATABASE_URL: db.url,
            PG_TABLE: table,
            MATCH_EMAIL: 'true',
            CASE_INSENSITIVE: 'true',
            ATTRIBUTE_MAP: JSON.stringify(DEMO_ATTRIBUTE_MAP),
            POWERTOOLS_METRICS_NAMESPACE: 'CognitoMigrateLocal',
            ...(completion ? { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${cognitoPort}`, ...LEDGER_ENV } : {}),
            ...functionEnv,
          },
        },
      },
    });
    stops.push(() => lambda.close());
    const cognito = await startCognitoLocal({ lambdaEndpoint: lambda.url, userMigration: FUNCTION_NAME, ...(completion ? { completion: FUNCTION_NAME } : {}), ...(signUpGuard ? { preSignUp: FUNCTION_NAME } : {}), port: cognitoPort, log });
    stops.push(() => cognito.stop());
    const idp = new CognitoIdentityProviderClient({
      endpoint: cognito.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stops.push(async () => idp.destroy());
    const pool = await idp.send(new CreateUserPoolCommand({
      PoolName: 'migrated-users',
      UsernameAttributes: ['email'],
      // As template.yaml declares them: the legacy id is set once by the migration; the completion's mark is written later.
      Schema: [
        { Name: 'legacy_id', AttributeDataType: 'String', Mutable: true },
        { Name: 'migrated_at', AttributeDataType: 'String', Mutable: true },
        { Name: 'legacy_proof', AttributeDataType: 'String', Mutable: true },
        { Name: 'legacy_mfa', AttributeDataType: 'String', Mutable: true },
      ],
    }));
    const userPoolId = pool.UserPool.Id;
    if (completion) for (const GroupName of ['admins', 'support']) await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
    const app = await idp.send(new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    return { db, table, lambda, cognito, idp, userPoolId, clientId: app.UserPoolClient.ClientId, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
