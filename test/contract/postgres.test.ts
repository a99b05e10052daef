import { createPostgresStore } from '../../adapters/postgres/index.js';
import { DEMO_ATTRIBUTE_MAP } from '../../scripts/lib/seed.mjs';
import { freshLegacyTable, databaseUrl, sql } from '../support/database.js';
import { startSilentServer } from '../support/legacy-api.js';
import { CONTRACT_IDENTITIES, CONTRACT_TOTP_SECRET, CONTRACT_USERS, DUPLICATE_LOGIN_USERS, runStoreContract } from './suite.js';

const can = { caseInsensitive: true, disabledUsers: true, duplicateLogins: true, duplicateCheck: true, ledger: true, lockout: true, blankLedger: true, attemptKey: true, totp: true, identities: true };
runStoreContract('postgres', async () => {
  const table = await freshLegacyTable('contract_pg', [...CONTRACT_USERS, ...DUPLICATE_LOGIN_USERS].map((u) => ({ ...u })) as never, { uniqueUsername: false });
  await sql(`ALTER TABLE ${table} ADD COLUMN cognito_sub text, ADD COLUMN cognito_linked_at timestamptz, ADD COLUMN roles text[], ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz, ADD COLUMN attempt_key text, ADD COLUMN otp_secret text, ADD COLUMN identities jsonb`);
  await sql(`UPDATE ${table} SET roles = '{admins,staff}', otp_secret = $2, identities = $3 WHERE username = $1`, [CONTRACT_USERS[0].username, CONTRACT_TOTP_SECRET, JSON.stringify(CONTRACT_IDENTITIES)]);
  const silent = await startSilentServer();
  const extra: Array<{ close(): Promise<void> }> = [];
  const make = (connectionString: string, more = {}) => {
    const s = createPostgresStore({ connectionString, table, ...more });
    extra.push(s);
    return s;
  };
  return {
    store: make(databaseUrl()),
    ledger: () => make(databaseUrl(), { cognitoSub: { column: 'cognito_sub', timeColumn: 'cognito_linked_at' }, groupsColumn: 'roles' }),
    totp: () => make(databaseUrl(), { columns: { totpSecret: 'otp_secret' } }),
    identities: () => make(databaseUrl(), { columns: { identities: 'identities' } }),
    blankLedger: async (login) => { await sql(`UPDATE ${table} SET cognito_sub = '' WHERE username = $1`, [login]); },
    lockout: {
      store: () => make(databaseUrl(), { columns: { failedAttempts: 'failed_attempts', lockedUntil: 'locked_until' } }),
      failedAttempts: async (login) => (await sql<{ n: number }>(`SELECT failed_attempts AS n FROM ${table} WHERE username = $1`, [login]))[0]!.n,
      lockUntil: async (login, until) => { await sql(`UPDATE ${table} SET locked_until = $2 WHERE username = $1`, [login, until]); },
      keyed: () => make(databaseUrl(), { columns: { failedAttempts: 'failed_attempts', lockedUntil: 'locked_until', attemptKey: 'attempt_key' } }),
    },
    attributes: DEMO_ATTRIBUTE_MAP,
    can,
    outage: () => make('postgres://u:p@127.0.0.1:1/db'),
    slow: () => make(`postgres://u:p@127.0.0.1:${silent.port}/db`, { connectTimeoutMs: 4000 }),
    close: async () => {
      await Promise.all(extra.map((s) => s.close()));
      await silent.close();
    },
  };
}, { ...can, outage: true, slow: true });
