// `cognito-migrate status`: how far the migration is, from the legacy store,
// the pool and the trigger's `migrated` metric; and what to do with the rest.
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type ExportSource, itemsOf } from '../../src/csv/export.js';
import { type ImportHashAlgorithm, importability } from '../../src/csv/hash-import.js';
import { readPoolUsers } from '../cli/pool-users.js';

/** Every figure `status` shows. */
export interface MigrationStatus {
  /** `migrated`: rows the ledger links to a Cognito user (with a sub column). */
  legacy: { total: number; enabled: number; withHash: number; markedMigrated?: number; migrated?: number };
  /** Undefined when the ledger answers: the pool is not listed. */
  pool?: { total: number; byStatus: Record<string, number> };
  /** Users the trigger migrated per UTC day (the `migrated` metric), oldest first, `days` of them. */
  migratedPerDay: Array<{ day: string; migrated: number }>;
  /** Enabled legacy users not in the pool (by username or email), or, with the ledger, enabled rows without a sub. */
  remaining: number;
  /** Users migrated per day, averaged over the last 7 and 28 days. */
  rate: { last7: number; last28: number };
  /** At the 7-day rate, when 90 % and 99 % of the enabled legacy users will be in the pool (ISO dates; null: not at this rate). */
  projection: { p90: string | null; p99: string | null };
  /** Of the remaining: with a hash Cognito can import as it is, per algorithm; the rest would reset their password. */
  bulk: { importable: Partial<Record<ImportHashAlgorithm, number>>; reset: number };
}

export interface StatusSources {
  /** The legacy users, as csv export reads them. */
  legacy: ExportSource;
  /** The legacy field that records a migration (PG_MARK_MIGRATED_COLUMN), if any. */
  markColumn?: string;
  /**
   * The ledger column (PG_COGNITO_SUB_COLUMN): a row with a sub has migrated,
   * so the figures come from the legacy store alone and the pool is not
   * listed (ListUsers pages 60 users at a time, too slow for millions).
   */
  subColumn?: string;
  cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  userPoolId: string;
  /** Without it, the per-day figures are zero (and said so by the command). */
  cloudwatch?: Pick<CloudWatchClient, 'send'>;
  /** The handler's metric namespace and service dimension (defaults CognitoMigrate, cognito-migrate). */
  namespace?: string;
  service?: string;
  now?: Date;
}

const DAY = 86_400_000;

/**
 * Gathers the migration's figures. Reads the legacy store once, streaming;
 * without a ledger it also reads the pool (ListUsers) once and holds its
 * usernames and emails in memory.
 *
 * @example
 * ```ts
 * const status = await migrationStatus({ legacy: streamPostgresUsers({ connection, table }), cognito, userPoolId, cloudwatch })
 * ```
 */
export async function migrationStatus(sources: StatusSources): Promise<MigrationStatus> {
  const now = sources.now ?? new Date();
  const { subColumn } = sources;
  const pool = subColumn ? undefined : await readPoolUsers(sources.cognito, sources.userPoolId, ['email', 'preferred_username']);
  const names = pool?.names ?? new Set<string>();
  const legacy: MigrationStatus['legacy'] = { total: 0, enabled: 0, withHash: 0, ...(sources.markColumn ? { markedMigrated: 0 } : {}), ...(subColumn ? { migrated: 0 } : {}) };
  const bulk: MigrationStatus['bulk'] = { importable: {}, reset: 0 };
  let remaining = 0;
  for await (const { login, user } of itemsOf(sources.legacy)) {
    legacy.total++;
    if (user.passwordHash) legacy.withHash++;
    const marked = sources.markColumn ? user.fields[sources.markColumn] : undefined;
    if (marked !== undefined && marked !== null && marked !== false && marked !== '') legacy.markedMigrated!++;
    const sub = subColumn ? user.fields[subColumn] : undefined;
    const linked = sub !== undefined && sub !== null && String(sub).trim() !== '';
    if (linked) legacy.migrated!++;
    if (user.enabled === false) continue;
    legacy.enabled++;
    if (subColumn ? linked : names.has(login) || (typeof user.fields.email === 'string' && names.has(user.fields.email))) continue;
    remaining++;
    const verdict = importability(user.passwordHash);
    if (verdict && 'algorithm' in verdict) bulk.importable[verdict.algorithm] = (bulk.importable[verdict.algorithm] ?? 0) + 1;
    else bulk.reset++;
  }
  const migratedPerDay = await perDay(sources, now);
  const sum = (days: number) => migratedPerDay.slice(-days).reduce((s, d) => s + d.migrated, 0);
  const rate = { last7: sum(7) / 7, last28: sum(28) / 28 };
  const inPool = legacy.enabled - remaining;
  const when = (share: number): string | null => {
    const missing = Math.ceil(legacy.enabled * share) - inPool;
    if (missing <= 0) return now.toISOString().slice(0, 10);
    if (rate.last7 <= 0) return null;
    return new Date(now.getTime() + Math.ceil(missing / rate.last7) * DAY).toISOString().slice(0, 10);
  };
  return { legacy, ...(pool ? { pool: { total: pool.total, byStatus: pool.byStatus } } : {}), migratedPerDay, remaining, rate, projection: { p90: when(0.9), p99: when(0.99) }, bulk };
}

async function perDay(sources: StatusSources, now: Date): Promise<MigrationStatus['migratedPerDay']> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: 28 }, (_, i) => new Date(today - (27 - i) * DAY).toISOString().slice(0, 10));
  const counts = new Map<string, number>();
  if (sources.cloudwatch) {
    let token: string | undefined;
    do {
      const out = await sources.cloudwatch.send(new GetMetricDataCommand({
        StartTime: new Date(today - 27 * DAY), EndTime: new Date(today + DAY), ScanBy: 'TimestampAscending',
        MetricDataQueries: [{
          Id: 'migrated', ReturnData: true,
          MetricStat: { Stat: 'Sum', Period: 86_400, Metric: { Namespace: sources.namespace ?? 'CognitoMigrate', MetricName: 'migrated', Dimensions: [{ Name: 'service', Value: sources.service ?? 'cognito-migrate' }] } },
        }],
        ...(token ? { NextToken: token } : {}),
      }));
      for (const result of out.MetricDataResults ?? []) {
        (result.Timestamps ?? []).forEach((t, i) => {
          const day = new Date(t).toISOString().slice(0, 10);
          counts.set(day, (counts.get(day) ?? 0) + (result.Values?.[i] ?? 0));
        });
      }
      token = out.NextToken;
    } while (token);
  }
  return days.map((day) => ({ day, migrated: counts.get(day) ?? 0 }));
}
