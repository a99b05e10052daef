import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { seedLegacyUsers } from '../../scripts/lib/seed.mjs';

/** The run's PostgreSQL URL (DATABASE_URL or the embedded server from global setup). */
export const databaseUrl = (): string => inject('databaseUrl');

/** Seeds the demo users into a schema of this test file's own and returns the table name. */
export async function freshLegacyTable(prefix: string, users?: NonNullable<Parameters<typeof seedLegacyUsers>[1]>['users'], more: { uniqueUsername?: boolean } = {}): Promise<string> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  return seedLegacyUsers(databaseUrl(), { schema, ...(users ? { users } : {}), ...more });
}

/** Runs one SQL statement on a short-lived connection (to the run's database, or to `url`). */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, values: unknown[] = [], url = databaseUrl()): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The run's MariaDB URL (MYSQL_URL or the server global setup started). */
export const mysqlUrl = (): string => inject('mysqlUrl');

/** Runs statements on a short-lived MariaDB connection (text protocol: DDL and seeding). */
export async function mysqlSql(text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({ uri: mysqlUrl(), multipleStatements: true });
  try {
    const [rows] = await conn.query(text, values);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await conn.end();
  }
}

/** A fresh MariaDB database with the demo users' table, like freshLegacyTable; returns `db.users`. */
export async function freshMysqlTable(prefix: string, users: ReadonlyArray<Record<string, unknown> & { username: string; password: string }>, cost = 4): Promise<string> {
  const bcrypt = (await import('bcryptjs')).default;
  const db = `${prefix}_${randomBytes(4).toString('hex')}`;
  await mysqlSql(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await mysqlSql(`CREATE TABLE \`${db}\`.users (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(191) NOT NULL, email VARCHAR(191), email_verified BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash VARCHAR(255), given_name VARCHAR(100), family_name VARCHAR(100), phone_number VARCHAR(32), phone_number_verified BOOLEAN NOT NULL DEFAULT TRUE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE, sms_mfa BOOLEAN NOT NULL DEFAULT FALSE, created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), INDEX (username), INDEX (email))`);
  for (const u of users) {
    await mysqlSql(`INSERT INTO \`${db}\`.users (username, email, password_hash, given_name, family_name, phone_number, enabled, sms_mfa) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [u.username, u.email ?? null, await bcrypt.hash(u.password, cost), u.given_name ?? null, u.family_name ?? null, u.phone_number ?? null, u.enabled ?? true, u.sms_mfa ?? false]);
  }
  return `${db}.users`;
}
