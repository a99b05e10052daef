import { createCipheriv } from 'node:crypto';
import { ConfigurationError, UnsupportedHashError } from '../errors.js';
import { decodeBase64, sameBytes } from './encoding.js';
import { MS_PER_UNIT, SCRYPT_LANE_UNITS, estimate } from './work.js';
import type { PasswordVerifier } from './verifier.js';

/**
 * The hash parameters of a Firebase project (Authentication → Users →
 * ⋮ → Password hash parameters in the Firebase console).
 */
export interface FirebaseScryptOptions {
  /** `base64_signer_key`. */
  signerKey: string;
  /** `base64_salt_separator`. */
  saltSeparator: string;
  /** `rounds` (1–8): scrypt's r. */
  rounds: number;
  /** `mem_cost` (1–14): scrypt's N is 2^mem_cost. */
  memCost: number;
  /** Format name the store gives (default `firebase-scrypt`). */
  id?: string;
}

/**
 * Firebase Auth's modified scrypt (github.com/firebase/scrypt): scrypt of the
 * password with the user's salt plus the project's salt separator (N =
 * 2^memCost, r = rounds, p = 1) keys AES-256-CTR, which encrypts the
 * project's signer key; the result is the stored hash. The stored string is
 * `base64salt$base64hash` (the `salt` and `passwordHash` of `firebase
 * auth:export`), named by the store as `firebase-scrypt`.
 *
 * @example
 * ```ts
 * const firebase = createFirebaseScryptVerifier({ signerKey: 'jxspr8…', saltSeparator: 'Bw==', rounds: 8, memCost: 14 })
 * const passwords = createPasswordVerifier({ verifiers: [firebase] })
 * await passwords.verify('pw', '42xEC+ixf3L2lw==$lSrfV15…', 'firebase-scrypt')
 * ```
 */
export function createFirebaseScryptVerifier(options: FirebaseScryptOptions): PasswordVerifier {
  const id = options.id ?? 'firebase-scrypt';
  const signerKey = decodeBase64(options.signerKey ?? '');
  const separator = decodeBase64(options.saltSeparator ?? '');
  if (!signerKey || signerKey.length === 0) throw new ConfigurationError('signerKey', 'the Firebase signer key is missing or not base64', 'Copy base64_signer_key from the project\'s password hash parameters.');
  if (!separator) throw new ConfigurationError('saltSeparator', 'the Firebase salt separator is not base64', 'Copy base64_salt_separator from the project\'s password hash parameters.');
  for (const [name, value, max] of [['rounds', options.rounds, 8], ['memCost', options.memCost, 14]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new ConfigurationError(name, `the Firebase ${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`, 'Copy it from the project\'s password hash parameters.');
  }
  const N = 2 ** options.memCost;
  const r = options.rounds;
  const memory = 128 * N * r;
  const parse = (encoded: string) => {
    const [saltText, hashText, ...rest] = encoded.split('$');
    const salt = saltText ? decodeBase64(saltText) : undefined;
    const hash = hashText ? decodeBase64(hashText) : undefined;
    if (rest.length || !salt || !hash || hash.length !== signerKey.length) throw new UnsupportedHashError('Firebase scrypt', 'expected base64salt$base64hash, the hash as long as the signer key');
    return { salt, hash };
  };
  return {
    id,
    recognizes: () => false,
    primitives: ['scrypt'],
    worker: { factory: 'firebase', options: { ...options, id } },
    cost: (encoded) => (parse(encoded), estimate((N + SCRYPT_LANE_UNITS) * r * MS_PER_UNIT.scryptUnit, memory)),
    verify: async (password, encoded) => {
      const { salt, hash } = parse(encoded);
      const { scryptKey } = await import('./scrypt.js');
      let derived: Buffer;
      try {
        derived = await scryptKey(password, Buffer.concat([salt, separator]), { N, r, p: 1 }, 64);
      } catch {
        throw new UnsupportedHashError('Firebase scrypt', 'the scrypt engine refused the parameters');
      }
      const cipher = createCipheriv('aes-256-ctr', derived.subarray(0, 32), Buffer.alloc(16));
      return sameBytes(Buffer.concat([cipher.update(signerKey), cipher.final()]), hash);
    },
  };
}

/**
 * Reads a Firebase project's hash parameters as the console shows them
 * (`hash_config { algorithm: SCRYPT, base64_signer_key: …, … }`), as JSON
 * with the same names (optionally under `hash_config`), or as
 * {@link FirebaseScryptOptions} JSON. Throws {@link ConfigurationError}
 * naming what is missing; never quotes the key.
 *
 * @example
 * ```ts
 * parseFirebaseHashConfig('hash_config { algorithm: SCRYPT, base64_signer_key: jxspr8…, base64_salt_separator: Bw==, rounds: 8, mem_cost: 14 }')
 * // { signerKey: 'jxspr8…', saltSeparator: 'Bw==', rounds: 8, memCost: 14 }
 * ```
 */
export function parseFirebaseHashConfig(text: string, setting = 'FIREBASE_HASH_CONFIG'): FirebaseScryptOptions {
  let fields: Record<string, unknown> | undefined;
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    fields = (json && typeof json.hash_config === 'object' ? json.hash_config : json) as Record<string, unknown>;
  } catch {
    // The console's text: key: value pairs separated by commas or lines.
    fields = {};
    for (const m of text.matchAll(/([a-z0-9_]+)\s*:\s*([^,\s}]+)/gi)) fields[m[1]!] = m[2];
  }
  const pick = (...names: string[]) => names.map((n) => fields?.[n]).find((v) => v !== undefined);
  const algorithm = pick('algorithm');
  if (algorithm !== undefined && String(algorithm).toUpperCase() !== 'SCRYPT') {
    throw new ConfigurationError(setting, `the Firebase hash algorithm is ${String(algorithm).slice(0, 20)}, not SCRYPT (the only one Firebase uses for its own users)`, 'Copy the project\'s password hash parameters from the Firebase console.');
  }
  const options = {
    signerKey: String(pick('base64_signer_key', 'signerKey') ?? ''),
    saltSeparator: String(pick('base64_salt_separator', 'saltSeparator') ?? ''),
    rounds: Number(pick('rounds')),
    memCost: Number(pick('mem_cost', 'memCost')),
  };
  const missing = Object.entries(options).filter(([, v]) => v === '' || Number.isNaN(v)).map(([k]) => k);
  if (missing.length) throw new ConfigurationError(setting, `the Firebase hash parameters lack ${missing.join(', ')}`, 'Give base64_signer_key, base64_salt_separator, rounds and mem_cost as the Firebase console shows them.');
  // Their values are checked where they are used: createFirebaseScryptVerifier says what is wrong with each.
  return options;
}

/**
 * The Firebase verifier with its hash parameters read from a secret
 * (`FIREBASE_HASH_CONFIG_ARN`): the signer key is a secret and belongs in
 * Secrets Manager, not in the function's environment. The parameters are read
 * once (started when the verifier is made, so a cold start reads them before
 * the first sign-in; a failed read is tried again); a verification runs on the
 * worker thread like the verifier built from the text itself.
 *
 * @example
 * ```ts
 * const firebase = createFirebaseScryptVerifierFrom(() => readSecretString(arn, 'FIREBASE_HASH_CONFIG_ARN', fix))
 * ```
 */
export function createFirebaseScryptVerifierFrom(read: () => Promise<string>, id = 'firebase-scrypt'): PasswordVerifier {
  let built: PasswordVerifier | undefined;
  let loading: Promise<PasswordVerifier> | undefined;
  const load = () => {
    loading ??= read().then(
      (text) => (built = createFirebaseScryptVerifier({ ...parseFirebaseHashConfig(text, 'FIREBASE_HASH_CONFIG_ARN'), id })),
      (err: unknown) => {
        loading = undefined;
        throw new ConfigurationError('FIREBASE_HASH_CONFIG_ARN', `the Firebase hash parameters could not be read from the secret (${err instanceof Error ? err.name : 'error'})`, 'Check FIREBASE_HASH_CONFIG_ARN and the function\'s secretsmanager:GetSecretValue on it; the secret holds the console\'s hash_config text.');
      },
    );
    return loading;
  };
  load().catch(() => {});
  return {
    id,
    recognizes: () => false,
    primitives: ['scrypt'],
    // Read by the registry after `cost`, which waits for the parameters.
    get worker() {
      return built?.worker;
    },
    cost: async (encoded, passwordBytes) => (await load()).cost!(encoded, passwordBytes),
    verify: async (password, encoded) => (await load()).verify(password, encoded),
  };
}
