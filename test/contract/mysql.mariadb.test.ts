// The store contract against a real MariaDB server (Debian's mariadb-server; .ci/run installs it).
import { createMysqlStore } from '../../adapters/mysql/index.js';
import { DEMO_ATTRIBUTE_MAP } from '../../scripts/lib/seed.mjs';
import { freshMysqlTable, mysqlSql, mysqlUrl } from '../support/database.js';
import { startSilentServer } from '../support/legacy-api.js';
import { CONTRACT_IDENTITIES, CONTRACT_TOTP_SECRET, CONTRACT_USERS, DUPLICATE_LOGIN_USERS, runStoreContract } from './suite.js';

const can = { caseInsensitive: true, disabledUsers: true, duplicateLogins: true, duplicateCheck: true, ledger: true, lockout: true, blankLedger: true, attemptKey: true, totp: true, identities: true };
runStoreContract('mysql (MariaDB)', async () => {
  const table = await freshMysqlTable('contract_my', [...CONTRACT_USERS, ...DUPLICATE_LOGIN_USERS] as never);
  await mysqlSql(`ALTER TABLE ${table} ADD COLUMN cognito_sub VARCHAR(64) NULL, ADD COLUMN cognito_linked_at DATETIME(3) NULL, ADD COLUMN roles JSON NULL, ADD COLUMN failed_attempts INT NOT NULL DEFAULT 0, ADD COLUMN locked_until DATETIME(3) NULL, ADD COLUMN attempt_key VARCHAR(64) NULL, ADD COLUMN otp_secret VARCHAR(64) NULL, ADD COLUMN identities TEXT NULL`);
  await mysqlSql(`UPDATE ${table} SET roles = '["admins","staff"]', otp_secret = ?, identities = ? WHERE username = ?`, [CONTRACT_TOTP_SECRET, JSON.stringify(CONTRACT_IDENTITIES), CONTRACT_USERS[0].username]);
  // A cell that is not JSON holds no identity, and must not fail the lookup of the others.
  await mysqlSql(`UPDATE ${table} SET identities = 'not json' WHERE username = ?`, [CONTRACT_USERS[1].username]);
  const silent = await startSilentServer();
  const extra: Array<{ close(): Promise<void> }> = [];
  const make = (connectionString: string, more = {}) => {
    const s = createMysqlStore({ connectionString, table, ...more });
    extra.push(s);
    return s;
  };
  return {
    store: make(mysqlUrl()),
    ledger: () => make(mysqlUrl(), { cognitoSub: { column: 'cognito_sub', timeColumn: 'cognito_linked_at' }, groupsColumn: 'roles' }),
    totp: () => make(mysqlUrl(), { columns: { totpSecret: 'otp_secret' } }),
    identities: () => make(mysqlUrl(), { columns: { identities: 'identities' } }),
    blankLedger: async (login) => { await mysqlSql(`UPDATE ${table} SET cognito_sub = '' WHERE username = ?`, [login]); },
    lockout: {
      store: () => make(mysqlUrl(), { columns: { failedAttempts: 'failed_attempts', lockedUntil: 'locked_until' } }),
      keyed: () => make(mysqlUrl(), { columns: { failedAttempts: 'failed_attempts', lockedUntil: 'locked_until', attemptKey: 'attempt_key' } }),
      failedAttempts: async (login) => Number((await mysqlSql(`SELECT failed_attempts AS n FROM ${table} WHERE username = ?`, [login]))[0]!.n),
      // As UTC, the way the adapter reads DATETIME.
      lockUntil: async (login, until) => { await mysqlSql(`UPDATE ${table} SET locked_until = ? WHERE username = ?`, [until.toISOString().slice(0, 23).replace('T', ' '), login]); },
    },
    attributes: DEMO_ATTRIBUTE_MAP,
    can,
    outage: () => make('mysql://u:p@127.0.0.1:1/db'),
    slow: () => make(`mysql://u:p@127.0.0.1:${silent.port}/db`, { connectTimeoutMs: 4000 }),
    close: async () => {
      await Promise.all(extra.map((s) => s.close()));
      await silent.close();
    },
  };
}, { ...can, outage: true, slow: true });
