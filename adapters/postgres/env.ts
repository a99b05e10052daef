import type pg from 'pg';
import { type Env, enumEnv, integerEnv, jsonEnv, optionalEnv } from '../../src/config.js';
import { ConfigurationError } from '../../src/errors.js';
import { readSecretString } from '../../src/secrets.js';
import { type PostgresColumns, type PostgresStore, type PostgresStoreOptions, createPostgresStore } from './store.js';

/** The JSON shape of an RDS-managed Secrets Manager secret. */
interface RdsSecret {
  username?: string;
  password?: string;
  host?: string;
  port?: number | string;
  dbname?: string;
}

/**
 * Builds the PostgreSQL store from environment variables (see the README's
 * configuration table): `DATABASE_URL` or `DATABASE_SECRET_ARN`, `PG_TABLE`,
 * `PG_COLUMNS`, `PG_QUERY`, `PG_CONNECT_TIMEOUT_MS`, `PG_QUERY_TIMEOUT_MS`, `PG_SSL`.
 *
 * @example
 * ```ts
 * const store = postgresStoreFromEnv(process.env)
 * ```
 */
export function postgresStoreFromEnv(env: Env, extra: Pick<PostgresStoreOptions, 'clientFactory'> = {}): PostgresStore {
  const url = optionalEnv(env, 'DATABASE_URL');
  const secretArn = optionalEnv(env, 'DATABASE_SECRET_ARN');
  if (!url && !secretArn) {
    throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is required (or DATABASE_SECRET_ARN)', 'Set DATABASE_URL=postgres://user:pass@host:5432/db, or DATABASE_SECRET_ARN to an RDS-format Secrets Manager secret.');
  }
  if (url && secretArn) {
    throw new ConfigurationError('DATABASE_SECRET_ARN', 'DATABASE_URL and DATABASE_SECRET_ARN are both set', 'Set only one of them.');
  }
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL must start with postgres:// or postgresql://', 'Example: postgres://user:pass@host:5432/db.');
  }
  if (secretArn && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/.test(secretArn)) {
    throw new ConfigurationError('DATABASE_SECRET_ARN', 'DATABASE_SECRET_ARN must be a Secrets Manager secret ARN', 'Example: arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-db-AbCdEf.');
  }
  const ssl = enumEnv(env, 'PG_SSL', ['disable', 'require', 'verify-full'] as const, url ? 'disable' : 'verify-full');
  const columns = jsonEnv(env, 'PG_COLUMNS');
  if (columns !== undefined && (typeof columns !== 'object' || columns === null || Array.isArray(columns))) {
    throw new ConfigurationError('PG_COLUMNS', 'PG_COLUMNS must be a JSON object', 'Example: PG_COLUMNS={"username":"login","passwordHash":"pw_hash"}.');
  }
  const sslConfig: pg.ClientConfig['ssl'] = ssl === 'disable' ? undefined : { rejectUnauthorized: ssl === 'verify-full' };
  const connection: PostgresStoreOptions['connection'] = url
    ? { connectionString: url, ...(sslConfig ? { ssl: sslConfig } : {}) }
    : async () => ({ ...(await readRdsSecret(secretArn!)), ...(sslConfig ? { ssl: sslConfig } : {}) });
  const query = optionalEnv(env, 'PG_QUERY');
  const table = optionalEnv(env, 'PG_TABLE');
  return createPostgresStore({
    connection,
    ...(table ? { table } : {}),
    ...(query ? { query } : {}),
    ...(columns ? { columns: columns as Partial<PostgresColumns> } : {}),
    connectTimeoutMs: integerEnv(env, 'PG_CONNECT_TIMEOUT_MS', { fallback: 1000, min: 50, max: 4800 }),
    queryTimeoutMs: integerEnv(env, 'PG_QUERY_TIMEOUT_MS', { fallback: 1000, min: 50, max: 4800 }),
    ...extra,
  });
}

async function readRdsSecret(arn: string): Promise<pg.ClientConfig> {
  const fix = 'Store {"username","password","host","port","dbname"} as the secret string.';
  const text = await readSecretString(arn, 'DATABASE_SECRET_ARN', fix);
  let secret: RdsSecret;
  try {
    secret = JSON.parse(text) as RdsSecret;
  } catch {
    throw new ConfigurationError('DATABASE_SECRET_ARN', 'the secret is not JSON in the RDS shape', fix);
  }
  for (const key of ['username', 'password', 'host'] as const) {
    if (!secret[key]) throw new ConfigurationError('DATABASE_SECRET_ARN', `the secret has no "${key}"`, fix);
  }
  return {
    user: secret.username,
    password: secret.password,
    host: secret.host,
    port: secret.port === undefined ? 5432 : Number(secret.port),
    database: secret.dbname ?? 'postgres',
  };
}
