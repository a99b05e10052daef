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
  ldap: (e: string) => /^\{S?(SHA|MD5|SHA256|SHA512)\}/i.test(e),
} as const;

export type BuiltInFormat = keyof typeof RECOGNIZE;
