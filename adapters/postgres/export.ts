import PgClient from 'pg/lib/client.js';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ExportItem, ExportSource, PreparedRow, RowPlan, RowSource } from '../../src/csv/export.js';
import { projectionFor } from './project.js';
import { quoteTable, resolveColumns } from './sql.js';
import { legacyUserReader } from '../sql/rows.js';
import { copyFieldParser, parseCopyLine } from './copy-text.js';
import type { PostgresColumns } from './store.js';

/** Options of {@link streamPostgresUsers}. */
export interface PostgresExportOptions {
  connection: string | pg.ClientConfig;
  /** Table, optionally schema-qualified (default `users`). */
  table?: string;
  columns?: Partial<PostgresColumns>;
  /** Your own SELECT instead of the table (no parameters). */
  query?: string;
  /** Called once with the number of rows the export will read, counted in the export's own snapshot. */
  onCount?(total: number): void;
}

const WHERE = 'csv export';

/**
 * Streams every legacy user with `COPY (…) TO STDOUT` in constant memory: the
 * server streams rows as fast as it reads them, several times faster than a
 * cursor's FETCH round trips and row messages. Each field is parsed with the
 * same type parser node-postgres would use, so a row reads exactly as a query
 * would return it. The login (cognito:username) is the `username` column.
 * Everything, the count included, runs in one read-only, repeatable-read
 * transaction: a `query` that would write fails, and the count matches the rows.
 *
 * @example
 * ```ts
 * for await (const { login, user } of streamPostgresUsers({ connection: process.env.DATABASE_URL!, table: 'legacy.users' })) …
 * ```
 */
export async function* streamPostgresUsers(options: PostgresExportOptions): AsyncGenerator<ExportItem> {
  for await (const batch of streamPostgresUserBatches(options)) yield* batch;
}

/**
 * {@link streamPostgresUsers} in batches, one per block the server sends:
 * what `exportCsv` reads, without an await per user.
 *
 * @example
 * ```ts
 * await exportCsv(streamPostgresUserBatches({ connection, table: 'legacy.users' }), { header, outDir: 'import' })
 * ```
 */
export async function* streamPostgresUserBatches(options: PostgresExportOptions): AsyncGenerator<ExportItem[]> {
  const { client, sql, fields, columns } = await openExport(options);
  try {
    yield* userBatches(client, sql, fields, columns, (item) => item);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/**
 * The export source `csv export` reads from PostgreSQL: its users in batches
 * (as {@link streamPostgresUserBatches}), and for `exportCsv` the rows already
 * written as CSV texts by the COPY's own SELECT (`projectionFor` says which
 * values SQL writes and which the reader converts); when the plan needs user
 * objects, the users, converted by the export itself.
 *
 * @example
 * ```ts
 * await exportCsv(postgresExportSource({ connection: process.env.DATABASE_URL!, table: 'legacy.users' }), { header, outDir: 'import' })
 * ```
 */
export function postgresExportSource(options: PostgresExportOptions): ExportSource & RowSource {
  return {
    [Symbol.asyncIterator]: () => streamPostgresUserBatches(options),
    rows: (plan) => postgresRows(options, plan),
  };
}

async function* postgresRows(options: PostgresExportOptions, plan: RowPlan): AsyncGenerator<PreparedRow[]> {
  const { client, sql, fields, columns } = await openExport(options);
  try {
    const projection = projectionFor(fields, columns, plan);
    if (!projection) yield* userBatches(client, sql, fields, columns, plan.prepare);
    else {
      // From the table itself where there is one: the order of a subquery's rows is the planner's to keep, the outer ORDER BY is not.
      const from = options.query === undefined ? `FROM ${quoteTable(options.table ?? 'users', WHERE)} AS q ORDER BY q."${columns.id}"` : `FROM (${options.query}) AS q`;
      // NULL '': a missing value is written as nothing, as the export writes it.
      for await (const lines of copyLines(client, `COPY (SELECT ${projection.select} ${from}) TO STDOUT (DELIMITER ',', NULL '')`)) {
        const batch = new Array<PreparedRow>(lines.length);
        for (let i = 0; i < lines.length; i++) batch[i] = projection.read(lines[i]!);
        yield batch;
      }
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** Connects, opens the read-only snapshot, describes the columns and counts the rows when asked. */
async function openExport(options: PostgresExportOptions) {
  const columns = resolveColumns(options.columns, WHERE);
  const sql = options.query ?? `SELECT * FROM ${quoteTable(options.table ?? 'users', WHERE)} ORDER BY "${columns.id}"`;
  const client = new PgClient(typeof options.connection === 'string' ? { connectionString: options.connection, application_name: 'cognito-migrate-export' } : options.connection);
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Dates as the type parsers read them, whatever the server's default style.
    await client.query("SET LOCAL DateStyle TO 'ISO, MDY'");
    // The columns and their types, as a query would describe them; no row is read.
    const { fields } = await client.query(`SELECT * FROM (${sql}) AS q LIMIT 0`);
    if (options.onCount) {
      const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM (${sql}) AS q`);
      options.onCount(Number(rows[0].n));
    }
    return { client, sql, fields, columns };
  } catch (err) {
    await client.end();
    throw err;
  }
}

/** The COPY's users, each parsed as a query would return it, in a batch per block of data. */
async function* userBatches<T>(client: pg.Client, sql: string, fields: readonly pg.FieldDef[], columns: PostgresColumns, each: (item: ExportItem) => T): AsyncGenerator<T[]> {
  const parsers = fields.map((f) => copyFieldParser(f.dataTypeID));
  const names = fields.map((f) => f.name);
  const toUser = legacyUserReader(names, columns);
  const username = names.lastIndexOf(columns.username);
  for await (const lines of copyLines(client, `COPY (${sql}) TO STDOUT`)) {
    const batch = new Array<T>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const values = parseCopyLine(lines[i]!, parsers);
      batch[i] = each({ login: String((username >= 0 ? values[username] : undefined) ?? ''), user: toUser(values) });
    }
    yield batch;
  }
}

/** A COPY's lines, a block at a time. */
async function* copyLines(client: pg.Client, copy: string): AsyncGenerator<string[]> {
  const stream = client.query(copyTo(copy));
  let rest: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const bytes = rest ? Buffer.concat([rest, chunk]) : chunk;
    // Decode up to the last line end only: a UTF-8 character may straddle chunks.
    const end = bytes.lastIndexOf(10);
    if (end < 0) { rest = bytes; continue; }
    rest = end + 1 < bytes.length ? bytes.subarray(end + 1) : undefined;
    yield bytes.toString('utf8', 0, end).split('\n');
  }
}
