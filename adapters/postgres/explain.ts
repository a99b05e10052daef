import { type LookupPlan, type LookupProbe, createIndexSql } from './lookup.js';

type Query = (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** Above this many rows, a lookup that scans the table costs a sign-in too much. */
export const SCAN_ROWS_LIMIT = 10_000;

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Schema'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan tree. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The plan PostgreSQL would use for a statement with `$1` set to a sample
 * login: EXPLAIN only, never ANALYZE, so nothing runs.
 *
 * @example
 * ```ts
 * const plan = await explain(query, 'SELECT * FROM users WHERE email = $1', 'x@example.com')
 * ```
 */
export async function explain(query: Query, sql: string, login: string): Promise<PlanNode> {
  const { rows } = await query(`EXPLAIN (FORMAT JSON) ${sql}`, [login]);
  const raw = rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
  return parsed[0]!.Plan;
}

/**
 * The relations a plan reads with a sequential scan.
 *
 * @example
 * ```ts
 * scannedRelations(plan) // ['legacy.users']
 * ```
 */
export function scannedRelations(plan: PlanNode): string[] {
  return nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name']).map((n) => (n.Schema ? `${n.Schema}.${n['Relation Name']}` : n['Relation Name']!));
}

/**
 * The planner's row estimate for a relation (`pg_class.reltuples`; from its
 * pages when it was never analysed).
 *
 * @example
 * ```ts
 * await estimatedRows(query, '"legacy"."users"') // 1000000
 * ```
 */
export async function estimatedRows(query: Query, relation: string): Promise<number> {
  const { rows } = await query('SELECT reltuples::float8 AS tuples, relpages::float8 AS pages FROM pg_class WHERE oid = to_regclass($1)', [relation]);
  const tuples = Number(rows[0]?.tuples ?? 0);
  return tuples >= 0 ? tuples : Number(rows[0]?.pages ?? 0) * 50;
}

/** What the lookup of one mode needs: each probe that scans a large table, with the statement that fixes it. */
export interface IndexAdvice {
  rows: number;
  missing: Array<{ probe: LookupProbe; statement: string }>;
  indexed: Array<{ probe: LookupProbe; index: string }>;
}

/**
 * EXPLAINs each probe of a lookup and says which ones would scan the table.
 *
 * @example
 * ```ts
 * const advice = await indexAdvice(query, store.quotedTable, plan)
 * for (const m of advice.missing) console.log(m.statement)
 * ```
 */
export async function indexAdvice(query: Query, quotedTable: string, plan: LookupPlan, login = 'cognito-migrate-explain@example.com'): Promise<IndexAdvice> {
  const rows = await estimatedRows(query, quotedTable);
  const advice: IndexAdvice = { rows, missing: [], indexed: [] };
  for (const probe of plan.probes) {
    const tree = await explain(query, `SELECT 1 FROM ${quotedTable} WHERE ${probe.condition} LIMIT 2`, login);
    const index = nodes(tree).find((n) => n['Index Name'])?.['Index Name'];
    if (scannedRelations(tree).length > 0 || !index) advice.missing.push({ probe, statement: createIndexSql(quotedTable, probe) });
    else advice.indexed.push({ probe, index });
  }
  return advice;
}
