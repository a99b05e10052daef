// What both SQL stores read from `PG_…` or `MYSQL_…` variables, each setting
// declared once (src/settings.ts): the store's option check (rows.ts) and the
// environment reader (env.ts) use the same bounds, and doctor and the README's
// configuration table know every variable from here.
import { settings } from '../../src/settings.js';

/**
 * The settings both SQL stores read from `PG_…` or `MYSQL_…` variables, each
 * declared once (src/settings.ts): the store's option check and the
 * environment reader use the same bounds.
 * @example fromEnv(process.env, sqlSettings('PG').queryTimeoutMs) // 1000
 */
export function sqlSettings(prefix: 'PG' | 'MYSQL') {
  return settings({
    table: { env: `${prefix}_TABLE`, option: 'table', kind: 'text', default: 'users', doc: 'table, optionally schema-qualified' },
    columns: { env: `${prefix}_COLUMNS`, option: 'columns', kind: 'json', doc: 'column names over the defaults' },
    query: { env: `${prefix}_QUERY`, option: 'query', kind: 'text', doc: 'your own SELECT instead of table and columns' },
    markMigrated: { env: `${prefix}_MARK_MIGRATED_COLUMN`, option: 'markMigrated.column', kind: 'text', doc: 'set when a user migrates' },
    cognitoSub: { env: `${prefix}_COGNITO_SUB_COLUMN`, option: 'cognitoSub.column', kind: 'text', doc: 'the ledger' },
    cognitoSubTime: { env: `${prefix}_COGNITO_SUB_TIME_COLUMN`, option: 'cognitoSub.timeColumn', kind: 'text', doc: 'when the sub was written' },
    groups: { env: `${prefix}_GROUPS_COLUMN`, option: 'groupsColumn', kind: 'text', doc: 'the legacy roles' },
    identities: { env: `${prefix}_IDENTITIES_COLUMN`, option: 'columns.identities', kind: 'text', doc: 'staged social and enterprise identities' },
    ssl: { env: `${prefix}_SSL`, kind: 'enum', values: ['disable', 'require', 'verify-full'] as const, default: 'verify-full', doc: 'TLS mode' },
    sslCaFile: { env: `${prefix}_SSL_CA_FILE`, kind: 'text', doc: 'a PEM bundle of the database\'s CA' },
    connectTimeoutMs: { env: `${prefix}_CONNECT_TIMEOUT_MS`, option: 'connectTimeoutMs', kind: 'integer', default: 1000, min: 50, max: 4800, unit: 'ms', doc: 'connect timeout' },
    queryTimeoutMs: { env: `${prefix}_QUERY_TIMEOUT_MS`, option: 'queryTimeoutMs', kind: 'integer', default: 1000, min: 50, max: 4800, unit: 'ms', doc: 'query timeout' },
    ...(prefix === 'MYSQL' ? { identitiesTable: { env: 'MYSQL_IDENTITIES_TABLE', option: 'columns.identitiesTable', kind: 'text' as const, doc: 'the side table db index makes' } } : {}),
  });
}

/** The variables both SQL stores share: where the database is. */
export const DATABASE_SETTINGS = settings({
  url: { env: 'DATABASE_URL', kind: 'secret', doc: 'the database\'s URL' },
  secretArn: { env: 'DATABASE_SECRET_ARN', kind: 'secret', doc: 'a Secrets Manager secret in the RDS shape' },
});

