// Each setting declared once (issue 35): its option name, its environment
// variable, its kind, default and bounds, and one line of documentation. The
// environment readers and the option validators both read a setting through
// its declaration, so their bounds cannot drift apart; `doctor` knows every
// variable from the tables, and a test holds the README's configuration table
// to them. Middy declares each option once (defaults plus a schema);
// node-postgres resolves config, then env, then default in one line a setting.
import { type Env, booleanEnv, enumEnv, integerEnv, optionalEnv } from './config.js';
import { ConfigurationError } from './errors.js';

/** One setting, declared once. `text` and `json` settings are read by their component's own code; the table still documents them. */
export type Setting =
  | { env: string; option?: string; kind: 'boolean'; default: boolean; doc: string }
  | { env: string; option?: string; kind: 'integer'; default: number; min: number; max: number; unit?: string; doc: string }
  | { env: string; option?: string; kind: 'enum'; values: readonly string[]; default: string; doc: string }
  | { env: string; option?: string; kind: 'text' | 'json' | 'secret'; default?: string; doc: string };

/**
 * Declares a component's settings, keyed by a short name, keeping each
 * declaration's literal type.
 *
 * @example
 * ```ts
 * const S = settings({ timeout: { env: 'HTTP_TIMEOUT_MS', option: 'timeoutMs', kind: 'integer', default: 1000, min: 10, max: 4800, doc: '…' } })
 * ```
 */
export function settings<const T extends Record<string, Setting>>(table: T): T {
  return table;
}

/**
 * The setting's value from the environment: the declared default when the
 * variable is unset, a `ConfigurationError` naming the variable when it is
 * not of the declared kind or out of the declared bounds.
 *
 * @example
 * ```ts
 * fromEnv(process.env, S.timeout) // 1000, or HTTP_TIMEOUT_MS's value
 * ```
 */
export function fromEnv(env: Env, s: Extract<Setting, { kind: 'integer' }>): number;
export function fromEnv(env: Env, s: Extract<Setting, { kind: 'boolean' }>): boolean;
export function fromEnv<V extends string>(env: Env, s: { kind: 'enum'; env: string; values: readonly V[]; default: string }): V;
export function fromEnv(env: Env, s: Extract<Setting, { kind: 'text' | 'json' | 'secret' }>): string | undefined;
export function fromEnv(env: Env, s: Setting | { kind: 'enum'; env: string; values: readonly string[]; default: string }): unknown {
  switch (s.kind) {
    case 'boolean': return booleanEnv(env, s.env, s.default);
    case 'integer': return integerEnv(env, s.env, { fallback: s.default, min: s.min, max: s.max });
    case 'enum': return enumEnv(env, s.env, s.values, s.default);
    default: return optionalEnv(env, s.env);
  }
}

/**
 * The setting's value given as an option: the declared default when it is
 * undefined, a `ConfigurationError` naming the option and its variable when
 * it is out of the declared bounds.
 *
 * @example
 * ```ts
 * checked('createHttpStore', S.timeout, options.timeoutMs) // 1000 when left out
 * ```
 */
export function checked(where: string, s: Extract<Setting, { kind: 'integer' }>, value: unknown): number;
export function checked(where: string, s: Extract<Setting, { kind: 'boolean' }>, value: unknown): boolean;
export function checked<V extends string>(where: string, s: { kind: 'enum'; env: string; option?: string; values: readonly V[]; default: string }, value: unknown): V;
export function checked(where: string, s: Setting | { kind: 'enum'; env: string; option?: string; values: readonly string[]; default: string }, value: unknown): unknown {
  const name = s.option ?? s.env;
  if (value === undefined) return s.default;
  if (s.kind === 'integer' && !(Number.isInteger(value) && (value as number) >= s.min && (value as number) <= s.max)) {
    throw new ConfigurationError(name, `${where}: option "${name}" must be a whole number${s.unit ? ` of ${s.unit}` : ''} from ${s.min} to ${s.max}, got ${JSON.stringify(value)} (${s.env})`, `Leave it out for ${s.default}.`);
  }
  if (s.kind === 'boolean' && typeof value !== 'boolean') {
    throw new ConfigurationError(name, `${where}: option "${name}" must be one of true, false, got ${JSON.stringify(value)} (${s.env})`, `Leave it out for ${s.default}.`);
  }
  if (s.kind === 'enum' && !s.values.includes(value as string)) {
    throw new ConfigurationError(name, `${where}: option "${name}" must be one of ${s.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)} (${s.env})`, `Leave it out for ${JSON.stringify(s.default)}.`);
  }
  return value;
}

/**
 * The declared default as the README's configuration table shows it.
 *
 * @example
 * ```ts
 * shownDefault(S.timeout) // '`1000`'
 * ```
 */
export function shownDefault(s: Setting): string {
  return s.default === undefined ? '' : `\`${String(s.default)}\``;
}
