// What every SQL adapter's environment reading shares: the RDS-format secret,
// the CA bundle Lambda ships, and which hosts are local enough for no TLS.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { ConfigurationError } from './errors.js';
import { readSecretString } from './secrets.js';

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
