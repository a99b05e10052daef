import { ConfigurationError } from './errors.js';

/**
 * Reads a Secrets Manager secret's string value. The SDK is loaded only here,
 * on first use; the Lambda runtime provides it, so no bundle carries it.
 *
 * @example
 * ```ts
 * const token = await readSecretString(process.env.HTTP_AUTH_SECRET_ARN!, 'HTTP_AUTH_SECRET_ARN', 'Store the Authorization header value.')
 * ```
 */
export async function readSecretString(arn: string, setting: string, fix: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new ConfigurationError(setting, 'the secret has no string value', fix);
  return out.SecretString;
}
