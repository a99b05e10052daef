// `cognito-migrate db index`: the indexes that make every lookup mode one index probe.
import PgClient from 'pg/lib/client.js';
import { indexAdvice } from '../../adapters/postgres/explain.js';
import { citextColumns, lookupPlan, identityIndexSql, identityIndexUsed } from '../../adapters/postgres/lookup.js';
import { quoteTable, resolveColumns } from '../../adapters/postgres/sql.js';
import type { PostgresColumns } from '../../adapters/postgres/store.js';
import { type Command, EXIT, type Io, UsageError, jsonOption, parse } from '../cli/command.js';
import { databaseUrl, isMysqlUrl } from '../cli/database-url.js';

const USAGE = `Usage: cognito-migrate db index --table T [--match-email] [--case-insensitive] [--columns JSON] [--database-url-file FILE] [--apply] [--json]

Prints the CREATE INDEX CONCURRENTLY IF NOT EXISTS statements the lookup mode
needs, so that every lookup is one index probe: the username (and with
--match-email the email), as the column or lower(column) (--case-insensitive;
a citext column is indexed as it is). It reads the plans with EXPLAIN (never
ANALYZE) and prints only what is missing.

With --apply it runs them, without blocking writes (CONCURRENTLY), showing the
progress, analyses the table, then proves with EXPLAIN that each lookup uses an
index. Running it again does nothing.

The database URL comes from DATABASE_URL or --database-url-file FILE. A
mysql:// (or mariadb://) URL indexes a MySQL or MariaDB table instead: one
index per lookup column, added online (ALGORITHM=INPLACE, LOCK=NONE), a TEXT
column on its first 191 characters; the column's _ci collation serves both
lookup modes.
Exit code 1 when a lookup still scans the table after --apply.`;

interface PgLike {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

async function dbIndex(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'index') throw new UsageError(sub === undefined ? 'a subcommand is required: index' : `unknown subcommand "${sub}": use index`);
  const { values } = parse(rest, {
    table: { type: 'string' }, 'match-email': { type: 'boolean', default: false }, 'case-insensitive': { type: 'boolean', default: false },
    columns: { type: 'string' }, 'database-url-file': { type: 'string' }, apply: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  });
  if (!values.table) throw new UsageError('--table T is required (the legacy users table, schema-qualified if needed)');
  let quotedTable: string;
  let columns: PostgresColumns;
  try {
    quotedTable = quoteTable(values.table, 'db index');
    columns = resolveColumns(jsonOption('columns', values.columns) as Partial<PostgresColumns> | undefined, 'db index');
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\.$/, ''));
  }
  const mode = { matchEmail: values['match-email'], caseInsensitive: values['case-insensitive'] };
  const url = await databaseUrl(undefined, values['database-url-file'], 'db index');
  if (isMysqlUrl(url)) {
    const { mysqlIndex } = await import('./mysql.js');
    return mysqlIndex(url, { table: values.table, ...(values.columns ? { columns: jsonOption('columns', values.columns) as object } : {}), mode, apply: values.apply, json: values.json }, io);
  }
  const client = new PgClient({ connectionString: url, application_name: 'cognito-migrate-db-index' }) as unknown as PgLike;
  await client.connect();
  const say = (text: string) => { if (!values.json) io.out(text); };
  try {
    const query = (text: string, params: unknown[]) => client.query(text, params);
    const plan = lookupPlan(quotedTable, values.table, columns, mode, await citextColumns(query, quotedTable, [columns.username, columns.email]));
    const before = await indexAdvice(query, quotedTable, plan);
    const statements = before.missing.map((m) => m.statement);
    // The identity lookup (a federated sign-in's row), when the columns name an identities column.
    const identity = columns.identities ? identityIndexSql(quotedTable, values.table, columns.identities) : undefined;
    if (identity && !(await identityIndexUsed(query, quotedTable, columns.identities!, identity.name))) statements.push(identity.statement);
    const applied: string[] = [];
    if (statements.length === 0) say(`Every lookup probe of this mode already uses an index: ${before.indexed.map((i) => `${i.probe.index.expression} → ${i.index}`).join(', ')}${identity ? `, identities → ${identity.name}` : ''}\n`);
    else if (!values.apply) say(`${statements.map((s) => `${s};`).join('\n')}\n`);
    if (values.apply && statements.length > 0) {
      const watcher = new PgClient({ connectionString: url, application_name: 'cognito-migrate-db-index-progress' }) as unknown as PgLike;
      await watcher.connect();
      try {
        for (const statement of statements) {
          say(`${statement};\n`);
          const timer = setInterval(() => {
            void watcher.query("SELECT phase, blocks_done, blocks_total FROM pg_stat_progress_create_index WHERE relid = to_regclass($1)", [quotedTable]).then(({ rows }) => {
              const r = rows[0];
              if (r && !values.json) io.err(`\r  ${String(r.phase)}: ${Number(r.blocks_total) ? Math.round((100 * Number(r.blocks_done)) / Number(r.blocks_total)) : 0}% of ${Number(r.blocks_total).toLocaleString('en')} blocks   `);
            }, () => {});
          }, 500);
          try {
            await client.query(statement);
          } finally {
            clearInterval(timer);
            if (!values.json) io.err('\r  done.'.padEnd(60) + '\n');
          }
          applied.push(statement);
        }
      } finally {
        await watcher.end();
      }
      // Expression indexes have statistics of their own; without them the planner may still prefer a scan.
      await client.query(`ANALYZE ${quotedTable}`);
    }
    const after = values.apply ? await indexAdvice(query, quotedTable, plan) : before;
    const identityIndexed = identity ? await identityIndexUsed(query, quotedTable, columns.identities!, identity.name) : true;
    if (values.apply) {
      if (identity) say(`  ${columns.identities} (identities): ${identityIndexed ? `the lookup uses ${identity.name}` : `still scans the table; drop an invalid "${identity.name}" and run again`}\n`);
      for (const i of after.indexed) say(`  ${i.probe.index.expression}: the lookup uses ${i.index}\n`);
      for (const m of after.missing) say(`  ${m.probe.index.expression}: still scans the table; an earlier failed build may have left an invalid index "${m.probe.index.name}": DROP INDEX CONCURRENTLY it and run again\n`);
    }
    if (values.json) {
      io.out(`${JSON.stringify({
        table: values.table, mode, rows: Math.round(after.rows), statements, applied,
        indexed: after.indexed.map((i) => ({ expression: i.probe.index.expression, index: i.index })),
        missing: after.missing.map((m) => ({ expression: m.probe.index.expression, statement: m.statement })),
        ...(identity ? { identities: { index: identity.name, used: identityIndexed } } : {}),
      }, null, 2)}\n`);
    }
    return values.apply && (after.missing.length > 0 || !identityIndexed) ? EXIT.findings : EXIT.ok;
  } finally {
    await client.end();
  }
}

/** `cognito-migrate db`. */
export const command: Command = { name: 'db', summary: 'db index: the indexes every lookup mode needs', usage: USAGE, subcommands: { index: USAGE }, run: dbIndex };
