import { UnsupportedHashError } from '../errors.js';
import { decodeBase64 } from './encoding.js';
import { RECOGNIZE } from './formats.js';
import { checkedPbkdf2, pbkdf2Cost, pbkdf2Matches } from './pbkdf2.js';
import type { PasswordVerifier } from './verifier.js';

const FORMAT = 'Keycloak credential';
const PBKDF2_DIGESTS: Record<string, string> = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' };

type Parsed =
  | { kind: 'pbkdf2'; hash: ReturnType<typeof checkedPbkdf2> }
  | { kind: 'argon2'; phc: string };

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

function object(value: unknown): Record<string, unknown> | undefined {
  try {
    const parsed = typeof value === 'string' ? JSON.parse(value) : value;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

// additionalParameters values are lists of strings in Keycloak's exports.
const param = (params: Record<string, unknown> | undefined, name: string) => {
  const v = params?.[name];
  return String(Array.isArray(v) ? v[0] : v ?? '');
};

function parse(encoded: string): Parsed {
  const credential = object(encoded);
  const secret = object(credential?.secretData);
  const data = object(credential?.credentialData);
  const value = typeof secret?.value === 'string' ? decodeBase64(secret.value) : undefined;
  const salt = typeof secret?.salt === 'string' ? decodeBase64(secret.salt) : undefined;
  const algorithm = typeof data?.algorithm === 'string' ? data.algorithm : '';
  const iterations = data?.hashIterations;
  if (!value || !salt || typeof iterations !== 'number') {
    throw new UnsupportedHashError(FORMAT, 'expected a JSON credential with secretData {value, salt} and credentialData {hashIterations, algorithm}');
  }
  const digest = PBKDF2_DIGESTS[algorithm];
  if (digest) return { kind: 'pbkdf2', hash: checkedPbkdf2({ format: `Keycloak ${algorithm}`, salt, iterations, digest, expected: value }) };
  if (algorithm === 'argon2') {
    const params = object(data?.additionalParameters);
    const type = param(params, 'type') || 'id';
    const version = param(params, 'version') === '1.0' ? 16 : 19;
    const m = Number(param(params, 'memory'));
    const p = Number(param(params, 'parallelism') || '1');
    if (!['id', 'i', 'd'].includes(type) || !Number.isInteger(m) || m < 1) throw new UnsupportedHashError('Keycloak argon2', 'the additionalParameters need type id|i|d and a memory in KiB');
    // The same computation written as a PHC string, for the Argon2 verifier (and its cost check).
    return { kind: 'argon2', phc: `$argon2${type}$v=${version}$m=${m},t=${iterations},p=${p}$${b64(salt)}$${b64(value)}` };
  }
  throw new UnsupportedHashError(FORMAT, 'the algorithm must be pbkdf2, pbkdf2-sha256, pbkdf2-sha512 or argon2');
}

const argon2 = async () => (await import('./argon2.js')).argon2Verifier;

/**
 * Keycloak password credentials as a realm export holds them: the JSON
 * credential (or just `{secretData, credentialData}`), each part an object
 * or the JSON string Keycloak writes. PBKDF2 (`pbkdf2`, `pbkdf2-sha256`,
 * `pbkdf2-sha512`) and Argon2 (Keycloak 24+). Named by the store
 * (`hashFormat: 'keycloak'`).
 *
 * @example
 * ```ts
 * await verifyPassword('pw', JSON.stringify(credential), { format: 'keycloak' })
 * ```
 */
export const keycloakVerifier: PasswordVerifier = {
  id: 'keycloak',
  recognizes: RECOGNIZE.keycloak,
  worker: { factory: 'builtin', id: 'keycloak' },
  async cost(encoded, passwordBytes) {
    const parsed = parse(encoded);
    return parsed.kind === 'pbkdf2' ? pbkdf2Cost(parsed.hash) : (await argon2()).cost!(parsed.phc, passwordBytes);
  },
  async verify(password, encoded) {
    const parsed = parse(encoded);
    return parsed.kind === 'pbkdf2' ? pbkdf2Matches(password, parsed.hash) : (await argon2()).verify(password, parsed.phc);
  },
};
