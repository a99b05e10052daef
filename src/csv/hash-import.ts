// The facts of Cognito's hash import (REFERENCE.md §1): the column, the
// algorithms, their bounds. Shared by the export, the linter and the runner.
import { describeShape } from '../passwords/registry.js';

/** The algorithms CreateUserImportJob accepts for password hashes. */
export type ImportHashAlgorithm = 'BCRYPT' | 'SCRYPT' | 'ARGON2ID' | 'PBKDF2_SHA256';

/**
 * The bounds Cognito's hash import enforces (developer guide, "Importing users
 * with password hashes", as REFERENCE.md §1 reads it): a hash over one fails
 * that user's import.
 */
export const IMPORT_BOUNDS = { bcryptCost: 12, argon2: { m: 19456, t: 2, p: 1, v: 19 }, pbkdf2Iterations: 600_000 } as const;

/** The column of the pool's CSV header that carries the hash (no `cognito:` prefix). */
export const HASH_COLUMN = 'password_hash';

/**
 * Whether a stored hash can go into an import job as it is, and under which
 * `PasswordHashingAlgorithm`; when not, why, naming the format and never the
 * hash. Formats Cognito takes only after re-encoding (passlib and Werkzeug
 * scrypt, Django and Werkzeug PBKDF2) are not importable until that
 * conversion exists: the published layouts are not in the sources here.
 *
 * @example
 * ```ts
 * importability('$2b$10$…') // { algorithm: 'BCRYPT' }
 * importability('$2b$14$…') // { reason: 'bcrypt cost 14 is over the import bound 12' }
 * ```
 */
export function importability(hash: string | undefined): { algorithm: ImportHashAlgorithm } | { reason: string } | undefined {
  if (!hash) return undefined;
  const bcrypt = /^\$2[abxy]\$(\d{2})\$/.exec(hash);
  if (bcrypt) {
    const cost = Number(bcrypt[1]);
    return cost <= IMPORT_BOUNDS.bcryptCost ? { algorithm: 'BCRYPT' } : { reason: `bcrypt cost ${cost} is over the import bound ${IMPORT_BOUNDS.bcryptCost}` };
  }
  if (hash.startsWith('$argon2id$')) {
    const params = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    if (!params) return { reason: 'Argon2id without v=19 and m, t, p in that order' };
    const [v, m, t, p] = params.slice(1).map(Number) as [number, number, number, number];
    const b = IMPORT_BOUNDS.argon2;
    if (v !== b.v || m > b.m || t > b.t || p > b.p) return { reason: `Argon2id v=${v} m=${m} t=${t} p=${p} is over the import bounds (v=${b.v}, m ≤ ${b.m}, t ≤ ${b.t}, p ≤ ${b.p})` };
    return { algorithm: 'ARGON2ID' };
  }
  const pbkdf2 = /^\$pbkdf2-sha256\$(\d+)\$/.exec(hash);
  if (pbkdf2) {
    const iterations = Number(pbkdf2[1]);
    return iterations <= IMPORT_BOUNDS.pbkdf2Iterations ? { algorithm: 'PBKDF2_SHA256' } : { reason: `PBKDF2-SHA256 at ${iterations} iterations is over the import bound ${IMPORT_BOUNDS.pbkdf2Iterations}` };
  }
  if (hash.startsWith('$scrypt$') || hash.startsWith('scrypt:')) return { reason: 'scrypt in a layout other than the published SCRYPT one (the conversion is not built yet)' };
  if (hash.startsWith('pbkdf2_sha256$') || hash.startsWith('pbkdf2:sha256:')) return { reason: 'PBKDF2-SHA256 that needs re-encoding to the published layout (the conversion is not built yet)' };
  return { reason: `${describeShape(hash)} is no format Cognito imports (BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256)` };
}

/**
 * The import algorithm a stored hash fits within the published bounds, if any.
 *
 * @example
 * ```ts
 * importAlgorithmOf('$2b$10$…') // 'BCRYPT'
 * ```
 */
export function importAlgorithmOf(hash: string | undefined): ImportHashAlgorithm | undefined {
  const verdict = importability(hash);
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
  const verdict = importability(hash);
  if (verdict && 'reason' in verdict) return { rule: `Cognito cannot import this hash: ${verdict.reason}`, fix: 'Leave the user out for the sign-in trigger (csv export does), or empty the column.' };
  if (verdict && verdict.algorithm !== algorithm) return { rule: `a ${verdict.algorithm} hash in a ${algorithm} file: one algorithm per job`, fix: 'Move the user to a file of its algorithm (csv export writes one file set per algorithm).' };
  return undefined;
}
