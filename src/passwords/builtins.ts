import { bcryptVerifier } from './bcrypt.js';
import { type BuiltInFormat, RECOGNIZE } from './formats.js';
import type { PasswordVerifier } from './verifier.js';

// Each format's code is loaded the first time one of its hashes shows up,
// on whichever thread needs it (parsing for the cost estimate on the main
// thread, computing in the verification worker).
function lazy(id: BuiltInFormat, load: () => Promise<PasswordVerifier>): PasswordVerifier {
  let loading: Promise<PasswordVerifier> | undefined;
  const get = () => (loading ??= load());
  return {
    id,
    recognizes: RECOGNIZE[id],
    worker: { factory: 'builtin', id },
    cost: async (encoded, passwordBytes) => (await get()).cost!(encoded, passwordBytes),
    verify: async (password, encoded) => (await get()).verify(password, encoded),
  };
}

/**
 * Every format read out of the box, recognised from the stored string.
 *
 * @example
 * ```ts
 * builtInVerifiers.find((v) => v.recognizes('$6$salt$…'))?.id // 'sha-crypt'
 * ```
 */
export const builtInVerifiers: readonly PasswordVerifier[] = [
  bcryptVerifier,
  lazy('argon2', async () => (await import('./argon2.js')).argon2Verifier),
  lazy('scrypt', async () => (await import('./scrypt.js')).scryptVerifier),
  lazy('werkzeug-scrypt', async () => (await import('./scrypt.js')).werkzeugScryptVerifier),
  lazy('django-pbkdf2', async () => (await import('./pbkdf2.js')).djangoPbkdf2Verifier),
  lazy('werkzeug-pbkdf2', async () => (await import('./pbkdf2.js')).werkzeugPbkdf2Verifier),
  lazy('passlib-pbkdf2', async () => (await import('./pbkdf2.js')).passlibPbkdf2Verifier),
  lazy('sha-crypt', async () => (await import('./crypt.js')).shaCryptVerifier),
  lazy('md5-crypt', async () => (await import('./crypt.js')).md5CryptVerifier),
  lazy('phpass', async () => (await import('./crypt.js')).phpassVerifier),
  lazy('django-digest', async () => (await import('./digest.js')).djangoDigestVerifier),
  lazy('ldap', async () => (await import('./digest.js')).ldapVerifier),
  lazy('wordpress', async () => (await import('./prehash.js')).wordpressVerifier),
  lazy('bcrypt-sha256', async () => (await import('./prehash.js')).bcryptSha256Verifier),
  lazy('meteor', async () => (await import('./prehash.js')).meteorVerifier),
  lazy('drupal7', async () => (await import('./crypt.js')).drupal7Verifier),
  lazy('spring', async () => (await import('./spring.js')).springVerifier),
  lazy('aspnet-identity', async () => (await import('./aspnet.js')).aspnetIdentityVerifier),
  lazy('keycloak', async () => (await import('./keycloak.js')).keycloakVerifier),
];
