// The facts of Cognito's hash import (REFERENCE.md §1): the column, the
// algorithms, their bounds. Shared by the export, the linter and the runner.
import { describeShape } from '../passwords/registry.js';
import { DEFAULT_CONVERSIONS, type HashConversion, parseConvertible, parseScryptLayout, toPublishedLayout } from './hash-convert.js';

/** The algorithms CreateUserImportJob accepts for password hashes. */
export type ImportHashAlgorithm = 'BCRYPT' | 'SCRYPT' | 'ARGON2ID' | 'PBKDF2_SHA256';

/**
 * The bounds Cognito's hash import enforces (developer guide, "Importing users
 * with password hashes", as REFERENCE.md §1 reads it): a hash over one fails
 * that user's import.
 */
export const IMPORT_BOUNDS = { bcryptCost: 12, argon2: { m: 19456, t: 2, p: 1, v: 19 }, pbkdf2Iterations: 600_000, scrypt: { N: 65536, r: 8, p: 1 } } as const;

/** The column of the pool's CSV header that carries the hash (no `cognito:` prefix). */
export const HASH_COLUMN = 'password_hash';

/** What {@link importability} says of a hash Cognito can take: its algorithm and the string to write. */
export interface Importable {
  algorithm: ImportHashAlgorithm;
  /** The hash as the import file carries it: the stored one, or its re-encoding. */
  hash: string;
  /** The legacy format it was re-encoded from, when it was. */
  convertedFrom?: string;
}

/** Options of {@link importability}. */
export interface ImportabilityOptions {
  /** Re-encodings to apply (default {@link DEFAULT_CONVERSIONS}: PBKDF2 only). */
  conversions?: readonly HashConversion[];
}

const pbkdf2Verdict = (iterations: number, hash: string, convertedFrom?: string): Importable | { reason: string } =>
  iterations <= IMPORT_BOUNDS.pbkdf2Iterations
    ? { algorithm: 'PBKDF2_SHA256', hash, ...(convertedFrom ? { convertedFrom } : {}) }
    : { reason: `PBKDF2-SHA256 at ${iterations} iterations is over the import bound ${IMPORT_BOUNDS.pbkdf2Iterations}` };

const scryptVerdict = ({ N, r, p }: { N: number; r: number; p: number }, hash: string, convertedFrom?: string): Importable | { reason: string } => {
  const b = IMPORT_BOUNDS.scrypt;
  return N <= b.N && r <= b.r && p <= b.p
    ? { algorithm: 'SCRYPT', hash, ...(convertedFrom ? { convertedFrom } : {}) }
    : { reason: `scrypt N=${N} r=${r} p=${p} is over the import bounds (N ≤ ${b.N}, r ≤ ${b.r}, p ≤ ${b.p})` };
};

/**
 * Whether a stored hash can go into an import job, under which
 * `PasswordHashingAlgorithm`, and as which string: bcrypt and PHC Argon2id go
 * in unchanged, Django and Werkzeug PBKDF2-SHA256 are re-encoded to the
 * published layout, passlib and Werkzeug scrypt too when `conversions` has
 * `scrypt`. When not, why, naming the format and never the hash.
 *
 * @example
 * ```ts
 * importability('$2b$10$…') // { algorithm: 'BCRYPT', hash: '$2b$10$…' }
 * importability('pbkdf2_sha256$600000$salt$…') // { algorithm: 'PBKDF2_SHA256', hash: '$pbkdf2-sha256$600000$…', convertedFrom: 'Django pbkdf2_sha256' }
 * importability('$2b$14$…') // { reason: 'bcrypt cost 14 is over the import bound 12' }
 * ```
 */
export function importability(hash: string | undefined, options: ImportabilityOptions = {}): Importable | { reason: string } | undefined {
  if (!hash) return undefined;
  const conversions = options.conversions ?? DEFAULT_CONVERSIONS;
  const cost = bcryptCost(hash);
  if (cost >= 0) {
    return cost <= IMPORT_BOUNDS.bcryptCost ? { algorithm: 'BCRYPT', hash } : { reason: `bcrypt cost ${cost} is over the import bound ${IMPORT_BOUNDS.bcryptCost}` };
  }
  if (hash.startsWith('$argon2id$')) {
    const params = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    if (!params) return { reason: 'Argon2id without v=19 and m, t, p in that order' };
    const [v, m, t, p] = params.slice(1).map(Number) as [number, number, number, number];
    const b = IMPORT_BOUNDS.argon2;
    if (v !== b.v || m > b.m || t > b.t || p > b.p) return { reason: `Argon2id v=${v} m=${m} t=${t} p=${p} is over the import bounds (v=${b.v}, m ≤ ${b.m}, t ≤ ${b.t}, p ≤ ${b.p})` };
    return { algorithm: 'ARGON2ID', hash };
  }
  const pbkdf2 = /^\$pbkdf2-sha256\$(\d+)\$/.exec(hash);
  if (pbkdf2) return pbkdf2Verdict(Number(pbkdf2[1]), hash);
  const published = parseScryptLayout(hash);
  if (published) return scryptVerdict(published, hash);
  const legacy = parseConvertible(hash);
  if (legacy) {
    // Bounds first: a hash over them is left out whether or not its conversion is on.
    const over = legacy.kind === 'pbkdf2' ? pbkdf2Verdict(legacy.iterations, '') : scryptVerdict(legacy, '');
    if ('reason' in over) return over;
    if (!conversions.includes(legacy.kind)) return { reason: `${legacy.source} needs re-encoding to the published layout, and the ${legacy.kind} conversion is off (--convert ${legacy.kind} turns it on)` };
    const converted = toPublishedLayout(legacy);
    return legacy.kind === 'pbkdf2' ? pbkdf2Verdict(legacy.iterations, converted, legacy.source) : scryptVerdict(legacy, converted, legacy.source);
  }
  if (hash.startsWith('$scrypt$') || hash.startsWith('scrypt:')) return { reason: 'scrypt in a layout no conversion reads (passlib $scrypt$ln=…,r=…,p=… and Werkzeug scrypt:N:r:p are read)' };
  if (hash.startsWith('pbkdf2_sha256$') || hash.startsWith('pbkdf2:sha256:')) return { reason: 'PBKDF2-SHA256 in a layout no conversion reads (Django pbkdf2_sha256$iterations$salt$base64, Werkzeug pbkdf2:sha256:iterations$salt$hex)' };
  return { reason: `${describeShape(hash)} is no format Cognito imports (BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256)` };
}

/**
 * The cost of a `$2a$`/`$2b$`/`$2x$`/`$2y$` bcrypt string, or -1 for anything
 * else: `/^\$2[abxy]\$(\d{2})\$/` read by hand, as the export asks it of every user.
 *
 * @example
 * ```ts
 * bcryptCost('$2b$10$…') // 10
 * ```
 */
export function bcryptCost(hash: string): number {
  if (hash.length < 7 || hash.charCodeAt(0) !== 36 || hash.charCodeAt(1) !== 50 || hash.charCodeAt(3) !== 36 || hash.charCodeAt(6) !== 36) return -1;
  const variant = hash.charCodeAt(2);
  if (variant !== 97 && variant !== 98 && variant !== 120 && variant !== 121) return -1;
  const tens = hash.charCodeAt(4) - 48;
  const ones = hash.charCodeAt(5) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * The import algorithm a stored hash fits within the published bounds, if any.
 *
 * @example
 * ```ts
 * importAlgorithmOf('$2b$10$…') // 'BCRYPT'
 * ```
 */
export function importAlgorithmOf(hash: string | undefined, options?: ImportabilityOptions): ImportHashAlgorithm | undefined {
  const verdict = importability(hash, options);
  return verdict && 'algorithm' in verdict ? verdict.algorithm : undefined;
}

/** Every `PasswordHashingAlgorithm` CreateUserImportJob accepts. */
export const IMPORT_ALGORITHMS: readonly ImportHashAlgorithm[] = ['BCRYPT', 'SCRYPT', 'ARGON2ID', 'PBKDF2_SHA256'];

/**
 * What is wrong with one non-empty `password_hash` in a job with the given
 * `PasswordHashingAlgorithm` (or none), as a rule and its fix; undefined when
 * Cognito will take it. Never quotes the hash.
 *
 * @example
 * ```ts
 * hashProblem('$2b$13$…', 'BCRYPT') // { rule: 'Cognito cannot import this hash: bcrypt cost 13 …', fix: … }
 * ```
 */
export function hashProblem(hash: string, algorithm: ImportHashAlgorithm | undefined): { rule: string; fix: string } | undefined {
  if (!algorithm) return { rule: 'the user has a password hash but the job has no PasswordHashingAlgorithm', fix: 'Give --password-hash-algorithm (one algorithm per file; import --manifest takes each file\'s from the manifest), or empty the column (the user resets the password).' };
  const verdict = importability(hash, { conversions: ['pbkdf2', 'scrypt'] });
  if (verdict && 'reason' in verdict) return { rule: `Cognito cannot import this hash: ${verdict.reason}`, fix: 'Leave the user out for the sign-in trigger (csv export does), or empty the column.' };
  if (verdict?.convertedFrom) return { rule: `a ${verdict.convertedFrom} hash, which Cognito takes only re-encoded to the published ${verdict.algorithm} layout`, fix: 'Export with cognito-migrate csv export, which re-encodes it, or empty the column.' };
  if (verdict && verdict.algorithm !== algorithm) return { rule: `a ${verdict.algorithm} hash in a ${algorithm} file: one algorithm per job`, fix: 'Move the user to a file of its algorithm (csv export writes one file set per algorithm).' };
  return undefined;
}
