import type { LookupQuery } from '../../src/types.js';
import { identitySql } from '../sql/rows.js';
import type { PostgresColumns } from './store.js';

/** One index probe of a lookup: the column it searches and how. */
export interface LookupProbe {
  column: string;
  /** Compared case-insensitively through lower() (a citext column is compared as it is instead). */
  folded: boolean;
  /** The WHERE condition, with $1 for the login. */
  condition: string;
  /** The index that serves the condition. */
  index: { name: string; expression: string };
}

/** The lookup statement of a mode, and the probes it is made of. */
export interface LookupPlan {
  sql: string;
  probes: LookupProbe[];
}

/**
 * The SQL for one lookup mode, written so that every probe can be one index
 * lookup: a plain column, or `lower(column)` (or a citext column as it is)
 * for case-insensitive modes. Matching emails too is two probes joined on the
 * id, never an `OR` of the two, which defeats both indexes. It reads at most
 * two rows: a second one makes the login ambiguous, whichever it is.
 *
 * @example
 * ```ts
 * lookupPlan('"legacy"."users"', 'legacy.users', columns, { matchEmail: true, caseInsensitive: true }, new Set()).sql
 * ```
 */
export function lookupPlan(quotedTable: string, table: string, columns: PostgresColumns, mode: Pick<LookupQuery, 'matchEmail' | 'caseInsensitive'>, citext: ReadonlySet<string>): LookupPlan {
  const probe = (column: string): LookupProbe => {
    const folded = mode.caseInsensitive && !citext.has(column);
    const quoted = `"${column}"`;
    const expression = folded ? `lower(${quoted})` : quoted;
    return {
      column, folded,
      condition: folded ? `lower(${quoted}) = lower($1)` : `${quoted} = $1`,
      index: { name: indexName(table, column, folded), expression },
    };
  };
  const probes = [probe(columns.username), ...(mode.matchEmail ? [probe(columns.email)] : [])];
  const order = 'LIMIT 2';
  if (probes.length === 1) return { probes, sql: `SELECT * FROM ${quotedTable} WHERE ${probes[0]!.condition} ${order}` };
  const id = `"${columns.id}"`;
  const union = probes.map((p) => `(SELECT ${id} FROM ${quotedTable} WHERE ${p.condition} LIMIT 2)`).join(' UNION ');
  return { probes, sql: `SELECT * FROM ${quotedTable} WHERE ${id} IN (${union}) ${order}` };
}

/**
 * The statement that creates a probe's index without blocking writes; safe to run twice.
 *
 * @example
 * ```ts
 * createIndexSql('"legacy"."users"', probe) // CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email_lower_cm" ON "legacy"."users" (lower("email"))
 * ```
 */
export function createIndexSql(quotedTable: string, probe: LookupProbe): string {
  // The index lands in its table's schema; its name cannot be qualified.
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${probe.index.name}" ON ${quotedTable} (${probe.index.expression})`;
}

/**
 * The identity lookup's index (issue 33): a GIN index over the column read as
 * jsonb, which `@>` (identitySql in adapters/sql/rows.ts) uses; safe to run twice.
 * @example identityIndexSql('"legacy"."users"', 'legacy.users', 'identities') // { name: 'users_identities_cm', statement: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS … USING gin …' }
 */
export function identityIndexSql(quotedTable: string, table: string, column: string): { name: string; statement: string } {
  const name = indexName(table, column, false);
  return { name, statement: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON ${quotedTable} USING gin ((CAST("${column}" AS jsonb)) jsonb_path_ops)` };
}

/**
 * Whether the identity lookup uses its index now (the plan names it).
 * @example await identityIndexUsed(query, '"legacy"."users"', 'identities', 'users_identities_cm') // true
 */
export async function identityIndexUsed(query: (text: string, values: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>, quotedTable: string, column: string, name: string): Promise<boolean> {
  const { sql, values } = identitySql(quotedTable, column, 'postgres', { provider: 'cognito-migrate-explain', sub: 'x' });
  const { rows } = await query(`EXPLAIN (FORMAT JSON) ${sql}`, values);
  return JSON.stringify(rows).includes(`"Index Name":"${name}"`);
}

function indexName(table: string, column: string, folded: boolean): string {
  const base = table.split('.').pop()!;
  return `${base}_${column}${folded ? '_lower' : ''}_cm`.slice(0, 63);
}

/**
 * The lookup columns of type citext (compared case-insensitively as they are).
 *
 * @example
 * ```ts
 * await citextColumns((text, values) => client.query(text, values), '"legacy"."users"', ['username', 'email'])
 * ```
 */
export async function citextColumns(query: (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>, quotedTable: string, names: string[]): Promise<Set<string>> {
  const { rows } = await query(
    "SELECT a.attname AS name FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass($1) AND t.typname = 'citext' AND a.attname = ANY($2)",
    [quotedTable, names],
  );
  return new Set(rows.map((r) => String(r.name)));
}
