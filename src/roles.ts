// Legacy roles as stores hold them, read into a list: what a store answers
// from its link write-back and what the completion maps to Cognito groups.
// Apart from the completion flow, so that a store never imports a flow.

/**
 * Legacy roles as a column or an API holds them: an array, a JSON array, or
 * comma-separated text. Blank entries and repeats are dropped; anything else
 * reads as no roles.
 *
 * @example
 * ```ts
 * parseRoles('{admin,staff}') // PostgreSQL text[] as text: ['admin', 'staff']
 * parseRoles('["admin","staff"]') // ['admin', 'staff']
 * parseRoles('admin, staff') // ['admin', 'staff']
 * ```
 */
export function parseRoles(value: unknown): string[] {
  let list: unknown[] = [];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) list = parsed;
      } catch {
        list = [];
      }
    } else {
      list = (text.startsWith('{') && text.endsWith('}') ? text.slice(1, -1) : text).split(',').map((r) => r.replace(/^"(.*)"$/, '$1'));
    }
  }
  const roles = new Set<string>();
  for (const r of list) if (typeof r === 'string' && r.trim()) roles.add(r.trim());
  return [...roles];
}
