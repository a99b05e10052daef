/** The `{id}`s of Spring Security's DelegatingPasswordEncoder that the spring verifier reads. */
export const SPRING_IDS = ['bcrypt', 'pbkdf2', 'pbkdf2@SpringSecurity_v5_8', 'scrypt', 'scrypt@SpringSecurity_v5_8', 'argon2', 'argon2@SpringSecurity_v5_8', 'sha256', 'MD5', 'SHA-1', 'SHA-256', 'ldap', 'noop'] as const;

/**
 * A stored string's Spring `{id}` prefix, as the first group.
 * @example SPRING_ID.exec('{bcrypt}$2a$10$…')?.[1] // 'bcrypt'
 */
export const SPRING_ID = new RegExp(`^\\{(${SPRING_IDS.join('|')})\\}`);
const SPRING_MD5 = /^\{MD5\}(\{[^}]*\})?[0-9a-f]{32}$/;
const SPRING_SHA256 = /^\{sha256\}[0-9a-f]*$/;

/**
 * How each built-in format is recognised from the stored string. Kept apart
 * from the implementations so the registry can recognise every format at cold
 * start while loading an implementation only when its first hash shows up.
 */
export const RECOGNIZE = {
  bcrypt: (e: string) => e.startsWith('$2'),
  argon2: (e: string) => /^\$argon2(id|i|d)\$/.test(e),
  scrypt: (e: string) => e.startsWith('$scrypt$'),
  'werkzeug-scrypt': (e: string) => e.startsWith('scrypt:'),
  'django-pbkdf2': (e: string) => e.startsWith('pbkdf2_sha256$') || e.startsWith('pbkdf2_sha1$'),
  'werkzeug-pbkdf2': (e: string) => e.startsWith('pbkdf2:'),
  'passlib-pbkdf2': (e: string) => /^\$pbkdf2(-sha(1|256|512))?\$/.test(e),
  'sha-crypt': (e: string) => e.startsWith('$5$') || e.startsWith('$6$'),
  'md5-crypt': (e: string) => e.startsWith('$1$') || e.startsWith('$apr1$'),
  phpass: (e: string) => e.startsWith('$P$') || e.startsWith('$H$'),
  'django-digest': (e: string) => e.startsWith('sha1$') || e.startsWith('md5$'),
  // Spring's {MD5} and {sha256} are hex (MD5 with an optional {salt}); LDAP's are base64, so they never overlap.
  ldap: (e: string) => /^\{S?(SHA|MD5|SHA256|SHA512)\}/i.test(e) && !SPRING_MD5.test(e) && !SPRING_SHA256.test(e),
  wordpress: (e: string) => e.startsWith('$wp$2'),
  'bcrypt-sha256': (e: string) => e.startsWith('bcrypt_sha256$') || e.startsWith('$bcrypt-sha256$'),
  drupal7: (e: string) => e.startsWith('$S$') || e.startsWith('U$S$'),
  spring: (e: string) => SPRING_ID.test(e) && (!e.startsWith('{MD5}') || SPRING_MD5.test(e)) && (!e.startsWith('{sha256}') || SPRING_SHA256.test(e)),
  // Named by the store only: their strings look like any base64, bcrypt or JSON.
  'aspnet-identity': () => false,
  keycloak: () => false,
  meteor: () => false,
} as const;

export type BuiltInFormat = keyof typeof RECOGNIZE;
