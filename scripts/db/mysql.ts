// `cognito-migrate db index` for MySQL and MariaDB: one index per lookup
// column, added online (ALGORITHM=INPLACE, LOCK=NONE), proven with EXPLAIN.
import { type Collations, identitySideTableSql, lookupPlan, quoteTable, resolveColumns } from '../../adapters/mysql/sql.js';
import { identitySql } from '../../adapters/sql/rows.js';
import { BASE_OPTIONS, connectMysql } from '../../adapters/mysql/store.js';
import type { SqlColumns } from '../../adapters/sql/rows.js';
import { EXIT, type Io, UsageError } from '../cli/command.js';

const TEXT_TYPES = new Set(['text', 'tinytext', 'mediumtext', 'longtext', 'blob', 'tinyblob', 'mediumblob', 'longblob']);

/**
 * Prints (or with `apply` adds) the indexes the lookup mode needs on a MySQL table.
 * @example await mysqlIndex('mysql://app@db/legacy', { table: 'users', mode: { matchEmail: true, caseInsensitive: true }, apply: false, json: false }, io)
 */
export async function mysqlIndex(url: string, options: { table: string; columns?: Partial<SqlColumns>; mode: { matchEmail: boolean; caseInsensitive: boolean }; apply: boolean; json: boolean }, io: Io): Promise<number> {
  let quotedTable: string;
  let columns: SqlColumns;
  try {
    quotedTable = quoteTable(options.table, 'db index');
    columns = resolveColumns(options.columns, 'db index');
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\.$/, ''));
  }
  const conn = await connectMysql({ ...BASE_OPTIONS, uri: url });
  const say = (text: string) => { if (!options.json) io.out(text); };
  try {
    const [schema, name] = options.table.includes('.') ? options.table.split('.') : [null, options.table];
    const [colRows] = await conn.execute('SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?', [schema, name]);
    const info = new Map((colRows as Array<{ name: string; collation: string | null; type: string }>).map((r) => [r.name, r]));
    if (info.size === 0) throw new UsageError(`table ${options.table} does not exist (or the user cannot see it)`);
    const collations: Collations = new Map([...info].map(([n, r]) => [n, r.collation ?? '']));
    const plan = lookupPlan(quotedTable, columns, options.mode, collations);
    const statements: string[] = [];
    const unindexable: string[] = [];
    const indexed: Array<{ column: string; index: string }> = [];
    for (const probe of plan.probes) {
      if (!probe.indexable) { unindexable.push(probe.column); continue; }
      const [idx] = await conn.execute('SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ? AND SEQ_IN_INDEX = 1 LIMIT 1', [schema, name, probe.column]);
      const found = (idx as Array<{ name: string }>)[0]?.name;
      if (found) { indexed.push({ column: probe.column, index: found }); continue; }
      // TEXT columns can only be indexed on a prefix; 191 characters fit InnoDB's key limit in utf8mb4.
      const prefix = TEXT_TYPES.has(String(info.get(probe.column)?.type).toLowerCase()) ? '(191)' : '';
      statements.push(`ALTER TABLE ${quotedTable} ADD INDEX \`${`${name}_${probe.column}_cm`.slice(0, 64)}\` (\`${probe.column}\`${prefix}), ALGORITHM=INPLACE, LOCK=NONE`);
    }
    // The identity lookup (a federated first sign-in's row): a side table kept by triggers, when the columns name identities.
    const [idRows] = await conn.execute('SELECT COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?', [schema, name, columns.id]);
    const identity = columns.identities ? identitySideTableSql(quotedTable, name!, columns.identitiesTable ?? `${name}_cm_identities`.slice(0, 64), { id: columns.id, identities: columns.identities }, String((idRows as Array<{ type: string }>)[0]?.type ?? 'varchar(255)')) : undefined;
    const [sideRows] = identity ? await conn.execute('SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = COALESCE(?, DATABASE()) AND EVENT_OBJECT_TABLE = ? AND TRIGGER_NAME LIKE ?', [schema, name, `${name}_cm_identities_%`]) : [[{ n: 3 }]];
    if (identity && Number((sideRows as Array<{ n: number }>)[0]?.n) < 3) statements.push(...identity.create, identity.backfill);
    for (const column of unindexable) say(`${column} has a case-sensitive collation, so the case-insensitive lookup cannot use an index: give it a _ci collation (ALTER TABLE ${quotedTable} MODIFY … COLLATE utf8mb4_unicode_ci), or turn CASE_INSENSITIVE off\n`);
    if (statements.length === 0 && unindexable.length === 0) say(`Every lookup probe of this mode already uses an index: ${indexed.map((i) => `${i.column} → ${i.index}`).join(', ')}\n`);
    else if (!options.apply) say(statements.map((s) => `${s};\n`).join(''));
    const applied: string[] = [];
    if (options.apply) {
      for (const statement of statements) {
        say(`${statement};\n`);
        await conn.query(statement);
        applied.push(statement);
      }
      await conn.query(`ANALYZE TABLE ${quotedTable}`);
    }
    // The proof: no step of the lookup's plan scans the table.
    const [explained] = await conn.execute(`EXPLAIN ${plan.sql}`, Array(plan.params).fill('cognito-migrate-explain@example.com'));
    // Only the table's own rows count: derived tables and the UNION's result are small and always read whole.
    const scans = (explained as Array<{ type?: string; table?: string }>).filter((r) => (r.table === name || r.table === 'u') && String(r.type).toUpperCase() === 'ALL');
    if (options.apply) say(scans.length ? `  the lookup still scans ${options.table}\n` : '  the lookup uses an index at every step\n');
    let identityIndexed = true;
    if (identity) {
      const lookup = identitySql(quotedTable, columns.identities!, 'mysql', { provider: 'Google', sub: 'cognito-migrate-explain' }, { quotedTable: identity.sideTable, id: columns.id });
      const [plan] = await conn.execute(`EXPLAIN ${lookup.sql}`, lookup.values as string[]).catch(() => [[{ type: 'ALL' }]]);
      identityIndexed = !(plan as Array<{ type?: string }>).some((r) => String(r.type).toUpperCase() === 'ALL');
      say(`  ${columns.identities} (identities): ${identityIndexed ? `the lookup joins ${identity.sideTable} on its index; set MYSQL_IDENTITIES_TABLE=${identity.sideTable.split('.').pop()!.replace(/`/g, '')}` : `not indexed yet${options.apply ? '' : ' (run with --apply)'}`}\n`);
    }
    if (options.json) io.out(`${JSON.stringify({ table: options.table, mode: options.mode, statements, applied, indexed, unindexable, scans: scans.length, ...(identity ? { identities: { table: identity.sideTable.split('.').pop()!.replace(/`/g, ''), used: identityIndexed } } : {}) }, null, 2)}\n`);
    return options.apply && (scans.length > 0 || unindexable.length > 0 || !identityIndexed) ? EXIT.findings : EXIT.ok;
  } finally {
    await conn.end();
  }
}
