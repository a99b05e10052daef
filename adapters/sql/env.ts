// What every SQL adapter's environment reading shares: the RDS-format secret,
// the CA bundle Lambda ships, and which hosts are local enough for no TLS.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { type Env, jsonEnv, optionalEnv } from '../../src/config.js';
import { fromEnv } from '../../src/settings.js';
import { sqlSettings } from './settings.js';
import { ConfigurationError } from '../../src/errors.js';
import { readSecretString } from '../../src/secrets.js';
import type { SqlColumns } from './rows.js';

/** Connection settings from an RDS-managed Secrets Manager secret. */
export interface RdsSettings {
  user: string;
  password: string;
  host: string;
  port: number;
  database: string;
}

/**
 * Reads an RDS-format secret (`{"username","password","host","port","dbname"}`).
 * @example await readRdsSecret(process.env.DATABASE_SECRET_ARN!, { port: 3306, database: 'mysql' })
 */
export async function readRdsSecret(arn: string, defaults: { port: number; database: string }): Promise<RdsSettings> {
  const fix = 'Store {"username","password","host","port","dbname"} as the secret string.';
  const text = await readSecretString(arn, 'DATABASE_SECRET_ARN', fix);
  let secret: { username?: string; password?: string; host?: string; port?: number | string; dbname?: string };
  try {
    secret = JSON.parse(text) as typeof secret;
  } catch {
    throw new ConfigurationError('DATABASE_SECRET_ARN', 'the secret is not JSON in the RDS shape', fix);
  }
  for (const key of ['username', 'password', 'host'] as const) {
    if (!secret[key]) throw new ConfigurationError('DATABASE_SECRET_ARN', `the secret has no "${key}"`, fix);
  }
  return { user: secret.username!, password: secret.password!, host: secret.host!, port: secret.port === undefined ? defaults.port : Number(secret.port), database: secret.dbname ?? defaults.database };
}

// Lambda's Node.js 20+ runtimes no longer load Amazon's root CAs (RDS among them) by default, but ship them in this file.
const LAMBDA_CA_FILE = '/var/runtime/ca-cert.pem';

/**
 * The CAs a verified TLS connection trusts: the public roots plus `file`, or
 * Lambda's Amazon roots when no file is named (and they exist).
 * @example const ca = await trustedCertificates(process.env.PG_SSL_CA_FILE, 'PG_SSL_CA_FILE')
 */
export async function trustedCertificates(file: string | undefined, setting: string): Promise<string[]> {
  try {
    return [...rootCertificates, await readFile(file ?? LAMBDA_CA_FILE, 'utf8')];
  } catch (err) {
    if (file) throw new ConfigurationError(setting, `the CA bundle could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, `Point ${setting} at a PEM file packaged with the function.`);
    return [...rootCertificates];
  }
}

/**
 * Loopback and Unix-socket hosts, where no TLS is the sensible default.
 * @example isLocalHost('127.0.0.1') // true
 */
export function isLocalHost(host: string | undefined): boolean {
  if (!host) return true;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.startsWith('/');
}

/**
 * Where a SQL store's connection comes from: `DATABASE_URL` or
 * `DATABASE_SECRET_ARN`, exactly one, the ARN well-formed. The URL's scheme is
 * the adapter's to check.
 * @example const { url, secretArn } = databaseSource(env, 'mysql://user:pass@host:3306/db')
 */
export function databaseSource(env: Env, example: string): { url?: string; secretArn?: string } {
  const url = optionalEnv(env, 'DATABASE_URL');
  const secretArn = optionalEnv(env, 'DATABASE_SECRET_ARN');
  if (!url && !secretArn) {
    throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is required (or DATABASE_SECRET_ARN)', `Set DATABASE_URL=${example}, or DATABASE_SECRET_ARN to an RDS-format Secrets Manager secret.`);
  }
  if (url && secretArn) throw new ConfigurationError('DATABASE_SECRET_ARN', 'DATABASE_URL and DATABASE_SECRET_ARN are both set', 'Set only one of them.');
  if (secretArn && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+/.test(secretArn)) {
    throw new ConfigurationError('DATABASE_SECRET_ARN', 'DATABASE_SECRET_ARN must be a Secrets Manager secret ARN', 'Example: arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-db-AbCdEf.');
  }
  return { ...(url ? { url } : {}), ...(secretArn ? { secretArn } : {}) };
}

/**
 * The store options every SQL adapter reads from its `PREFIX_` variables:
 * table, columns, custom query, migrated marker and time limits.
 * @example createMysqlStore({ connection, ...sqlStoreEnv(env, 'MYSQL') })
 */
export function sqlStoreEnv(env: Env, prefix: 'PG' | 'MYSQL') {
  const columns = jsonEnv(env, `${prefix}_COLUMNS`);
  if (columns !== undefined && (typeof columns !== 'object' || columns === null || Array.isArray(columns))) {
    throw new ConfigurationError(`${prefix}_COLUMNS`, `${prefix}_COLUMNS must be a JSON object`, `Example: ${prefix}_COLUMNS={"username":"login","passwordHash":"pw_hash"}.`);
  }
  const table = optionalEnv(env, `${prefix}_TABLE`);
  const query = optionalEnv(env, `${prefix}_QUERY`);
  const markColumn = optionalEnv(env, `${prefix}_MARK_MIGRATED_COLUMN`);
  const subColumn = optionalEnv(env, `${prefix}_COGNITO_SUB_COLUMN`);
  const subTimeColumn = optionalEnv(env, `${prefix}_COGNITO_SUB_TIME_COLUMN`);
  const groupsColumn = optionalEnv(env, `${prefix}_GROUPS_COLUMN`);
  const identitiesColumn = optionalEnv(env, `${prefix}_IDENTITIES_COLUMN`);
  const identitiesTable = prefix === 'MYSQL' ? optionalEnv(env, 'MYSQL_IDENTITIES_TABLE') : undefined;
  if (subTimeColumn && !subColumn) {
    throw new ConfigurationError(`${prefix}_COGNITO_SUB_TIME_COLUMN`, `${prefix}_COGNITO_SUB_TIME_COLUMN is set but ${prefix}_COGNITO_SUB_COLUMN is not: the time goes with the sub`, `Set ${prefix}_COGNITO_SUB_COLUMN=cognito_sub too, or unset the time column.`);
  }
  return {
    ...(table ? { table } : {}),
    ...(query ? { query } : {}),
    ...(columns || identitiesColumn || identitiesTable ? { columns: { ...(columns as Partial<SqlColumns> | undefined), ...(identitiesColumn ? { identities: identitiesColumn } : {}), ...(identitiesTable ? { identitiesTable } : {}) } } : {}),
    ...(markColumn ? { markMigrated: { column: markColumn } } : {}),
    ...(subColumn ? { cognitoSub: { column: subColumn, ...(subTimeColumn ? { timeColumn: subTimeColumn } : {}) } } : {}),
    ...(groupsColumn ? { groupsColumn } : {}),
    connectTimeoutMs: fromEnv(env, sqlSettings(prefix).connectTimeoutMs),
    queryTimeoutMs: fromEnv(env, sqlSettings(prefix).queryTimeoutMs),
  };
}
