import { ConfigurationError } from './errors.js';

/** The environment as a plain map, so tests pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a required environment variable.
 *
 * @example
 * ```ts
 * const url = requiredEnv(process.env, 'DATABASE_URL', 'Set it to postgres://user:pass@host:5432/db.')
 * // throws ConfigurationError "DATABASE_URL is required. Set it to …"
 * ```
 */
export function requiredEnv(env: Env, name: string, fix: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(name, `${name} is required`, fix);
  return value;
}

/**
 * Reads an optional environment variable; blank counts as unset.
 *
 * @example
 * ```ts
 * const table = optionalEnv(process.env, 'PG_TABLE') ?? 'users'
 * ```
 */
export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Reads `true`/`false` (also `1`/`0`, `yes`/`no`).
 *
 * @example
 * ```ts
 * booleanEnv(process.env, 'MATCH_EMAIL', false)
 * ```
 */
export function booleanEnv(env: Env, name: string, fallback: boolean): boolean {
  const value = optionalEnv(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigurationError(name, `${name} must be true or false, got "${env[name]}"`, `Set ${name}=true or ${name}=false.`);
}

/**
 * Reads a whole number within bounds.
 *
 * @example
 * ```ts
 * integerEnv(process.env, 'TIMEOUT_MS', { fallback: 3000, min: 100, max: 4500 })
 * ```
 */
export function integerEnv(env: Env, name: string, bounds: { fallback: number; min: number; max: number }): number {
  const text = optionalEnv(env, name);
  if (text === undefined) return bounds.fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigurationError(name, `${name} must be a whole number from ${bounds.min} to ${bounds.max}, got "${text}"`, `Set ${name} within that range or unset it for the default ${bounds.fallback}.`);
  }
  return value;
}

/**
 * Reads one of a fixed set of words.
 *
 * @example
 * ```ts
 * enumEnv(process.env, 'FINAL_USER_STATUS', ['CONFIRMED', 'RESET_REQUIRED'], 'CONFIRMED')
 * ```
 */
export function enumEnv<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = optionalEnv(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(name, `${name} must be one of ${allowed.join(', ')}, got "${value}"`, `Set ${name} to one of those values${suggest(value, allowed)}.`);
  }
  return value as T;
}

/**
 * Reads a JSON value.
 *
 * @example
 * ```ts
 * jsonEnv(process.env, 'ATTRIBUTE_MAP') // { email: 'mail' } or undefined
 * ```
 */
export function jsonEnv(env: Env, name: string): unknown {
  const text = optionalEnv(env, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigurationError(name, `${name} must be valid JSON (${(err as Error).message})`, `Example: ${name}='{"email":"email","custom:legacy_id":"id"}'.`);
  }
}

/**
 * Rejects keys that are not options (typos), naming the closest known one.
 *
 * @example
 * ```ts
 * rejectUnknownKeys('createPostgresStore', { tabel: 'users' }, ['table', 'query'])
 * // throws: createPostgresStore: unknown option "tabel". Did you mean "table"? …
 * ```
 */
export function rejectUnknownKeys(where: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new ConfigurationError(key, `${where}: unknown option "${key}"${suggest(key, known)}`, `Known options: ${known.join(', ')}.`);
    }
  }
}

/**
 * Asserts an option is one of the allowed values.
 *
 * @example
 * ```ts
 * oneOf('createUserMigrationHandler', 'finalUserStatus', opts.finalUserStatus, ['CONFIRMED', 'RESET_REQUIRED'])
 * ```
 */
export function oneOf<T>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new ConfigurationError(name, `${where}: option "${name}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`, `Pass one of those values or leave "${name}" out for the default.`);
  }
  return value as T;
}

/**
 * A "did you mean" tail for an unknown name: the closest candidate within a
 * few edits, or nothing.
 *
 * @example
 * ```ts
 * suggest('PG_TABEL', ['PG_TABLE']) // '. Did you mean "PG_TABLE"?'
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? `. Did you mean "${best}"?` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
