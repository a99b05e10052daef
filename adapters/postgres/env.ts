import type pg from 'pg';
import { type Env, enumEnv, optionalEnv } from '../../src/config.js';
import { ConfigurationError } from '../../src/errors.js';
import { databaseSource, isLocalHost, readRdsSecret, sqlStoreEnv, trustedCertificates } from '../sql/env.js';
import { type PostgresStore, type PostgresStoreOptions, createPostgresStore } from './store.js';

/**
 * Builds the PostgreSQL store from environment variables (see the README's
 * configuration table): `DATABASE_URL` or `DATABASE_SECRET_ARN`, `PG_TABLE`,
 * `PG_COLUMNS`, `PG_QUERY`, `PG_CONNECT_TIMEOUT_MS`, `PG_QUERY_TIMEOUT_MS`, `PG_SSL`,
 * `PG_SSL_CA_FILE`, `PG_MARK_MIGRATED_COLUMN`.
 *
 * TLS: certificate-verified (`verify-full`) for every host but loopback,
 * whether the settings come from the URL or the secret, with the public roots
 * plus the Amazon (RDS) roots Lambda ships in `/var/runtime/ca-cert.pem` (or
 * `PG_SSL_CA_FILE`). `PG_SSL=disable` or `sslmode=disable` turns it off; a URL
 * `sslmode` that contradicts `PG_SSL` is a configuration error.
 *
 * @example
 * ```ts
 * const store = postgresStoreFromEnv(process.env)
 * ```
 */
export function postgresStoreFromEnv(env: Env, extra: Pick<PostgresStoreOptions, 'clientFactory'> = {}): PostgresStore {
  const { url, secretArn } = databaseSource(env, 'postgres://user:pass@host:5432/db');
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL must start with postgres:// or postgresql://', 'Example: postgres://user:pass@host:5432/db.');
  }
  const explicit = optionalEnv(env, 'PG_SSL') === undefined ? undefined : enumEnv(env, 'PG_SSL', SSL_MODES, 'verify-full');
  const parsedUrl = url ? stripSslParams(url) : undefined;
  if (explicit && parsedUrl?.mode && parsedUrl.mode !== explicit) {
    throw new ConfigurationError('PG_SSL', `PG_SSL=${explicit} contradicts sslmode in DATABASE_URL (${parsedUrl.mode})`, 'Say the TLS mode once: remove sslmode from the URL, or make the two agree.');
  }
  const caFile = optionalEnv(env, 'PG_SSL_CA_FILE') ?? parsedUrl?.rootCert;
  const modeFor = (host: string | undefined) => explicit ?? parsedUrl?.mode ?? (isLocalHost(host) ? 'disable' : 'verify-full');
  const sslFor = async (host: string | undefined): Promise<pg.ClientConfig['ssl']> => {
    const mode = modeFor(host);
    if (mode === 'disable') return false;
    if (mode === 'require') return { rejectUnauthorized: false };
    return { rejectUnauthorized: true, ca: await trustedCertificates(caFile, 'PG_SSL_CA_FILE') };
  };
  // The URL's own ssl parameters are removed, so the mode decided here is the one pg uses.
  const connection: PostgresStoreOptions['connection'] = parsedUrl
    ? Object.assign(async () => ({ connectionString: parsedUrl.url, ssl: await sslFor(parsedUrl.host) }), { fromSecret: false })
    : async () => {
      const settings = await readRdsSecret(secretArn!, { port: 5432, database: 'postgres' });
      return { ...settings, ssl: await sslFor(settings.host) };
    };
  return createPostgresStore({
    connection,
    ...sqlStoreEnv(env, 'PG'),
    ...extra,
  });
}

const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];
const URL_MODES: Record<string, SslMode> = { disable: 'disable', require: 'require', 'verify-ca': 'verify-full', 'verify-full': 'verify-full' };

/** The URL without its ssl* parameters (pg would let them override the ssl setting), and what they said. */
function stripSslParams(url: string): { url: string; host: string | undefined; mode?: SslMode; rootCert?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError('DATABASE_URL', 'DATABASE_URL is not a valid URL', 'Example: postgres://user:pass@host:5432/db (percent-encode special characters in the password).');
  }
  const out: { url: string; host: string | undefined; mode?: SslMode; rootCert?: string } = { url: '', host: decodeURIComponent(parsed.hostname) || parsed.searchParams.get('host') || undefined };
  const sslmode = parsed.searchParams.get('sslmode') ?? (parsed.searchParams.get('ssl') === 'true' ? 'verify-full' : parsed.searchParams.get('ssl') === 'false' ? 'disable' : null);
  if (sslmode !== null) {
    const mode = URL_MODES[sslmode];
    if (!mode) {
      throw new ConfigurationError('DATABASE_URL', `sslmode=${sslmode} in DATABASE_URL may fall back to no TLS, which this function does not do`, 'Use sslmode=verify-full (the default for remote hosts), require, or disable.');
    }
    out.mode = mode;
  }
  if (parsed.searchParams.has('sslcert') || parsed.searchParams.has('sslkey')) {
    throw new ConfigurationError('DATABASE_URL', 'client certificates (sslcert, sslkey) in DATABASE_URL are not supported', 'Authenticate with a password or IAM through the secret.');
  }
  const rootCert = parsed.searchParams.get('sslrootcert');
  if (rootCert) out.rootCert = rootCert;
  for (const key of [...parsed.searchParams.keys()]) if (key === 'ssl' || key.startsWith('ssl')) parsed.searchParams.delete(key);
  out.url = parsed.toString();
  return out;
}
