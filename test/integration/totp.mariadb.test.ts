// The legacy second factor on MariaDB (issue 36); the same scenario runs on PostgreSQL.
import { afterAll, describe } from 'vitest';
import { createMysqlStore } from '../../adapters/mysql/index.js';
import { freshMysqlTable, mysqlSql, mysqlUrl } from '../support/database.js';
import { TOTP_COLUMNS, TOTP_HASH, TOTP_SECRET, totpScenario } from './totp-scenario.js';

const stores: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('a legacy authenticator on MariaDB', () => {
  totpScenario(() => {
    let table: string;
    return {
      async store() {
        table = await freshMysqlTable('totp', []);
        await mysqlSql(`ALTER TABLE ${table} ADD COLUMN failed_attempts INT NOT NULL DEFAULT 0, ADD COLUMN locked_until DATETIME(3), ADD COLUMN otp_secret VARCHAR(64), ADD COLUMN otp_last_step BIGINT, ADD COLUMN otp_digits INT`);
        await mysqlSql(`INSERT INTO ${table} (username, email, password_hash, enabled, otp_secret) VALUES ('ada', 'ada@example.com', ?, TRUE, ?), ('plain', 'plain@example.com', ?, TRUE, NULL)`, [TOTP_HASH, TOTP_SECRET, TOTP_HASH]);
        const store = createMysqlStore({ connectionString: mysqlUrl(), table, columns: TOTP_COLUMNS });
        stores.push(store);
        return store;
      },
      row: async (username) => (await mysqlSql(`SELECT otp_last_step, failed_attempts FROM ${table} WHERE username = ?`, [username]))[0] as { otp_last_step: unknown; failed_attempts: unknown },
      close: async () => {},
    };
  });
});
