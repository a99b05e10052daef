import PgClient from 'pg/lib/client.js';
import type pg from 'pg';
import { explainSqlState, quoteTable } from './sql.js';

/** One user as a staging table holds it: the adapter's default columns. */
export interface StagedUser {
  id: string;
  username: string;
  email?: string;
  emailVerified?: boolean;
  phoneNumber?: string;
  phoneVerified?: boolean;
  enabled: boolean;
  smsMfa: boolean;
  passwordHash?: string;
  passwordFormat?: string;
  /** The authenticator's TOTP secret in base32, and its parameters (columns otp_secret, otp_algorithm, otp_digits, otp_period). */
  totp?: { secret: string; algorithm?: string; digits?: number; period?: number };
  /** Social and enterprise identities, as the pool's providers name them (column identities, a jsonb array of {provider, sub}). */
  identities?: Array<{ provider: string; sub: string }>;
}

/** Options of {@link stagePostgresUsers}. */
export interface StageOptions {
  connection: string | pg.ClientConfig;
  /** The staging table, plain or schema-qualified; created when missing. */
  table: string;
  /** Written to the `source` column (auth0, firebase, keycloak). */
  source: string;
  /** Rows per INSERT (default 1,000). */
  batchSize?: number;
  /** Called after each batch with the rows written so far. */
  onProgress?(staged: number): void;
}

const COLUMNS = ['id', 'username', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'enabled', 'sms_mfa', 'password_hash', 'password_format', 'source', 'otp_secret', 'otp_algorithm', 'otp_digits', 'otp_period', 'identities'] as const;
const TYPES = ['text', 'text', 'text', 'boolean', 'text', 'boolean', 'boolean', 'boolean', 'text', 'text', 'text', 'text', 'text', 'integer', 'integer', 'jsonb'] as const;

/** The adapter's columns for a staged table's authenticators (PG_COLUMNS). */
export const STAGED_TOTP_COLUMNS = { totpSecret: 'otp_secret', totpAlgorithm: 'otp_algorithm', totpDigits: 'otp_digits', totpPeriod: 'otp_period' } as const;

/**
 * Writes users into the table the PostgreSQL adapter reads, with its default
 * column names (so `PG_TABLE` is the only setting the trigger needs), in one
 * transaction: a failure part-way leaves the table as it was. A user already
 * there (same id) is replaced, so staging a newer export again is safe.
 *
 * One login must be one row, or the trigger refuses it as ambiguous: before
 * committing, every row whose username or email (ignoring case, the widest
 * lookup the trigger can be set to) is also another row's username or email
 * is taken out again, all of them, since nothing in an export says which of
 * two accounts a person is. `repeated` counts those rows.
 *
 * @example
 * ```ts
 * await stagePostgresUsers(users, { connection: process.env.DATABASE_URL!, table: 'staging.firebase_users', source: 'firebase' })
 * ```
 */
export async function stagePostgresUsers(users: AsyncIterable<StagedUser>, options: StageOptions): Promise<{ staged: number; repeated: number }> {
  const table = quoteTable(options.table, 'stage');
  const batchSize = options.batchSize ?? 1000;
  const client = new PgClient(typeof options.connection === 'string' ? { connectionString: options.connection, application_name: 'cognito-migrate-stage' } : options.connection);
  await client.connect();
  let staged = 0;
  try {
    await client.query('BEGIN');
    const schema = options.table.includes('.') ? table.split('.')[0] : undefined;
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (${COLUMNS.map((c, i) => `${c} ${TYPES[i]}${c === 'id' ? ' PRIMARY KEY' : ''}`).join(', ')}, staged_at timestamptz NOT NULL DEFAULT now())`);
    // A table staged before the authenticator columns existed gains them.
    for (const [i, c] of COLUMNS.entries()) if (c.startsWith('otp_') || c === 'identities') await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${c} ${TYPES[i]}`);
    const insert = `INSERT INTO ${table} (${COLUMNS.join(', ')}) SELECT * FROM unnest(${COLUMNS.map((_, i) => `$${i + 1}::${TYPES[i]}[]`).join(', ')})
      ON CONFLICT (id) DO UPDATE SET ${COLUMNS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, staged_at = now()`;
    let batch: StagedUser[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const values = [
        batch.map((u) => u.id), batch.map((u) => u.username), batch.map((u) => u.email ?? null), batch.map((u) => u.emailVerified ?? null),
        batch.map((u) => u.phoneNumber ?? null), batch.map((u) => u.phoneVerified ?? null), batch.map((u) => u.enabled), batch.map((u) => u.smsMfa),
        batch.map((u) => u.passwordHash ?? null), batch.map((u) => u.passwordFormat ?? null), batch.map(() => options.source),
        batch.map((u) => u.totp?.secret ?? null), batch.map((u) => u.totp?.algorithm ?? null), batch.map((u) => u.totp?.digits ?? null), batch.map((u) => u.totp?.period ?? null),
        batch.map((u) => (u.identities?.length ? JSON.stringify(u.identities) : null)),
      ];
      await client.query(insert, values);
      staged += batch.length;
      batch = [];
      options.onProgress?.(staged);
    };
    for await (const user of users) {
      batch.push(user);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    const removed = await client.query(`WITH logins AS (
        SELECT id, lower(username) AS login FROM ${table}
        UNION ALL SELECT id, lower(email) FROM ${table} WHERE email IS NOT NULL AND lower(email) <> lower(username)
      ), repeated AS (SELECT login FROM logins WHERE login IS NOT NULL GROUP BY login HAVING count(DISTINCT id) > 1)
      DELETE FROM ${table} WHERE id IN (SELECT id FROM logins JOIN repeated USING (login))`);
    await client.query('COMMIT');
    return { staged: staged - (removed.rowCount ?? 0), repeated: removed.rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    const e = err as { code?: string; severity?: string };
    // The server's text may quote a value (a hash); only schema errors keep it.
    if (typeof e.severity === 'string') throw new Error(`staging into ${options.table} failed, nothing was written: ${explainSqlState(e)}`, { cause: err });
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}
