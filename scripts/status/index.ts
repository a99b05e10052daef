// `cognito-migrate status`: the command line around gather.ts.
import { type Command, EXIT, type Io, UsageError, jsonOption, parse } from '../cli/command.js';
import { databaseUrl, isMysqlUrl, streamLegacyUsers } from '../cli/database-url.js';
import { type MigrationStatus, migrationStatus } from './gather.js';

const USAGE = `Usage: cognito-migrate status --user-pool-id ID [--database-url-file FILE] [--table T] [--columns JSON]
         [--migrated-column COL] [--sub-column COL] [--region R] [--no-metrics] [--json]

How far the migration is: legacy users (total, enabled, with a hash), pool
users by status, users the trigger migrated per day over 28 days (the
CognitoMigrate "migrated" metric in CloudWatch), those remaining, the rate over
the last 7 and 28 days, when 90 % and 99 % will be in the pool at the 7-day
rate, and which of the remaining could be bulk-imported with their hash and
which would reset their password.

The legacy store comes from the function's environment: DATABASE_URL (or
--database-url-file; postgres:// or mysql://), PG_TABLE, PG_COLUMNS,
PG_MARK_MIGRATED_COLUMN (MYSQL_TABLE, MYSQL_COLUMNS, MYSQL_MARK_MIGRATED_COLUMN
for a mysql:// URL).

With the ledger (PG_COGNITO_SUB_COLUMN, or --sub-column) the legacy store
answers alone: a row with a sub has migrated, one without has not, and the
pool is not listed (10 million rows in well under a minute; see BENCHMARKS.md).
--json prints every figure as one object.`;

/**
 * `status`: gathers and prints the figures.
 * @example process.exitCode = await status(['--user-pool-id', 'eu-west-1_Abc', '--json'])
 */
export async function status(argv: string[], print: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parse(argv, {
    'user-pool-id': { type: 'string' }, 'database-url-file': { type: 'string' }, table: { type: 'string' }, columns: { type: 'string' },
    'migrated-column': { type: 'string' }, 'sub-column': { type: 'string' }, region: { type: 'string' }, 'no-metrics': { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  });
  const userPoolId = values['user-pool-id'];
  if (!userPoolId) throw new UsageError('status needs --user-pool-id ID (the pool users migrate into)');
  const url = await databaseUrl(undefined, values['database-url-file'], 'status');
  const prefix = isMysqlUrl(url) ? 'MYSQL' : 'PG';
  const table = values.table ?? process.env[`${prefix}_TABLE`];
  const columns = jsonOption('columns', values.columns) ?? jsonOption(`columns (${prefix}_COLUMNS)`, process.env[`${prefix}_COLUMNS`]);
  const markColumn = values['migrated-column'] ?? process.env[`${prefix}_MARK_MIGRATED_COLUMN`];
  const subColumn = values['sub-column'] ?? process.env[`${prefix}_COGNITO_SUB_COLUMN`];
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const config = region ? { region } : {};
  const [{ CognitoIdentityProviderClient }, { CloudWatchClient }] = await Promise.all([
    import('@aws-sdk/client-cognito-identity-provider'), import('@aws-sdk/client-cloudwatch'),
  ]);
  const cognito = new CognitoIdentityProviderClient(config);
  const cloudwatch = values['no-metrics'] ? undefined : new CloudWatchClient(config);
  try {
    const figures = await migrationStatus({
      legacy: await streamLegacyUsers(url, { ...(table ? { table } : {}), ...(columns ? { columns: columns as object } : {}) }),
      cognito, userPoolId, ...(cloudwatch ? { cloudwatch } : {}), ...(markColumn ? { markColumn } : {}), ...(subColumn ? { subColumn } : {}),
      ...(process.env.POWERTOOLS_METRICS_NAMESPACE ? { namespace: process.env.POWERTOOLS_METRICS_NAMESPACE } : {}),
    });
    print(values.json ? `${JSON.stringify({ userPoolId, metrics: Boolean(cloudwatch), ...figures }, null, 2)}\n` : renderStatus(figures, Boolean(cloudwatch)));
    return EXIT.ok;
  } finally {
    cognito.destroy();
    cloudwatch?.destroy();
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en');

/**
 * The plain-text report: figures, then one bar per day.
 * @example renderStatus(await migrationStatus(sources), true)
 */
export function renderStatus(s: MigrationStatus, metrics: boolean): string {
  const rows: Array<[string, string]> = [
    ['legacy users', `${n(s.legacy.total)} (${n(s.legacy.enabled)} enabled, ${n(s.legacy.withHash)} with a hash${s.legacy.markedMigrated !== undefined ? `, ${n(s.legacy.markedMigrated)} marked migrated` : ''}${s.legacy.migrated !== undefined ? `, ${n(s.legacy.migrated)} migrated by the ledger` : ''})`],
    ['pool users', s.pool ? `${n(s.pool.total)} (${Object.entries(s.pool.byStatus).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none'})` : 'not listed: the ledger answers'],
    ['remaining', s.pool ? `${n(s.remaining)} enabled legacy users not in the pool` : `${n(s.remaining)} enabled legacy users the ledger links to no Cognito user`],
    ['rate', metrics ? `${s.rate.last7.toFixed(1)}/day over 7 days, ${s.rate.last28.toFixed(1)}/day over 28` : 'unknown (--no-metrics)'],
    ['90 % migrated', s.projection.p90 ?? 'not at this rate'],
    ['99 % migrated', s.projection.p99 ?? 'not at this rate'],
    ['bulk the rest', `${Object.entries(s.bulk.importable).map(([k, v]) => `${n(v)} importable with their hash (${k})`).join(', ') || 'none importable with their hash'}; ${n(s.bulk.reset)} would reset their password`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const top = Math.max(1, ...s.migratedPerDay.map((d) => d.migrated));
  const chart = s.migratedPerDay.map((d) => `  ${d.day}  ${'#'.repeat(Math.round((d.migrated / top) * 40)).padEnd(40)} ${n(d.migrated)}`);
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n\nmigrated by the trigger per day${metrics ? '' : ' (no metrics read)'}:\n${chart.join('\n')}\n`;
}

/** `cognito-migrate status`. */
export const command: Command = { name: 'status', summary: 'How far the migration is, and what to do with the rest', usage: USAGE, run: (argv: string[], io: Io) => status(argv, io.out) };
