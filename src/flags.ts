/**
 * Reads a legacy store's true/false value the way stores spell it: booleans,
 * `1`/`0`, and `t`/`f`, `true`/`false`, `yes`/`no`, `y`/`n`, `on`/`off` in any
 * case. Anything else (NULL, `2`, `disabled`, a date) is `undefined`, which
 * the caller must treat as "not known": for `enabled`, a refusal.
 *
 * @example
 * ```ts
 * parseFlag('F') // false
 * parseFlag(1) // true
 * parseFlag(null) // undefined
 * ```
 */
export function parseFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value === 1 || value === 1n ? true : value === 0 || value === 0n ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  return undefined;
}

const TRUE = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE = new Set(['f', 'false', 'n', 'no', 'off', '0']);

/**
 * Sets `user.enabled` from a store's raw value, failing closed: a value
 * {@link parseFlag} cannot read disables the user and records a warning
 * naming the field (never the value).
 *
 * @example
 * ```ts
 * applyEnabled(user, row.enabled, 'column "enabled"')
 * ```
 */
export function applyEnabled(user: { enabled?: boolean; warnings?: string[] }, raw: unknown, field: string): void {
  const flag = parseFlag(raw);
  user.enabled = flag === true;
  if (flag === undefined) (user.warnings ??= []).push(`${field} is ${raw === null || raw === undefined ? 'NULL' : 'not a recognised true/false value'}; the user is refused as disabled`);
}
