import type { ConnectionOptions } from 'mysql2/promise';
import { type Env, enumEnv, optionalEnv } from '../../src/config.js';
import { databaseSource, isLocalHost, readRdsSecret, sqlStoreEnv, trustedCertificates } from '../sql/env.js';
import { ConfigurationError } from '../../src/errors.js';
import { type MysqlStore, type MysqlStoreOptions, createMysqlStore } from './store.js';

const SSL_MODES = ['disable', 'require', 'verify-full'] as const;

/**
 * Builds the MySQL/MariaDB store from environment variables (README,
 * "Configuration"): `DATABASE_URL` (`mysql://` or `mariadb://`) or
 * `DATABASE_SECRET_ARN`, `MYSQL_TABLE`, `MYSQL_COLUMNS`, `MYSQL_QUERY`,
 * `MYSQL_CONNECT_TIMEOUT_MS`, `MYSQL_QUERY_TIMEOUT_MS`, `MYSQL_SSL`,
 * `MYSQL_SSL_CA_FILE`, `MYSQL_MARK_MIGRATED_COLUMN`.
 *
 * TLS as for PostgreSQL: verified (`verify-full`) for every host but
 * loopback, with the public roots plus Lambda's Amazon roots (or
 * `MYSQL_SSL_CA_FILE`); `MYSQL_SSL=disable` turns it off. TLS settings in
 * the URL are refused, so the mode decided here is the one the driver uses.
 *
 * @example
 * ```ts
 * const store = mysqlStoreFromEnv(process.env)
 * ```
 */
export function mysqlStoreFromEnv(env: Env, extra: Pick<MysqlStoreOptions, 'connect'> = {}): MysqlStore {
  const { url, secretArn } = databaseSource(env, 'mysql://user:pass@host:3306/db');
  let parsed: URL | undefined;
  if (url) {
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is not a valid URL', 'Example: mysql://user:pass@host:3306/db (percent-encode special characters in the password).');
    }
    if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL must start with mysql:// or mariadb://', 'Example: mysql://user:pass@host:3306/db.');
    if ([...parsed.searchParams.keys()].some((k) => k.toLowerCase().startsWith('ssl'))) {
      throw new ConfigurationError('DATABASE_URL', 'TLS settings in DATABASE_URL are not read', 'Remove them and set MYSQL_SSL (verify-full by default for remote hosts, require, or disable).');
    }
    parsed.protocol = 'mysql:';
  }
  const mode = optionalEnv(env, 'MYSQL_SSL') === undefined ? undefined : enumEnv(env, 'MYSQL_SSL', SSL_MODES, 'verify-full');
  const caFile = optionalEnv(env, 'MYSQL_SSL_CA_FILE');
  const sslFor = async (host: string | undefined): Promise<ConnectionOptions['ssl']> => {
    const m = mode ?? (isLocalHost(host) ? 'disable' : 'verify-full');
    if (m === 'disable') return undefined;
    if (m === 'require') return { rejectUnauthorized: false };
    return { rejectUnauthorized: true, ca: await trustedCertificates(caFile, 'MYSQL_SSL_CA_FILE') };
  };
  const connection = parsed
    ? Object.assign(async (): Promise<ConnectionOptions> => {
      const ssl = await sslFor(decodeURIComponent(parsed.hostname));
      return { uri: parsed.toString(), ...(ssl ? { ssl } : {}) };
    }, { fromSecret: false })
    : async (): Promise<ConnectionOptions> => {
      const s = await readRdsSecret(secretArn!, { port: 3306, database: 'mysql' });
      const ssl = await sslFor(s.host);
      return { ...s, ...(ssl ? { ssl } : {}) };
    };
  return createMysqlStore({
    connection,
    ...sqlStoreEnv(env, 'MYSQL'),
    ...extra,
  });
}
