import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { seedLegacyUsers } from '../../scripts/lib/seed.mjs';

/** The run's PostgreSQL URL (DATABASE_URL or the embedded server from global setup). */
export const databaseUrl = (): string => inject('databaseUrl');

/** Seeds the demo users into a schema of this test file's own and returns the table name. */
export async function freshLegacyTable(prefix: string, users?: NonNullable<Parameters<typeof seedLegacyUsers>[1]>['users']): Promise<string> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  return seedLegacyUsers(databaseUrl(), { schema, ...(users ? { users } : {}) });
}

/** Runs one SQL statement on a short-lived connection. */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(databaseUrl());
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}
