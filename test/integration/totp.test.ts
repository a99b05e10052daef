// The legacy second factor on PostgreSQL (issue 36); the same scenario runs on MariaDB.
import { afterAll, describe } from 'vitest';
import { createPostgresStore } from '../../adapters/postgres/index.js';
import { databaseUrl, freshLegacyTable, sql } from '../support/database.js';
import { TOTP_COLUMNS, TOTP_HASH, TOTP_SECRET, totpScenario } from './totp-scenario.js';

const stores: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('a legacy authenticator on PostgreSQL', () => {
  totpScenario(() => {
    let table: string;
    return {
      async store() {
        table = await freshLegacyTable('totp', []);
        await sql(`ALTER TABLE ${table} ADD COLUMN failed_attempts int NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz, ADD COLUMN otp_secret text, ADD COLUMN otp_last_step bigint, ADD COLUMN otp_digits int`);
        await sql(`INSERT INTO ${table} (username, email, password_hash, enabled, otp_secret) VALUES ('ada', 'ada@example.com', $1, true, $2), ('plain', 'plain@example.com', $1, true, NULL)`, [TOTP_HASH, TOTP_SECRET]);
        const store = createPostgresStore({ connectionString: databaseUrl(), table, columns: TOTP_COLUMNS });
        stores.push(store);
        return store;
      },
      row: async (username) => (await sql<{ otp_last_step: unknown; failed_attempts: unknown }>(`SELECT otp_last_step, failed_attempts FROM ${table} WHERE username = $1`, [username]))[0]!,
      close: async () => {},
    };
  });
});
